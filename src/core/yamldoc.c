#include "core/yamldoc.h"

#include "core/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_init(diagnostics *d)
{
    buf_init(&d->text);
    d->count = 0;
}

void diag_free(diagnostics *d)
{
    buf_free(&d->text);
    d->count = 0;
}

void diag_add(diagnostics *d, const char *file, int line, int col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* messages quote the file's own text: one line each, nothing that could drive a terminal */
    buf_printf(&d->text, "%s:%d:%d: ", file, line, col);
    text_sanitize(&d->text, msg, strlen(msg), false);
    buf_putc(&d->text, '\n');
    d->count++;
}

typedef struct diag_line {
    const char *text;
    size_t len, file_len;
    long line, col;
} diag_line;

static int compare_lines(const void *a, const void *b)
{
    const diag_line *x = a, *y = b;
    size_t n = x->file_len < y->file_len ? x->file_len : y->file_len;
    int c = memcmp(x->text, y->text, n);
    if (c == 0 && x->file_len != y->file_len)
        c = x->file_len < y->file_len ? -1 : 1;
    if (c == 0)
        c = (x->line > y->line) - (x->line < y->line);
    if (c == 0)
        c = (x->col > y->col) - (x->col < y->col);
    if (c == 0)
        c = (x->text > y->text) - (x->text < y->text); /* keep the order they were found */
    return c;
}

/* Splits "file:line:col: msg" into its parts for sorting. */
static diag_line parse_diag_line(const char *s, size_t len)
{
    diag_line d = {s, len, len, 0, 0};
    const char *colon = NULL;
    for (const char *p = s; p + 1 < s + len; p++) {
        if (*p == ':' && p[1] >= '0' && p[1] <= '9') {
            colon = p;
            break;
        }
    }
    if (colon) {
        char *end;
        d.file_len = (size_t)(colon - s);
        d.line = strtol(colon + 1, &end, 10);
        d.col = *end == ':' ? strtol(end + 1, NULL, 10) : 0;
    }
    return d;
}

/* Says, under the first message's file, that the messages could not be sorted. */
static void diag_unsorted(diagnostics *d)
{
    diag_line first = parse_diag_line(buf_str(&d->text), d->text.len);
    buf_printf(&d->text, "%.*s:1:1: out of memory (these messages are not in order)\n",
               (int)first.file_len, first.text);
    d->count++;
}

void diag_sort(diagnostics *d)
{
    if (d->count < 2 || d->text.failed)
        return;
    diag_line *lines = calloc((size_t)d->count, sizeof *lines);
    if (!lines) {
        diag_unsorted(d);
        return;
    }
    size_t n = 0;
    const char *s = buf_str(&d->text);
    for (const char *p = s; *p && n < (size_t)d->count;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        lines[n++] = parse_diag_line(p, len);
        p += len;
    }
    qsort(lines, n, sizeof *lines, compare_lines);
    buf sorted;
    buf_init(&sorted);
    for (size_t i = 0; i < n; i++)
        buf_append(&sorted, lines[i].text, lines[i].len);
    free(lines);
    if (sorted.failed) {
        buf_free(&sorted);
        diag_unsorted(d);
        return;
    }
    buf_free(&d->text);
    d->text = sorted;
}

bool yamldoc_load(yamldoc *y, const char *file, const char *data, size_t len, diagnostics *d)
{
    memset(y, 0, sizeof *y);
    y->file = file;
    y->diag = d;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        diag_add(d, file, 1, 1, "out of memory");
        return false;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &y->doc)) {
        const char *problem = parser.problem ? parser.problem : "syntax error";
        if (parser.context)
            diag_add(d, file, (int)parser.problem_mark.line + 1,
                     (int)parser.problem_mark.column + 1, "YAML syntax: %s %s", problem,
                     parser.context);
        else
            diag_add(d, file, (int)parser.problem_mark.line + 1,
                     (int)parser.problem_mark.column + 1, "YAML syntax: %s", problem);
        yaml_parser_delete(&parser);
        return false;
    }
    yaml_parser_delete(&parser);
    y->loaded = true;
    if (!yaml_document_get_root_node(&y->doc)) {
        diag_add(d, file, 1, 1, "empty document");
        return false;
    }
    return true;
}

void yamldoc_free(yamldoc *y)
{
    if (y->loaded && y->image_nodes)
        free(y->image_nodes);
    else if (y->loaded)
        yaml_document_delete(&y->doc);
    y->image_nodes = NULL;
    y->loaded = false;
}

/* ---- images ------------------------------------------------------------------------------
 * Layout, every number a native uint32_t:
 *   magic (8 bytes "huashuY1"), byte-order check, source length, node count, item count,
 *   pair count, string bytes;
 *   the source text, padded to 4 bytes;
 *   per node: type, style, tag (string offset, NO_TAG when none), a, b (scalar: value offset
 *   and length; sequence: first item and count; mapping: first pair and count), start mark
 *   (index, line, column), end mark;
 *   the items (node numbers, 1-based), the pairs (key and value node numbers);
 *   the strings, each followed by a NUL. */

#define IMAGE_MAGIC  "huashuY1"
#define IMAGE_ORDER  0x01020304u
#define IMAGE_HEADER 8
#define IMAGE_FIELDS 6  /* after the magic: order, source, nodes, items, pairs, strings */
#define NODE_WORDS   11 /* type, style, tag, a, b, 3 + 3 mark numbers */
#define NO_TAG       UINT32_MAX

static void put32(buf *b, uint32_t v)
{
    buf_append(b, (const char *)&v, sizeof v);
}

static uint32_t get32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static bool fits32(size_t v)
{
    return v < UINT32_MAX;
}

/* The strings of an image being made: tags are few, so each distinct one is stored once. */
typedef struct image_strings {
    buf text;
    const char *tags[8];
    uint32_t tag_offsets[8];
    size_t tag_count;
} image_strings;

static uint32_t image_string(image_strings *s, const char *p, size_t len)
{
    uint32_t at = (uint32_t)s->text.len;
    buf_append(&s->text, p, len);
    buf_putc(&s->text, '\0');
    return at;
}

static uint32_t image_tag(image_strings *s, const yaml_char_t *tag)
{
    if (!tag)
        return NO_TAG;
    for (size_t i = 0; i < s->tag_count; i++)
        if (!strcmp(s->tags[i], (const char *)tag))
            return s->tag_offsets[i];
    uint32_t at = image_string(s, (const char *)tag, strlen((const char *)tag));
    if (s->tag_count < sizeof s->tags / sizeof s->tags[0]) {
        s->tags[s->tag_count] = (const char *)tag;
        s->tag_offsets[s->tag_count++] = at;
    }
    return at;
}

static void put_mark(buf *b, yaml_mark_t m)
{
    put32(b, (uint32_t)m.index);
    put32(b, (uint32_t)m.line);
    put32(b, (uint32_t)m.column);
}

bool yamldoc_image(const yamldoc *y, const char *data, size_t len, buf *out)
{
    if (!y->loaded || y->image_nodes || !fits32(len))
        return false;
    const yaml_document_t *doc = &y->doc;
    size_t nodes = (size_t)(doc->nodes.top - doc->nodes.start), items = 0, pairs = 0;
    for (const yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
        if (!fits32(n->end_mark.index) || !fits32(n->end_mark.line) ||
            !fits32(n->end_mark.column) || !fits32(n->start_mark.column) ||
            (n->type == YAML_SCALAR_NODE && !fits32(n->data.scalar.length)))
            return false;
        if (n->type == YAML_SEQUENCE_NODE)
            items += (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        else if (n->type == YAML_MAPPING_NODE)
            pairs += (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    }
    if (!fits32(nodes) || !fits32(items) || !fits32(pairs))
        return false;
    buf item_list, pair_list;
    buf_init(&item_list);
    buf_init(&pair_list);
    image_strings s = {.tag_count = 0};
    buf_init(&s.text);
    size_t start = out->len;
    buf_append(out, IMAGE_MAGIC, IMAGE_HEADER);
    put32(out, IMAGE_ORDER);
    put32(out, (uint32_t)len);
    put32(out, (uint32_t)nodes);
    put32(out, (uint32_t)items);
    put32(out, (uint32_t)pairs);
    size_t strings_at = out->len;
    put32(out, 0); /* string bytes, known at the end */
    buf_append(out, data, len);
    buf_append(out, "\0\0\0", (4 - len % 4) % 4);
    uint32_t item = 0, pair = 0;
    for (const yaml_node_t *n = doc->nodes.start; n < doc->nodes.top; n++) {
        uint32_t style = 0, a = 0, b = 0;
        if (n->type == YAML_SCALAR_NODE) {
            style = (uint32_t)n->data.scalar.style;
            b = (uint32_t)n->data.scalar.length;
            a = image_string(&s, (const char *)n->data.scalar.value, n->data.scalar.length);
        } else if (n->type == YAML_SEQUENCE_NODE) {
            style = (uint32_t)n->data.sequence.style;
            a = item;
            for (const yaml_node_item_t *i = n->data.sequence.items.start;
                 i < n->data.sequence.items.top; i++, item++)
                put32(&item_list, (uint32_t)*i);
            b = item - a;
        } else if (n->type == YAML_MAPPING_NODE) {
            style = (uint32_t)n->data.mapping.style;
            a = pair;
            for (const yaml_node_pair_t *p = n->data.mapping.pairs.start;
                 p < n->data.mapping.pairs.top; p++, pair++) {
                put32(&pair_list, (uint32_t)p->key);
                put32(&pair_list, (uint32_t)p->value);
            }
            b = pair - a;
        }
        put32(out, (uint32_t)n->type);
        put32(out, style);
        put32(out, image_tag(&s, n->tag));
        put32(out, a);
        put32(out, b);
        put_mark(out, n->start_mark);
        put_mark(out, n->end_mark);
    }
    buf_append(out, item_list.data ? item_list.data : "", item_list.len);
    buf_append(out, pair_list.data ? pair_list.data : "", pair_list.len);
    buf_append(out, s.text.data ? s.text.data : "", s.text.len);
    bool ok = !out->failed && !item_list.failed && !pair_list.failed && !s.text.failed &&
              fits32(s.text.len);
    if (ok) {
        uint32_t n = (uint32_t)s.text.len;
        memcpy(out->data + strings_at, &n, sizeof n);
    }
    buf_free(&item_list);
    buf_free(&pair_list);
    buf_free(&s.text);
    if (!ok && !out->failed)
        out->len = start;
    return ok;
}

/* The parts of an image, its counts checked against its size. */
typedef struct image_view {
    uint32_t source_len, nodes, items, pairs, string_len;
    const char *source, *node, *item, *pair, *strings;
} image_view;

static bool image_parts(const char *image, size_t image_len, image_view *v)
{
    size_t head = IMAGE_HEADER + IMAGE_FIELDS * 4;
    if (image_len < head || memcmp(image, IMAGE_MAGIC, IMAGE_HEADER) ||
        get32(image + IMAGE_HEADER) != IMAGE_ORDER)
        return false;
    const char *p = image + IMAGE_HEADER + 4;
    v->source_len = get32(p);
    v->nodes = get32(p + 4);
    v->items = get32(p + 8);
    v->pairs = get32(p + 12);
    v->string_len = get32(p + 16);
    uint64_t need = (uint64_t)head + v->source_len + (4 - v->source_len % 4) % 4 +
                    (uint64_t)v->nodes * NODE_WORDS * 4 + (uint64_t)v->items * 4 +
                    (uint64_t)v->pairs * 8 + v->string_len;
    if (need != image_len || v->nodes == 0)
        return false;
    v->source = image + head;
    v->node = v->source + v->source_len + (4 - v->source_len % 4) % 4;
    v->item = v->node + (size_t)v->nodes * NODE_WORDS * 4;
    v->pair = v->item + (size_t)v->items * 4;
    v->strings = v->pair + (size_t)v->pairs * 8;
    return true;
}

/* True when the string at offset of the image is within it and NUL-terminated at len (a
 * scalar, which may hold NULs of its own), or anywhere (len SIZE_MAX: a tag). */
static bool image_string_ok(const image_view *v, uint32_t offset, size_t len)
{
    if (offset >= v->string_len)
        return false;
    if (len == SIZE_MAX)
        return memchr(v->strings + offset, '\0', v->string_len - offset) != NULL;
    return len < v->string_len - offset && v->strings[offset + len] == '\0';
}

static yaml_mark_t get_mark(const char *p)
{
    yaml_mark_t m = {get32(p), get32(p + 4), get32(p + 8)};
    return m;
}

/* Checks node i of the image and fills n from it; false when it is malformed. */
static bool image_node(const image_view *v, uint32_t i, yaml_node_t *n, yaml_node_item_t *items,
                       yaml_node_pair_t *pairs, yaml_char_t *strings)
{
    const char *p = v->node + (size_t)i * NODE_WORDS * 4;
    uint32_t type = get32(p), style = get32(p + 4), tag = get32(p + 8);
    uint32_t a = get32(p + 12), b = get32(p + 16);
    memset(n, 0, sizeof *n);
    if (tag != NO_TAG && !image_string_ok(v, tag, SIZE_MAX))
        return false;
    n->tag = tag == NO_TAG ? NULL : strings + tag;
    n->start_mark = get_mark(p + 20);
    n->end_mark = get_mark(p + 32);
    if (type == YAML_SCALAR_NODE) {
        if (style > YAML_FOLDED_SCALAR_STYLE || !image_string_ok(v, a, b))
            return false;
        n->type = YAML_SCALAR_NODE;
        n->data.scalar.value = strings + a;
        n->data.scalar.length = b;
        n->data.scalar.style = (yaml_scalar_style_t)style;
        return true;
    }
    if (type == YAML_SEQUENCE_NODE) {
        if (style > YAML_FLOW_SEQUENCE_STYLE || a > v->items || b > v->items - a)
            return false;
        for (uint32_t k = a; k < a + b; k++) {
            uint32_t ref = get32(v->item + (size_t)k * 4);
            if (ref == 0 || ref > v->nodes)
                return false;
            items[k] = (yaml_node_item_t)ref;
        }
        n->type = YAML_SEQUENCE_NODE;
        n->data.sequence.items.start = items + a;
        n->data.sequence.items.top = n->data.sequence.items.end = items + a + b;
        n->data.sequence.style = (yaml_sequence_style_t)style;
        return true;
    }
    if (type == YAML_MAPPING_NODE) {
        if (style > YAML_FLOW_MAPPING_STYLE || a > v->pairs || b > v->pairs - a)
            return false;
        for (uint32_t k = a; k < a + b; k++) {
            uint32_t key = get32(v->pair + (size_t)k * 8),
                     value = get32(v->pair + (size_t)k * 8 + 4);
            if (key == 0 || key > v->nodes || value == 0 || value > v->nodes)
                return false;
            pairs[k].key = (int)key;
            pairs[k].value = (int)value;
        }
        n->type = YAML_MAPPING_NODE;
        n->data.mapping.pairs.start = pairs + a;
        n->data.mapping.pairs.top = n->data.mapping.pairs.end = pairs + a + b;
        n->data.mapping.style = (yaml_mapping_style_t)style;
        return true;
    }
    return false;
}

bool yamldoc_load_image(yamldoc *y, const char *file, const char *data, size_t len,
                        const char *image, size_t image_len, diagnostics *d)
{
    memset(y, 0, sizeof *y);
    y->file = file;
    y->diag = d;
    image_view v;
    if (!image || !image_parts(image, image_len, &v) || v.source_len != len ||
        memcmp(v.source, data, len) != 0 || v.nodes > INT32_MAX)
        return false;
    /* one block: the nodes, the items, the pairs, then the strings */
    size_t node_bytes = (size_t)v.nodes * sizeof(yaml_node_t);
    size_t item_bytes = (size_t)v.items * sizeof(yaml_node_item_t);
    size_t pair_bytes = (size_t)v.pairs * sizeof(yaml_node_pair_t);
    char *block = malloc(node_bytes + item_bytes + pair_bytes + v.string_len);
    if (!block)
        return false;
    yaml_node_t *nodes = (yaml_node_t *)(void *)block;
    yaml_node_item_t *items = (yaml_node_item_t *)(void *)(block + node_bytes);
    yaml_node_pair_t *pairs = (yaml_node_pair_t *)(void *)(block + node_bytes + item_bytes);
    yaml_char_t *strings = (yaml_char_t *)(block + node_bytes + item_bytes + pair_bytes);
    memcpy(strings, v.strings, v.string_len);
    for (uint32_t i = 0; i < v.nodes; i++) {
        if (!image_node(&v, i, &nodes[i], items, pairs, strings)) {
            free(block);
            return false;
        }
    }
    y->doc.nodes.start = nodes;
    y->doc.nodes.top = y->doc.nodes.end = nodes + v.nodes;
    y->image_nodes = block;
    y->loaded = true;
    return true;
}

bool yamldoc_load_cached(yamldoc *y, const char *file, const char *data, size_t len, diagnostics *d,
                         const yamldoc_cache *cache)
{
    if (cache) {
        size_t image_len = 0;
        char *image = cache->get(cache->ctx, file, &image_len);
        bool hit = yamldoc_load_image(y, file, data, len, image, image_len, d);
        free(image);
        if (hit)
            return true;
    }
    if (!yamldoc_load(y, file, data, len, d))
        return false;
    if (cache) {
        buf image;
        buf_init(&image);
        if (yamldoc_image(y, data, len, &image))
            cache->put(cache->ctx, file, image.data, image.len);
        buf_free(&image);
    }
    return true;
}

yaml_node_t *yamldoc_root(yamldoc *y)
{
    return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

void yamldoc_error(yamldoc *y, const yaml_node_t *node, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = node ? (int)node->start_mark.line + 1 : 1;
    int col = node ? (int)node->start_mark.column + 1 : 1;
    diag_add(y->diag, y->file, line, col, "%s", msg);
}

const char *yamldoc_scalar(const yaml_node_t *node)
{
    if (!node || node->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)node->data.scalar.value;
}

bool yamldoc_pair(yamldoc *y, yaml_node_t *map, size_t i, yaml_node_t **key, yaml_node_t **value)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return false;
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    if (start + i >= map->data.mapping.pairs.top)
        return false;
    *key = yaml_document_get_node(&y->doc, start[i].key);
    *value = yaml_document_get_node(&y->doc, start[i].value);
    return true;
}

yaml_node_t *yamldoc_get(yamldoc *y, yaml_node_t *map, const char *key)
{
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(y, map, i, &k, &v); i++) {
        const char *s = yamldoc_scalar(k);
        if (s && strcmp(s, key) == 0)
            return v;
    }
    return NULL;
}

yaml_node_t *yamldoc_item(yamldoc *y, yaml_node_t *seq, size_t i)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return NULL;
    yaml_node_item_t *start = seq->data.sequence.items.start;
    if (start + i >= seq->data.sequence.items.top)
        return NULL;
    return yaml_document_get_node(&y->doc, start[i]);
}

static bool expect(yamldoc *y, yaml_node_t *node, yaml_node_type_t type, const char *what,
                   const char *kind)
{
    if (node && node->type == type)
        return true;
    yamldoc_error(y, node, "%s must be %s", what, kind);
    return false;
}

bool yamldoc_expect_map(yamldoc *y, yaml_node_t *node, const char *what)
{
    return expect(y, node, YAML_MAPPING_NODE, what, "a mapping (key: value)");
}

bool yamldoc_expect_seq(yamldoc *y, yaml_node_t *node, const char *what)
{
    return expect(y, node, YAML_SEQUENCE_NODE, what, "a list");
}

bool yamldoc_expect_scalar(yamldoc *y, yaml_node_t *node, const char *what)
{
    return expect(y, node, YAML_SCALAR_NODE, what, "a single value");
}

bool yamldoc_check_duplicates(yamldoc *y, yaml_node_t *map, const char *what)
{
    yaml_node_t *k, *v, *k2, *v2;
    bool clean = true;
    for (size_t i = 0; yamldoc_pair(y, map, i, &k, &v); i++) {
        const char *s = yamldoc_scalar(k);
        for (size_t j = 0; s && j < i && yamldoc_pair(y, map, j, &k2, &v2); j++) {
            const char *t = yamldoc_scalar(k2);
            if (t && strcmp(s, t) == 0) {
                yamldoc_error(y, k, "duplicate key \"%s\" in %s (first at line %d)", s, what,
                              (int)k2->start_mark.line + 1);
                clean = false;
                break;
            }
        }
    }
    return clean;
}

void yamldoc_check_keys(yamldoc *y, yaml_node_t *map, const char *const *known, const char *what)
{
    yamldoc_check_duplicates(y, map, what);
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(y, map, i, &k, &v); i++) {
        const char *s = yamldoc_scalar(k);
        bool ok = false;
        for (size_t j = 0; s && known[j]; j++)
            ok = ok || strcmp(s, known[j]) == 0;
        if (!ok && map->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
            yamldoc_error(y, k,
                          "unknown key \"%s\" in %s (inside { } a comma ends a value: "
                          "quote text that contains commas)",
                          s ? s : "?", what);
        else if (!ok)
            yamldoc_error(y, k, "unknown key \"%s\" in %s", s ? s : "?", what);
    }
}

bool yamldoc_bool(yamldoc *y, yaml_node_t *node, bool *out)
{
    const char *s = yamldoc_scalar(node);
    if (s && (!strcmp(s, "true") || !strcmp(s, "yes"))) {
        *out = true;
        return true;
    }
    if (s && (!strcmp(s, "false") || !strcmp(s, "no"))) {
        *out = false;
        return true;
    }
    yamldoc_error(y, node, "expected true or false");
    return false;
}

bool duration_parse(const char *s, int64_t *ms, bool *negative)
{
    *negative = false;
    const char *p = s;
    if (*p == '-') {
        *negative = true;
        p++;
    }
    if (*p < '0' || *p > '9')
        return false;
    char *end;
    double v = strtod(p, &end);
    int64_t unit = 1000;
    if (*end == 's' && end[1] == '\0')
        end++;
    else if (*end == 'm' && end[1] == 's' && end[2] == '\0')
        unit = 1, end += 2;
    else if (*end == 'm' && end[1] == '\0')
        unit = 60000, end++;
    else if (*end == 'h' && end[1] == '\0')
        unit = 3600000, end++;
    else if (*end == 'd' && end[1] == '\0')
        unit = 86400000, end++;
    if (*end != '\0' || v > 1e9)
        return false;
    *ms = (int64_t)(v * (double)unit + 0.5);
    return true;
}
