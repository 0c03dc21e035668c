#include "core/event.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/eventscan.h"
#include "core/text.h"

static const char *const type_names[] = {"open", "message", "state", "key", "close", "lookup"};
static const char *const from_names[] = {"", "customer", "agent", "system"};

const char *event_type_name(event_type t)
{
    return type_names[t];
}

const char *event_from_name(event_from f)
{
    return from_names[f];
}

void event_init(event *ev, event_type type, const char *conv, int64_t ts_ms, int tz_offset)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->conv = conv;
    ev->ts_ms = ts_ms;
    ev->tz_offset = tz_offset;
}

void event_release(event *ev)
{
    if (ev->json)
        json_decref((json_t *)ev->json);
    free(ev->owned);
    ev->json = NULL;
    ev->owned = NULL;
    ev->raw = NULL;
}

/* The top-level fields huashu reads, found in one pass over the scanned pairs. */
enum known_key {
    K_TS,
    K_CONV,
    K_TYPE,
    K_FROM,
    K_TEXT,
    K_LINE,
    K_STATE,
    K_KEY,
    K_CHANNEL,
    K_KIND,
    K_AGENT,
    K_AGENT_NAME,
    K_COUNT
};
static const char *const known_names[K_COUNT] = {"ts",      "conv", "type",  "from",
                                                 "text",    "line", "state", "key",
                                                 "channel", "kind", "agent", "agent_name"};

/* Where a record's fields come from: the fast scanner's pairs, or a jansson object. */
typedef struct source {
    const scan_result *scan;
    json_t *root;
    const scan_pair *known[K_COUNT]; /* fast path: the pair of each known key, or NULL */
} source;

static void index_known(source *src)
{
    memset(src->known, 0, sizeof src->known);
    for (size_t i = 0; i < src->scan->top_count; i++) {
        const scan_pair *p = &src->scan->top[i];
        for (int k = 0; k < K_COUNT; k++) {
            if (p->key[0] == known_names[k][0] && strcmp(p->key, known_names[k]) == 0) {
                src->known[k] = p;
                break;
            }
        }
    }
}

/* A known top-level string field; NULL when absent; *bad is set when it is not a string. */
static const char *top_field(const source *src, enum known_key k, bool *bad)
{
    if (src->scan) {
        const scan_pair *p = src->known[k];
        if (p && !p->value)
            *bad = true;
        return p ? p->value : NULL;
    }
    json_t *v = json_object_get(src->root, known_names[k]);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

/* The string field `key` of "customer"; NULL when absent; *bad when not a string. */
static const char *customer_field(const source *src, const char *key, bool *bad)
{
    if (src->scan) {
        for (size_t i = 0; i < src->scan->nested_count; i++)
            if (src->scan->nested[i].object == SCAN_CUSTOMER &&
                strcmp(src->scan->nested[i].key, key) == 0)
                return src->scan->nested[i].value;
        return NULL;
    }
    json_t *v = json_object_get(json_object_get(src->root, "customer"), key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

static bool has_object(const source *src, int object, bool *wrong_type)
{
    if (src->scan)
        return src->scan->has_object & (1u << object);
    json_t *v = json_object_get(src->root, object == SCAN_CUSTOMER ? "customer" : "fields");
    *wrong_type = v && !json_is_object(v);
    return v != NULL;
}

static bool fail(char *err, size_t errlen, const char *msg, const char *detail)
{
    char shown[128];
    snprintf(err, errlen, "%s%s%s", msg, detail ? ": " : "",
             detail ? text_escape_into(shown, sizeof shown, detail) : "");
    return false;
}

static bool parse_type(event *ev, const char *type)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (strcmp(type, type_names[i]) == 0) {
            ev->type = (event_type)i;
            return true;
        }
    }
    return false;
}

static bool parse_customer(event *ev, const source *src)
{
    bool bad = false;
    if (!has_object(src, SCAN_CUSTOMER, &bad))
        return true;
    if (bad)
        return false;
    ev->name = customer_field(src, "name", &bad);
    ev->surname = customer_field(src, "surname", &bad);
    ev->title = customer_field(src, "title", &bad);
    return !bad;
}

static void add_lookup_field(event *ev, const char *name, const char *value)
{
    if (ev->field_count == EVENT_MAX_FIELDS)
        return;
    ev->fields[ev->field_count].name = name;
    ev->fields[ev->field_count].value = value;
    ev->field_count++;
}

static bool parse_lookup_fields(event *ev, const source *src)
{
    bool wrong = false;
    if (!has_object(src, SCAN_FIELDS, &wrong))
        return true;
    if (wrong)
        return false;
    if (src->scan) {
        for (size_t i = 0; i < src->scan->nested_count; i++)
            if (src->scan->nested[i].object == SCAN_FIELDS)
                add_lookup_field(ev, src->scan->nested[i].key, src->scan->nested[i].value);
        return true;
    }
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(src->root, "fields"), k, v)
    {
        if (json_is_string(v)) /* numbers and the like are formatted by the lookup edge */
            add_lookup_field(ev, k, json_string_value(v));
    }
    return true;
}

static bool parse_from(event *ev, const char *from)
{
    for (int i = FROM_CUSTOMER; i <= FROM_SYSTEM; i++) {
        if (strcmp(from, from_names[i]) == 0) {
            ev->from = (event_from)i;
            return true;
        }
    }
    return false;
}

/* Checks the fields each type requires. */
static bool parse_body(event *ev, const source *src, char *err, size_t errlen)
{
    bool bad = false;
    const char *from = top_field(src, K_FROM, &bad);
    ev->text = top_field(src, K_TEXT, &bad);
    ev->line = top_field(src, K_LINE, &bad);
    ev->state = top_field(src, K_STATE, &bad);
    ev->key = top_field(src, K_KEY, &bad);
    ev->channel = top_field(src, K_CHANNEL, &bad);
    ev->kind = top_field(src, K_KIND, &bad);
    ev->agent = top_field(src, K_AGENT, &bad);
    ev->agent_name = top_field(src, K_AGENT_NAME, &bad);
    if (bad)
        return fail(err, errlen, "a field that must be a string is not", NULL);
    if (!parse_customer(ev, src))
        return fail(err, errlen, "\"customer\" must be an object of strings", NULL);
    switch (ev->type) {
    case EVENT_MESSAGE:
        if (!from || !parse_from(ev, from))
            return fail(err, errlen, "message needs \"from\": customer, agent or system", NULL);
        if (!ev->text)
            return fail(err, errlen, "message needs \"text\"", NULL);
        break;
    case EVENT_STATE:
        if (!ev->state || !*ev->state)
            return fail(err, errlen, "state event needs \"state\"", NULL);
        break;
    case EVENT_KEY:
        if (!ev->key || !*ev->key)
            return fail(err, errlen, "key event needs \"key\"", NULL);
        break;
    case EVENT_LOOKUP:
        if (!ev->kind || !parse_lookup_fields(ev, src))
            return fail(err, errlen, "lookup event needs \"kind\" and an object \"fields\"", NULL);
        break;
    default:
        break;
    }
    return true;
}

/* The common fields every record has, then the type's own. */
static bool parse_record(event *ev, const source *src, char *err, size_t errlen)
{
    bool bad = false;
    const char *ts = top_field(src, K_TS, &bad);
    const char *type = top_field(src, K_TYPE, &bad);
    ev->conv = top_field(src, K_CONV, &bad);
    if (!ts || !civil_parse_iso(ts, strlen(ts), &ev->ts_ms, &ev->tz_offset))
        return fail(
            err, errlen,
            "missing or malformed \"ts\" (want RFC 3339, e.g. 2026-11-23T10:02:11.250+08:00)",
            NULL);
    if (!ev->conv || !*ev->conv || strlen(ev->conv) > 128)
        return fail(err, errlen, "missing \"conv\" (a conversation id of 1-128 bytes)", NULL);
    if (!type)
        return fail(err, errlen, "missing \"type\"", NULL);
    if (!parse_type(ev, type))
        return fail(err, errlen, "unknown type", type);
    return parse_body(ev, src, err, errlen);
}

/* The slow path: jansson parses (and words any syntax error). */
static bool parse_with_jansson(event *ev, const char *line, size_t len, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "invalid JSON at column %d: %s", jerr.column, jerr.text);
        return false;
    }
    ev->json = root;
    if (!json_is_object(root))
        return fail(err, errlen, "a record must be a JSON object", NULL);
    source src = {.root = root};
    return parse_record(ev, &src, err, errlen);
}

bool event_parse_reference(event *ev, const char *line, size_t len, char *err, size_t errlen)
{
    memset(ev, 0, sizeof *ev);
    if (len > EVENT_MAX_LINE)
        return fail(err, errlen, "line longer than 64 KiB", NULL);
    bool ok = parse_with_jansson(ev, line, len, err, errlen);
    if (!ok)
        event_release(ev);
    return ok;
}

bool event_parse(event *ev, const char *line, size_t len, char *err, size_t errlen)
{
    memset(ev, 0, sizeof *ev);
    if (len > EVENT_MAX_LINE)
        return fail(err, errlen, "line longer than 64 KiB", NULL);
    /* one block: the raw line (written back unchanged to logs), then decoded strings */
    char *block = malloc(2 * len + 2);
    if (!block)
        return fail(err, errlen, "out of memory", NULL);
    memcpy(block, line, len);
    block[len] = '\0';
    ev->owned = block;
    ev->raw = block;
    ev->raw_len = len;
    scan_result scan;
    scan_status st = eventscan(line, len, block + len + 1, &scan);
    bool ok;
    if (st == SCAN_OK) {
        source src = {.scan = &scan};
        index_known(&src);
        ok = parse_record(ev, &src, err, errlen);
    } else {
        ok = parse_with_jansson(ev, line, len, err, errlen);
    }
    if (!ok)
        event_release(ev);
    return ok;
}

/* Appends "key":"value" (comma first unless *first); nothing when value is NULL. */
static void put_pair(buf *out, const char *key, const char *value, bool *first)
{
    if (!value)
        return;
    if (!*first)
        buf_putc(out, ',');
    *first = false;
    buf_json_string(out, key);
    buf_putc(out, ':');
    buf_json_string(out, value);
}

static void format_built(buf *out, const event *ev)
{
    char ts[32];
    civil_format_iso(ev->ts_ms, ev->tz_offset, ts);
    bool first = true;
    buf_putc(out, '{');
    put_pair(out, "ts", ts, &first);
    put_pair(out, "conv", ev->conv, &first);
    put_pair(out, "type", event_type_name(ev->type), &first);
    if (ev->type == EVENT_MESSAGE)
        put_pair(out, "from", event_from_name(ev->from), &first);
    put_pair(out, "text", ev->text, &first);
    put_pair(out, "line", ev->line, &first);
    put_pair(out, "state", ev->state, &first);
    put_pair(out, "key", ev->key, &first);
    put_pair(out, "channel", ev->channel, &first);
    put_pair(out, "kind", ev->kind, &first);
    put_pair(out, "agent", ev->agent, &first);
    put_pair(out, "agent_name", ev->agent_name, &first);
    if (ev->name || ev->surname || ev->title) {
        bool inner = true;
        buf_puts(out, ",\"customer\":{");
        put_pair(out, "name", ev->name, &inner);
        put_pair(out, "surname", ev->surname, &inner);
        put_pair(out, "title", ev->title, &inner);
        buf_putc(out, '}');
    }
    if (ev->field_count) {
        bool inner = true;
        buf_puts(out, ",\"fields\":{");
        for (size_t i = 0; i < ev->field_count; i++)
            put_pair(out, ev->fields[i].name, ev->fields[i].value, &inner);
        buf_putc(out, '}');
    }
    buf_puts(out, "}\n");
}

void event_format_agent(buf *out, const event *ev, const char *agent, const char *agent_name)
{
    size_t start = out->len;
    event_format(out, ev);
    if (ev->type != EVENT_OPEN || (ev->agent && *ev->agent) || !agent || !*agent)
        return;
    char *brace = memchr(out->data + start, '{', out->len - start);
    if (!brace)
        return;
    size_t at = (size_t)(brace - out->data) + 1;
    buf fields;
    buf_init(&fields);
    buf_puts(&fields, "\"agent\":");
    buf_json_string(&fields, agent);
    if (agent_name && *agent_name) {
        buf_puts(&fields, ",\"agent_name\":");
        buf_json_string(&fields, agent_name);
    }
    buf_putc(&fields, ',');
    size_t tail = out->len - at;
    buf_append(out, fields.data, fields.len); /* room, then move the record's rest behind it */
    if (!out->failed && !fields.failed) {
        memmove(out->data + at + fields.len, out->data + at, tail);
        memcpy(out->data + at, fields.data, fields.len);
    }
    buf_free(&fields);
}

void event_format(buf *out, const event *ev)
{
    if (ev->raw) {
        buf_append(out, ev->raw, ev->raw_len);
        buf_putc(out, '\n');
        return;
    }
    if (!ev->json) {
        format_built(out, ev);
        return;
    }
    char *s = json_dumps((json_t *)ev->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s) {
        buf_puts(out, s);
        buf_putc(out, '\n');
        free(s);
    }
}
