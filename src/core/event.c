#include "core/event.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"

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
    ev->json = NULL;
}

/* Returns the string member `key`, NULL when absent; *bad is set when present but not a string. */
static const char *member_string(json_t *obj, const char *key, bool *bad)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

static bool fail(char *err, size_t errlen, const char *msg, const char *detail)
{
    snprintf(err, errlen, "%s%s%s", msg, detail ? ": " : "", detail ? detail : "");
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

static bool parse_customer(event *ev, json_t *root, bool *bad)
{
    json_t *c = json_object_get(root, "customer");
    if (!c)
        return true;
    if (!json_is_object(c))
        return false;
    ev->name = member_string(c, "name", bad);
    ev->surname = member_string(c, "surname", bad);
    ev->title = member_string(c, "title", bad);
    return !*bad;
}

static bool parse_lookup_fields(event *ev, json_t *root)
{
    json_t *fields = json_object_get(root, "fields");
    if (!fields)
        return true;
    if (!json_is_object(fields))
        return false;
    const char *k;
    json_t *v;
    json_object_foreach(fields, k, v)
    {
        if (!json_is_string(v))
            continue; /* numbers and the like are formatted by the lookup edge, not here */
        if (ev->field_count == EVENT_MAX_FIELDS)
            break;
        ev->fields[ev->field_count].name = k;
        ev->fields[ev->field_count].value = json_string_value(v);
        ev->field_count++;
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
static bool parse_body(event *ev, json_t *root, char *err, size_t errlen)
{
    bool bad = false;
    const char *from = member_string(root, "from", &bad);
    ev->text = member_string(root, "text", &bad);
    ev->line = member_string(root, "line", &bad);
    ev->state = member_string(root, "state", &bad);
    ev->key = member_string(root, "key", &bad);
    ev->channel = member_string(root, "channel", &bad);
    ev->kind = member_string(root, "kind", &bad);
    if (bad)
        return fail(err, errlen, "a field that must be a string is not", NULL);
    if (!parse_customer(ev, root, &bad))
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
        if (!ev->kind || !parse_lookup_fields(ev, root))
            return fail(err, errlen, "lookup event needs \"kind\" and an object \"fields\"", NULL);
        break;
    default:
        break;
    }
    return true;
}

bool event_parse(event *ev, const char *line, size_t len, char *err, size_t errlen)
{
    memset(ev, 0, sizeof *ev);
    if (len > EVENT_MAX_LINE)
        return fail(err, errlen, "line longer than 64 KiB", NULL);
    json_error_t jerr;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "invalid JSON at column %d: %s", jerr.column, jerr.text);
        return false;
    }
    ev->json = root;
    if (!json_is_object(root)) {
        event_release(ev);
        return fail(err, errlen, "a record must be a JSON object", NULL);
    }
    bool bad = false;
    const char *ts = member_string(root, "ts", &bad);
    const char *type = member_string(root, "type", &bad);
    ev->conv = member_string(root, "conv", &bad);
    bool ok = false;
    if (!ts || !civil_parse_iso(ts, strlen(ts), &ev->ts_ms, &ev->tz_offset))
        fail(err, errlen, "missing or malformed \"ts\" (want RFC 3339, e.g. 2026-11-23T10:02:11.250+08:00)", NULL);
    else if (!ev->conv || !*ev->conv || strlen(ev->conv) > 128)
        fail(err, errlen, "missing \"conv\" (a conversation id of 1-128 bytes)", NULL);
    else if (!type)
        fail(err, errlen, "missing \"type\"", NULL);
    else if (!parse_type(ev, type))
        fail(err, errlen, "unknown type", type);
    else
        ok = parse_body(ev, root, err, errlen);
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

void event_format(buf *out, const event *ev)
{
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
