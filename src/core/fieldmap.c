#include "core/fieldmap.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

#define MAX_SEGMENTS     32
#define MAX_FORMAT_PARTS 32
#define MAX_EACH         100 /* elements of an each-array shown */

typedef struct segment {
    char *key;  /* object key; NULL for a bracketed index */
    long index; /* array index when is_index (negative: from the end) */
    bool is_index;
} segment;

struct fieldmap_path {
    char *text;
    segment segs[MAX_SEGMENTS];
    size_t count;
};

typedef struct format_part {
    char *literal;       /* text before the path */
    fieldmap_path *path; /* NULL for the trailing literal */
} format_part;

struct fieldmap_format {
    format_part parts[MAX_FORMAT_PARTS];
    size_t count;
};

/* ---- paths ---------------------------------------------------------------------------- */

/* Parses a whole decimal number with an optional minus; false when s is anything else. */
static bool parse_index(const char *s, size_t n, long *out)
{
    if (n == 0 || n > 18)
        return false;
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == n)
        return false;
    long v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = s[0] == '-' ? -v : v;
    return true;
}

/* Appends one segment (key of n bytes); false when the path has too many. */
static bool add_segment(fieldmap_path *p, const char *key, size_t n, bool bracket)
{
    if (p->count == MAX_SEGMENTS)
        return false;
    segment *s = &p->segs[p->count];
    long index;
    s->is_index = parse_index(key, n, &index);
    s->index = s->is_index ? index : 0;
    s->key = NULL;
    if (!bracket || !s->is_index) {
        if (!(s->key = strndup(key, n)))
            return false;
    }
    p->count++;
    return true;
}

/* RFC 6901: "/a/b~1c/0"; ~1 is '/', ~0 is '~'. */
static bool compile_pointer(fieldmap_path *p, const char *t, char *err, size_t errlen)
{
    while (*t == '/') {
        t++;
        char token[256];
        size_t n = 0;
        for (; *t && *t != '/'; t++) {
            char c = *t;
            if (c == '~') {
                if (t[1] != '0' && t[1] != '1') {
                    snprintf(err, errlen, "\"~\" must be followed by 0 or 1 in a JSON pointer");
                    return false;
                }
                c = *++t == '0' ? '~' : '/';
            }
            if (n + 1 >= sizeof token) {
                snprintf(err, errlen, "path segment too long");
                return false;
            }
            token[n++] = c;
        }
        if (!add_segment(p, token, n, false)) {
            snprintf(err, errlen, "path too deep (at most %d parts)", MAX_SEGMENTS);
            return false;
        }
    }
    return true;
}

/* "a.b[0].c", "a.0.c": dots separate keys, brackets hold indexes. */
static bool compile_dotted(fieldmap_path *p, const char *t, char *err, size_t errlen)
{
    if (!*t)
        return true;
    for (;;) {
        size_t n = strcspn(t, ".[]");
        if (n == 0 && *t != '[') {
            snprintf(err, errlen, "empty part in path (two dots, or a dot at an end)");
            return false;
        }
        if (n && !add_segment(p, t, n, false))
            goto deep;
        t += n;
        while (*t == '[') {
            const char *close = strchr(t, ']');
            long index;
            if (!close || !parse_index(t + 1, (size_t)(close - t - 1), &index)) {
                snprintf(err, errlen, "\"[\" must hold a whole number and be closed by \"]\"");
                return false;
            }
            if (!add_segment(p, t + 1, (size_t)(close - t - 1), true))
                goto deep;
            t = close + 1;
        }
        if (*t == '\0')
            return true;
        if (*t != '.' || t[1] == '\0') {
            snprintf(err, errlen, "unexpected \"%c\" in path", *t);
            return false;
        }
        t++;
    }
deep:
    snprintf(err, errlen, "path too deep (at most %d parts)", MAX_SEGMENTS);
    return false;
}

fieldmap_path *fieldmap_path_compile(const char *text, char *err, size_t errlen)
{
    fieldmap_path *p = calloc(1, sizeof *p);
    if (!p || !(p->text = strdup(text))) {
        free(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    bool ok = text[0] == '/' ? compile_pointer(p, text, err, errlen)
                             : compile_dotted(p, text, err, errlen);
    if (!ok) {
        fieldmap_path_free(p);
        return NULL;
    }
    return p;
}

void fieldmap_path_free(fieldmap_path *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++)
        free(p->segs[i].key);
    free(p->text);
    free(p);
}

const char *fieldmap_path_text(const fieldmap_path *p)
{
    return p->text;
}

/* The node at p below root; NULL when any part is absent. */
static json_t *path_get(const fieldmap_path *p, json_t *root)
{
    json_t *node = root;
    for (size_t i = 0; i < p->count && node; i++) {
        const segment *s = &p->segs[i];
        if (json_is_array(node) && s->is_index) {
            long n = (long)json_array_size(node);
            long at = s->index < 0 ? n + s->index : s->index;
            node = at >= 0 && at < n ? json_array_get(node, (size_t)at) : NULL;
        } else if (json_is_object(node) && s->key) {
            node = json_object_get(node, s->key);
        } else {
            node = NULL;
        }
    }
    return node;
}

/* ---- formats -------------------------------------------------------------------------- */

static void format_free(fieldmap_format *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++) {
        free(f->parts[i].literal);
        fieldmap_path_free(f->parts[i].path);
    }
    free(f);
}

/* Splits "text {path} text" into literal + path parts; "{{" and "}}" are literal braces. */
static fieldmap_format *format_compile(const char *text, char *err, size_t errlen)
{
    fieldmap_format *f = calloc(1, sizeof *f);
    buf lit;
    buf_init(&lit);
    for (const char *t = text; f;) {
        if ((t[0] == '{' && t[1] == '{') || (t[0] == '}' && t[1] == '}')) {
            buf_putc(&lit, t[0]);
            t += 2;
            continue;
        }
        if (*t && *t != '{') {
            buf_putc(&lit, *t++);
            continue;
        }
        const char *close = *t ? strchr(t, '}') : NULL;
        if (*t && !close) {
            snprintf(err, errlen, "\"{\" without a closing \"}\" in format");
            goto fail;
        }
        if (f->count == MAX_FORMAT_PARTS) {
            snprintf(err, errlen, "format has more than %d parts", MAX_FORMAT_PARTS);
            goto fail;
        }
        format_part *part = &f->parts[f->count++];
        part->literal = buf_take(&lit);
        if (!part->literal) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        if (!*t)
            return f;
        char *inner = strndup(t + 1, (size_t)(close - t - 1));
        if (!inner)
            snprintf(err, errlen, "out of memory");
        part->path = inner ? fieldmap_path_compile(inner, err, errlen) : NULL;
        free(inner);
        if (!part->path)
            goto fail;
        t = close + 1;
    }
    snprintf(err, errlen, "out of memory");
    return NULL;
fail:
    buf_free(&lit);
    format_free(f);
    return NULL;
}

/* ---- the map -------------------------------------------------------------------------- */

static bool set_string(char **slot, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return false;
    free(*slot);
    *slot = copy;
    return true;
}

fieldmap *fieldmap_new(void)
{
    fieldmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->low_at = 5;
    if (!set_string(&m->in_stock, "有现货") || !set_string(&m->low_stock, "仅剩{n}件") ||
        !set_string(&m->out_of_stock, "暂时缺货")) {
        fieldmap_free(m);
        return NULL;
    }
    return m;
}

void fieldmap_field_clear_source(fieldmap_field *f)
{
    for (size_t i = 0; i < f->path_count; i++)
        fieldmap_path_free(f->paths[i]);
    f->path_count = 0;
    format_free(f->format);
    f->format = NULL;
}

/* Frees what a field owns (not the field, which sits in the map's array). */
static void field_free(fieldmap_field *f)
{
    fieldmap_field_clear_source(f);
    fieldmap_path_free(f->each);
    for (size_t i = 0; i < f->map_count; i++) {
        free(f->map_from[i]);
        free(f->map_to[i]);
    }
    free(f->map_from);
    free(f->map_to);
    free(f->name);
    free(f->label);
    free(f->join);
    free(f->fallback);
}

void fieldmap_free(fieldmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++)
        field_free(&m->fields[i]);
    fieldmap_path_free(m->record);
    fieldmap_path_free(m->error);
    free(m->in_stock);
    free(m->low_stock);
    free(m->out_of_stock);
    free(m);
}

/* Replaces *slot with the compiled value (false with err set when it does not compile). */
static bool set_path(fieldmap_path **slot, const char *value, char *err, size_t errlen)
{
    fieldmap_path *p = fieldmap_path_compile(value, err, errlen);
    if (!p)
        return false;
    fieldmap_path_free(*slot);
    *slot = p;
    return true;
}

bool fieldmap_set(fieldmap *m, const char *key, const char *value, char *err, size_t errlen)
{
    snprintf(err, errlen, "out of memory");
    if (!strcmp(key, "record"))
        return set_path(&m->record, value, err, errlen);
    if (!strcmp(key, "error"))
        return set_path(&m->error, value, err, errlen);
    if (!strcmp(key, "in_stock"))
        return set_string(&m->in_stock, value);
    if (!strcmp(key, "low_stock"))
        return set_string(&m->low_stock, value);
    if (!strcmp(key, "out_of_stock"))
        return set_string(&m->out_of_stock, value);
    if (!strcmp(key, "low_at")) {
        long n;
        if (parse_index(value, strlen(value), &n) && n >= 0) {
            m->low_at = n;
            return true;
        }
        snprintf(err, errlen, "low_at must be a whole number, 0 or more");
        return false;
    }
    snprintf(err, errlen, "unknown key \"%s\"", key);
    return false;
}

const fieldmap_field *fieldmap_field_find(const fieldmap *m, const char *name)
{
    for (size_t i = 0; i < m->count; i++)
        if (!strcmp(m->fields[i].name, name))
            return &m->fields[i];
    return NULL;
}

fieldmap_field *fieldmap_field_get(fieldmap *m, const char *name)
{
    fieldmap_field *f = (fieldmap_field *)fieldmap_field_find(m, name);
    if (f || m->count == FIELDMAP_MAX_FIELDS)
        return f;
    f = &m->fields[m->count];
    memset(f, 0, sizeof *f);
    if (!(f->name = strdup(name)))
        return NULL;
    m->count++;
    return f;
}

/* Parses true/false/yes/no; false for anything else. */
static bool parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "true") || !strcmp(v, "yes"))
        *out = true;
    else if (!strcmp(v, "false") || !strcmp(v, "no"))
        *out = false;
    else
        return false;
    return true;
}

bool fieldmap_field_set(fieldmap_field *f, const char *key, const char *value, char *err,
                        size_t errlen)
{
    snprintf(err, errlen, "out of memory");
    if (!strcmp(key, "path")) {
        if (f->path_count == FIELDMAP_MAX_PATHS) {
            snprintf(err, errlen, "at most %d alternative paths", FIELDMAP_MAX_PATHS);
            return false;
        }
        fieldmap_path *p = fieldmap_path_compile(value, err, errlen);
        if (p)
            f->paths[f->path_count++] = p;
        return p != NULL;
    }
    if (!strcmp(key, "format")) {
        fieldmap_format *fmt = format_compile(value, err, errlen);
        if (fmt) {
            format_free(f->format);
            f->format = fmt;
        }
        return fmt != NULL;
    }
    if (!strcmp(key, "each"))
        return set_path(&f->each, value, err, errlen);
    if (!strcmp(key, "join"))
        return set_string(&f->join, value);
    if (!strcmp(key, "label"))
        return set_string(&f->label, value);
    if (!strcmp(key, "default"))
        return set_string(&f->fallback, value);
    bool *flag = !strcmp(key, "required") ? &f->required : !strcmp(key, "stock") ? &f->stock : NULL;
    if (flag) {
        if (parse_bool(value, flag))
            return true;
        snprintf(err, errlen, "%s must be true or false", key);
        return false;
    }
    snprintf(err, errlen, "unknown key \"%s\"", key);
    return false;
}

bool fieldmap_field_map(fieldmap_field *f, const char *from, const char *to)
{
    for (size_t i = 0; i < f->map_count; i++)
        if (!strcmp(f->map_from[i], from))
            return set_string(&f->map_to[i], to);
    char **nf = realloc(f->map_from, (f->map_count + 1) * sizeof *nf);
    if (!nf)
        return false;
    f->map_from = nf;
    char **nt = realloc(f->map_to, (f->map_count + 1) * sizeof *nt);
    if (!nt)
        return false;
    f->map_to = nt;
    char *a = strdup(from), *b = strdup(to);
    if (!a || !b) {
        free(a);
        free(b);
        return false;
    }
    f->map_from[f->map_count] = a;
    f->map_to[f->map_count++] = b;
    return true;
}

/* ---- applying ------------------------------------------------------------------------- */

void fieldmap_stock_words(const fieldmap *m, long long qty, buf *out)
{
    if (qty <= 0) {
        buf_puts(out, m->out_of_stock);
        return;
    }
    if (qty > m->low_at) {
        buf_puts(out, m->in_stock);
        return;
    }
    for (const char *t = m->low_stock; *t;) {
        const char *n = strstr(t, "{n}");
        if (!n) {
            buf_puts(out, t);
            break;
        }
        buf_append(out, t, (size_t)(n - t));
        buf_printf(out, "%lld", qty);
        t = n + 3;
    }
}

/* The mapped text of a value, or NULL when the field maps nothing for it. */
static const char *mapped(const fieldmap_field *f, const char *text)
{
    for (size_t i = 0; i < f->map_count; i++)
        if (!strcmp(f->map_from[i], text))
            return f->map_to[i];
    return NULL;
}

/* Appends a scalar's text (strings as they are, numbers, true/false); false for null,
 * objects and arrays, which have no text of their own. */
static bool scalar_text(const json_t *v, buf *out)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        buf_append(out, json_string_value(v), json_string_length(v));
        return true;
    case JSON_INTEGER:
        buf_printf(out, "%lld", (long long)json_integer_value(v));
        return true;
    case JSON_REAL:
        buf_printf(out, "%.15g", json_real_value(v));
        return true;
    case JSON_TRUE:
        buf_puts(out, "true");
        return true;
    case JSON_FALSE:
        buf_puts(out, "false");
        return true;
    default:
        return false;
    }
}

/* Appends one value through the field's map or stock wording; false when it has no text. */
static bool put_value(const fieldmap *m, const fieldmap_field *f, const json_t *v, buf *out)
{
    if (f->stock && json_is_number(v)) {
        fieldmap_stock_words(m,
                             json_is_integer(v) ? (long long)json_integer_value(v)
                                                : (long long)json_real_value(v),
                             out);
        return true;
    }
    buf text;
    buf_init(&text);
    bool ok = scalar_text(v, &text);
    const char *to = ok ? mapped(f, buf_str(&text)) : NULL;
    if (ok)
        buf_puts(out, to ? to : buf_str(&text));
    if (text.failed)
        out->failed = true;
    buf_free(&text);
    return ok;
}

/* Drops what was appended to b after its first len bytes. */
static void truncate_to(buf *b, size_t len)
{
    if (b->data && b->len > len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

static const char *join_text(const fieldmap_field *f)
{
    return f->join ? f->join : "、";
}

/* Appends v, joining the elements of an array of scalars; false when nothing had text. */
static bool put_node(const fieldmap *m, const fieldmap_field *f, const json_t *v, buf *out)
{
    if (!json_is_array(v))
        return put_value(m, f, v, out);
    bool any = false;
    for (size_t i = 0; i < json_array_size(v) && i < MAX_EACH; i++) {
        size_t before = out->len;
        if (any)
            buf_puts(out, join_text(f));
        if (put_value(m, f, json_array_get(v, i), out))
            any = true;
        else
            truncate_to(out, before);
    }
    return any;
}

/* Removes doubled spaces and separators a missing part of a format leaves behind. */
static void tidy(buf *b)
{
    buf t;
    buf_init(&t);
    const char *s = buf_str(b);
    while (*s == ' ' || *s == ',')
        s++;
    for (; *s; s++) {
        if (*s == ' ' && (s[1] == ' ' || s[1] == ',' || s[1] == '\0'))
            continue;
        if (*s == ',' && (s[1] == ',' || s[1] == '\0' || (s[1] == ' ' && (s[2] == ',' || !s[2]))))
            continue;
        buf_putc(&t, *s);
    }
    bool failed = b->failed || t.failed;
    buf_clear(b);
    buf_puts(b, buf_str(&t));
    if (failed)
        b->failed = true;
    buf_free(&t);
}

/* Fills a format against node; false when none of its paths had a value. */
static bool put_format(const fieldmap *m, const fieldmap_field *f, json_t *node, buf *out)
{
    buf t;
    buf_init(&t);
    bool any = false;
    for (size_t i = 0; i < f->format->count; i++) {
        const format_part *part = &f->format->parts[i];
        buf_puts(&t, part->literal);
        json_t *v = part->path ? path_get(part->path, node) : NULL;
        if (v && put_node(m, f, v, &t))
            any = true;
    }
    tidy(&t);
    if (any)
        buf_puts(out, buf_str(&t));
    if (t.failed)
        out->failed = true;
    buf_free(&t);
    return any;
}

/* Appends the field's value taken from one node (a record or an each-element). */
static bool put_one(const fieldmap *m, const fieldmap_field *f, json_t *node, buf *out)
{
    if (f->format)
        return put_format(m, f, node, out);
    for (size_t i = 0; i < f->path_count; i++) {
        json_t *v = path_get(f->paths[i], node);
        if (v && !json_is_null(v) && put_node(m, f, v, out))
            return true;
    }
    return false;
}

/* The field's value against the record; false when absent. */
static bool field_value(const fieldmap *m, const fieldmap_field *f, json_t *record, buf *out)
{
    if (!f->each)
        return put_one(m, f, record, out);
    json_t *list = path_get(f->each, record);
    if (!json_is_array(list))
        return false;
    bool any = false;
    for (size_t i = 0; i < json_array_size(list) && i < MAX_EACH; i++) {
        size_t before = out->len;
        if (any)
            buf_puts(out, join_text(f));
        if (put_one(m, f, json_array_get(list, i), out))
            any = true;
        else
            truncate_to(out, before);
    }
    return any;
}

/* Sanitises and cuts a value to FIELDMAP_MAX_VALUE bytes on a character boundary. */
static char *clean_value(const buf *raw)
{
    buf b;
    buf_init(&b);
    text_sanitize(&b, buf_str(raw), raw->len, false);
    if (b.len > FIELDMAP_MAX_VALUE) {
        size_t cut = FIELDMAP_MAX_VALUE;
        while (cut > 0 && ((unsigned char)b.data[cut] & 0xC0) == 0x80)
            cut--;
        b.len = cut;
        b.data[cut] = '\0';
    }
    if (b.failed) {
        buf_free(&b);
        return NULL;
    }
    return b.data ? buf_take(&b) : strdup("");
}

/* Reports a body jansson could not parse, with its position. */
static fieldmap_status bad_json(fieldmap_result *r, const json_error_t *e)
{
    buf clean;
    buf_init(&clean);
    text_sanitize(&clean, e->text, strlen(e->text), false);
    r->status = FIELDMAP_BAD_JSON;
    snprintf(r->message, sizeof r->message,
             "the response is not valid JSON (%s at line %d, column %d)", buf_str(&clean), e->line,
             e->column);
    buf_free(&clean);
    return r->status;
}

/* Reports an error message the API put inside a successful response. */
static fieldmap_status api_error(fieldmap_result *r, json_t *v)
{
    buf t;
    buf_init(&t);
    if (!scalar_text(v, &t))
        buf_puts(&t, json_is_array(v) || json_is_object(v) ? "(details in the response)" : "?");
    buf clean;
    buf_init(&clean);
    text_sanitize(&clean, buf_str(&t), t.len, false);
    r->status = FIELDMAP_API_ERROR;
    snprintf(r->message, sizeof r->message, "the server reported an error: %.200s",
             buf_str(&clean));
    buf_free(&t);
    buf_free(&clean);
    return r->status;
}

/* Fills r for running out of memory while computing field f; false. */
static bool no_memory(fieldmap_result *r, const fieldmap_field *f)
{
    r->status = FIELDMAP_NO_MEMORY;
    snprintf(r->message, sizeof r->message, "out of memory (field %s)", f->name);
    return false;
}

/* Computes every field; false (with r filled) when a required one is absent or memory ran
 * out. */
static bool fill_fields(const fieldmap *m, json_t *record, fieldmap_result *r)
{
    for (size_t i = 0; i < m->count; i++) {
        const fieldmap_field *f = &m->fields[i];
        buf raw;
        buf_init(&raw);
        bool present = field_value(m, f, record, &raw) && raw.len > 0;
        if (raw.failed) {
            buf_free(&raw);
            return no_memory(r, f);
        }
        if (!present && f->fallback) {
            buf_puts(&raw, f->fallback);
            present = true;
        }
        if (!present) {
            buf_free(&raw);
            if (!f->required)
                continue;
            const char *where = f->path_count ? fieldmap_path_text(f->paths[0]) : "its format";
            r->status = FIELDMAP_MISSING;
            snprintf(r->message, sizeof r->message,
                     "the response has no \"%s\" (field %s): the API may have changed, or the "
                     "field map needs another path",
                     where, f->name);
            return false;
        }
        char *value = clean_value(&raw);
        buf_free(&raw);
        if (!value)
            return no_memory(r, f);
        r->values[r->count++] = (fieldmap_value){f->name, f->label, value};
    }
    return true;
}

fieldmap_status fieldmap_apply(const fieldmap *m, const char *json, size_t len, fieldmap_result *r)
{
    memset(r, 0, sizeof *r);
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_DECODE_ANY, &jerr);
    if (!root)
        return bad_json(r, &jerr);
    json_t *err = m->error ? path_get(m->error, root) : NULL;
    if (err && !json_is_null(err)) {
        api_error(r, err);
        json_decref(root);
        return r->status;
    }
    json_t *record = m->record ? path_get(m->record, root) : root;
    if (!record || json_is_null(record)) {
        json_decref(root);
        r->status = FIELDMAP_NOT_FOUND;
        snprintf(r->message, sizeof r->message, "the response has no %s",
                 fieldmap_path_text(m->record));
        return r->status;
    }
    if (!fill_fields(m, record, r)) {
        json_decref(root);
        return r->status;
    }
    json_decref(root);
    r->status = FIELDMAP_OK;
    return FIELDMAP_OK;
}

void fieldmap_result_free(fieldmap_result *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->values[i].value);
    r->count = 0;
}

const char *fieldmap_result_get(const fieldmap_result *r, const char *name)
{
    for (size_t i = 0; i < r->count; i++)
        if (!strcmp(r->values[i].name, name))
            return r->values[i].value;
    return NULL;
}
