/* drillresult: a drill's result as JSON and as text, and the answers format of `huashu drill
 * run` (event records timed by "ts" or by "at", seconds after the drill began). */
#include "core/drill.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"

static const char *const status_names[] = {
    "pending", "met", "late", "missed", "early", "not_reached", "skipped", "unopened", "unscored",
};

const char *drill_status_name(drill_status s)
{
    return (size_t)s < sizeof status_names / sizeof status_names[0] ? status_names[s] : "?";
}

bool drill_status_missed(drill_status s)
{
    return s == DRILL_MISSED || s == DRILL_EARLY || s == DRILL_NOT_REACHED;
}

/* Appends ms as seconds with one decimal ("12.3"), independent of the C locale. */
static void put_seconds(buf *b, int64_t ms)
{
    if (ms < 0) {
        buf_putc(b, '-');
        ms = -ms;
    }
    int64_t tenths = (ms + 50) / 100;
    buf_put_int(b, tenths / 10);
    buf_putc(b, '.');
    buf_put_int(b, tenths % 10);
}

static void put_key(buf *b, const char *key, bool *first)
{
    if (!*first)
        buf_putc(b, ',');
    *first = false;
    buf_json_string(b, key);
    buf_putc(b, ':');
}

static void put_string(buf *b, const char *key, const char *value, bool *first)
{
    put_key(b, key, first);
    if (value)
        buf_json_string(b, value);
    else
        buf_puts(b, "null");
}

static void put_int(buf *b, const char *key, long long v, bool *first)
{
    put_key(b, key, first);
    buf_put_int(b, v);
}

static void put_ts(buf *b, const char *key, int64_t ms, int tz, bool *first)
{
    char ts[32];
    civil_format_iso(ms, tz, ts);
    put_string(b, key, ts, first);
}

/* Seconds from an outcome's window opening to when it was met (or broken); -1 when never. */
static int64_t took_ms(const drill_outcome *o)
{
    if (!o->met_at || o->status == DRILL_SKIPPED || o->status == DRILL_NOT_REACHED)
        return -1;
    return o->met_at - o->opened_at;
}

/* One expectation's outcome as a JSON object. */
static void json_outcome(buf *b, const drill_result *res, size_t i)
{
    const drill_step *st;
    const drill_expect *x = drill_expect_at(res->drill, i, &st);
    const drill_outcome *o = &res->outcomes[i];
    bool first = true;
    buf_putc(b, '{');
    put_string(b, "name", x->name, &first);
    put_string(b, "step", st->id, &first);
    put_string(b, "kind", drill_kind_name(x->kind), &first);
    if (x->label)
        put_string(b, "label", x->label, &first);
    put_string(b, "status", drill_status_name(o->status), &first);
    put_int(b, "points", x->points, &first);
    put_int(b, "awarded", o->awarded, &first);
    if (drill_status_missed(o->status) && o->expected)
        put_string(b, "expected", o->expected, &first);
    put_key(b, "required", &first);
    buf_puts(b, x->required ? "true" : "false");
    if (x->kind != EXPECT_NEVER && x->kind != EXPECT_NEVER_LINE) {
        put_key(b, "within_s", &first);
        put_seconds(b, x->within.ms);
        if (x->after.ms) {
            put_key(b, "after_s", &first);
            put_seconds(b, x->after.ms);
        }
    }
    put_key(b, "took_s", &first);
    if (took_ms(o) >= 0)
        put_seconds(b, took_ms(o));
    else
        buf_puts(b, "null");
    put_string(b, "said", o->said, &first);
    buf_putc(b, '}');
}

/* ,"penalties":[...]: each forbidden phrase found, with its better wording and reply. */
static void json_hits(buf *b, const drill_result *res)
{
    buf_puts(b, ",\"penalties\":[");
    for (size_t i = 0; i < res->hit_count; i++) {
        const drill_hit *h = &res->hits[i];
        bool first = true;
        buf_puts(b, i ? ",{" : "{");
        put_string(b, "kind", h->kind, &first);
        put_string(b, "phrase", h->phrase, &first);
        put_string(b, "better", h->better, &first);
        put_key(b, "at_s", &first);
        put_seconds(b, h->at - res->started);
        put_string(b, "text", h->text, &first);
        put_int(b, "points", h->points, &first);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

/* ,"transcript":[...]: who said what when, seconds from the start. */
static void json_transcript(buf *b, const drill_result *res)
{
    buf_puts(b, ",\"transcript\":[");
    for (size_t i = 0; i < res->said_count; i++) {
        const drill_said *s = &res->transcript[i];
        bool first = true;
        buf_puts(b, i ? ",{" : "{");
        put_key(b, "at_s", &first);
        put_seconds(b, s->at - res->started);
        put_string(b, "from", event_from_name(s->from), &first);
        put_string(b, "text", s->text, &first);
        if (s->line)
            put_string(b, "line", s->line, &first);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

void drill_result_json(const drill_result *res, buf *b)
{
    const drill *dr = res->drill;
    bool first = true;
    if (res->failed) /* an incomplete result is reported like a truncated buffer */
        b->failed = true;
    buf_putc(b, '{');
    put_string(b, "drill", dr->id, &first);
    put_string(b, "title", dr->title, &first);
    put_string(b, "playbook", dr->playbook, &first);
    put_string(b, "file", dr->file, &first);
    put_string(b, "trainee", res->trainee, &first);
    put_string(b, "conv", res->conv, &first);
    put_ts(b, "started", res->started, res->tz, &first);
    put_ts(b, "ended", res->ended ? res->ended : res->started, res->tz, &first);
    put_key(b, "duration_s", &first);
    put_seconds(b, res->ended > res->started ? res->ended - res->started : 0);
    put_string(b, "end", res->end_reason, &first);
    put_int(b, "score", res->score, &first);
    put_int(b, "max", res->max, &first);
    put_int(b, "percent", res->percent, &first);
    put_int(b, "pass", dr->scoring.pass, &first);
    put_key(b, "passed", &first);
    buf_puts(b, res->passed ? "true" : "false");
    buf_puts(b, ",\"expectations\":[");
    for (size_t i = 0; i < dr->expect_total; i++) {
        buf_puts(b, i ? "," : "");
        json_outcome(b, res, i);
    }
    buf_puts(b, "],\"missed\":[");
    bool any = false;
    for (size_t i = 0; i < dr->expect_total; i++) {
        if (!drill_status_missed(res->outcomes[i].status))
            continue;
        buf_puts(b, any ? "," : "");
        buf_json_string(b, drill_expect_at(dr, i, NULL)->name);
        any = true;
    }
    buf_putc(b, ']');
    json_hits(b, res);
    json_transcript(b, res);
    buf_puts(b, "}\n");
}

/* ---- text ---------------------------------------------------------------------------- */

/* Appends s cut to at most max bytes on a character boundary, "..." when cut. */
static void put_cut(buf *b, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) {
        buf_puts(b, s);
        return;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    buf_append(b, s, max);
    buf_puts(b, "...");
}

/* Appends s padded with spaces to width bytes (ASCII columns). */
static void put_padded(buf *b, const char *s, size_t width)
{
    buf_puts(b, s);
    for (size_t n = strlen(s); n < width; n++)
        buf_putc(b, ' ');
}

/* One expectation's line in the text report: status, name, time taken, points, said. */
static void text_outcome(buf *b, const drill_result *res, size_t i)
{
    const drill_expect *x = drill_expect_at(res->drill, i, NULL);
    const drill_outcome *o = &res->outcomes[i];
    char tag[24];
    snprintf(tag, sizeof tag, "[%s]", drill_status_name(o->status));
    buf_puts(b, "  ");
    put_padded(b, tag, 14);
    put_padded(b, x->name, 24);
    buf_putc(b, ' ');
    if (took_ms(o) >= 0) {
        put_seconds(b, took_ms(o));
        buf_putc(b, 's');
    } else {
        buf_putc(b, '-');
    }
    if (x->kind != EXPECT_NEVER && x->kind != EXPECT_NEVER_LINE) {
        buf_puts(b, " of ");
        put_seconds(b, x->within.ms);
        buf_putc(b, 's');
    }
    buf_printf(b, "  %d/%d", o->awarded, x->points);
    if (x->label) {
        buf_puts(b, "  ");
        buf_puts(b, x->label);
    }
    if (o->said) {
        buf_puts(b, "  \"");
        put_cut(b, o->said, 120);
        buf_putc(b, '"');
    }
    buf_putc(b, '\n');
    size_t before = b->len;
    buf_puts(b, "                ");
    size_t mark = b->len;
    drill_outcome_advice(res, i, b);
    if (b->len == mark && b->data) {
        b->len = before;
        b->data[before] = '\0';
    } else
        buf_putc(b, '\n');
}

void drill_outcome_advice(const drill_result *res, size_t i, buf *out)
{
    const drill_expect *x = drill_expect_at(res->drill, i, NULL);
    const drill_outcome *o = &res->outcomes[i];
    if (o->status == DRILL_LATE) {
        buf_puts(out, "");
        put_seconds(out, o->met_at - o->deadline);
        buf_printf(out, "s late -> -%d", x->points - o->awarded);
    } else if (drill_status_missed(o->status) && o->expected) {
        buf_printf(out, "expected: %s", o->expected);
    }
}

void drill_result_why(const drill_result *res, buf *out)
{
    const drill *dr = res->drill;
    if (res->passed)
        return;
    if (!res->replies) {
        buf_puts(out, "nothing was said");
        return;
    }
    for (size_t i = 0; i < dr->expect_total; i++) {
        const drill_expect *x = drill_expect_at(dr, i, NULL);
        if (x->required && drill_status_missed(res->outcomes[i].status)) {
            buf_printf(out, "the required %s was missed", x->label ? x->label : x->name);
            return;
        }
    }
    if (res->end_reason && !strcmp(res->end_reason, "step limit"))
        buf_puts(out, "the drill hit the step limit");
    else if (res->percent < dr->scoring.pass)
        buf_printf(out, "%d%% is below the pass mark %d%%", res->percent, dr->scoring.pass);
    else if (!res->finished)
        buf_puts(out, "the drill did not finish");
}

/* The text report's penalties section (nothing when there are none). */
static void text_hits(buf *b, const drill_result *res)
{
    if (!res->hit_count)
        return;
    buf_puts(b, "\nPenalties\n");
    for (size_t i = 0; i < res->hit_count; i++) {
        const drill_hit *h = &res->hits[i];
        buf_printf(b, "  -%d  at ", h->points);
        put_seconds(b, h->at - res->started);
        buf_printf(b, "s  %s \"%s\"", h->kind, h->phrase);
        if (h->better) {
            buf_puts(b, " -> ");
            put_cut(b, h->better, 120);
        }
        buf_puts(b, "  in \"");
        put_cut(b, h->text, 120);
        buf_puts(b, "\"\n");
    }
}

/* The text report's transcript. */
static void text_transcript(buf *b, const drill_result *res)
{
    buf_puts(b, "\nTranscript\n");
    for (size_t i = 0; i < res->said_count; i++) {
        const drill_said *s = &res->transcript[i];
        buf_puts(b, "  ");
        put_seconds(b, s->at - res->started);
        buf_puts(b, "s  ");
        put_padded(b, event_from_name(s->from), 9);
        buf_puts(b, s->text);
        if (s->line)
            buf_printf(b, "  [%s]", s->line);
        buf_putc(b, '\n');
    }
}

void drill_result_text(const drill_result *res, buf *b)
{
    const drill *dr = res->drill;
    char ts[32];
    if (res->failed) /* an incomplete result is reported like a truncated buffer */
        b->failed = true;
    civil_format_iso(res->started, res->tz, ts);
    buf_printf(b, "Drill %s: %s (playbook %s)\n", dr->id, dr->title, dr->playbook);
    buf_printf(b, "Trainee: %s  Started: %s  Took: ", res->trainee ? res->trainee : "-", ts);
    put_seconds(b, res->ended > res->started ? res->ended - res->started : 0);
    buf_printf(b, "s  Ended: %s\n", res->end_reason ? res->end_reason : "running");
    buf_printf(b, "Score: %d/%d (%d%%), pass mark %d%%: %s", res->score, res->max, res->percent,
               dr->scoring.pass, res->passed ? "PASSED" : "FAILED");
    if (!res->passed) {
        buf_puts(b, " because ");
        drill_result_why(res, b);
    }
    buf_putc(b, '\n');
    buf_puts(b, "\nExpectations\n");
    for (size_t i = 0; i < dr->expect_total; i++)
        text_outcome(b, res, i);
    buf_puts(b, "\nMissed:");
    bool any = false;
    for (size_t i = 0; i < dr->expect_total; i++) {
        if (drill_status_missed(res->outcomes[i].status)) {
            buf_printf(b, "%s %s", any ? "," : "", drill_expect_at(dr, i, NULL)->name);
            any = true;
        }
    }
    buf_puts(b, any ? "\n" : " none\n");
    text_hits(b, res);
    text_transcript(b, res);
}

/* ---- answers ------------------------------------------------------------------------- */

/* The "at" field as milliseconds: a number of seconds or a duration string. */
static bool answer_offset(json_t *at, int64_t *ms)
{
    bool negative = false;
    if (json_is_number(at)) {
        double v = json_number_value(at);
        if (v < 0 || v > 1e9)
            return false;
        *ms = (int64_t)(v * 1000.0 + 0.5);
        return true;
    }
    return json_is_string(at) && duration_parse(json_string_value(at), ms, &negative) && !negative;
}

/* The keys an answers record may have: the event format's, and at / after_customer. */
static bool answer_key_known(const char *k)
{
    static const char *const known[] = {
        "ts",    "at",      "after_customer", "conv", "type",  "from",       "text",     "line",
        "state", "key",     "channel",        "kind", "agent", "agent_name", "customer", "fields",
        "name",  "surname", "title",          NULL};
    for (size_t i = 0; known[i]; i++)
        if (!strcmp(known[i], k))
            return true;
    return false;
}

/* Fills in what an answers record may leave out: ts (from at, or the start when it counts
 * from the customer's last turn), conv, type and from. */
static bool complete_answer(json_t *root, const char *conv, int64_t start, int tz,
                            int64_t *after_customer, char *err, size_t errlen)
{
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        if (!answer_key_known(k)) {
            snprintf(err, errlen,
                     "unknown key \"%.40s\" (an answer has the event keys, and at or "
                     "after_customer)",
                     k);
            return false;
        }
    }
    json_t *at = json_object_get(root, "at");
    json_t *after = json_object_get(root, "after_customer");
    int64_t ms = 0;
    *after_customer = -1;
    int given = !!json_object_get(root, "ts") + !!at + !!after;
    if (given != 1) {
        snprintf(err, errlen, "%s",
                 given ? "an answer has one of \"ts\", \"at\" and \"after_customer\""
                       : "an answer needs \"at\" (seconds after the start), \"after_customer\" "
                         "(seconds after the customer's last message) or \"ts\"");
        return false;
    }
    json_t *rel = at ? at : after;
    if (rel && !answer_offset(rel, &ms)) {
        char *shown = json_dumps(rel, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(err, errlen,
                 "\"%s\": %.40s is not a number of seconds (0 or more) nor a duration "
                 "(\"90\", \"1m30s\")",
                 at ? "at" : "after_customer", shown ? shown : "?");
        free(shown);
        return false;
    }
    if (rel) {
        char ts[32];
        civil_format_iso(start + (at ? ms : 0), tz, ts);
        json_object_set_new(root, "ts", json_string(ts));
        if (after)
            *after_customer = ms;
    }
    json_object_del(root, "at");
    json_object_del(root, "after_customer");
    json_object_set_new(root, "conv", json_string(conv));
    if (!json_object_get(root, "type") && json_object_get(root, "text"))
        json_object_set_new(root, "type", json_string("message"));
    json_t *type = json_object_get(root, "type");
    if (json_is_string(type) && !strcmp(json_string_value(type), "message") &&
        !json_object_get(root, "from"))
        json_object_set_new(root, "from", json_string("agent"));
    return true;
}

bool drill_answer_parse_at(const char *line, size_t len, const char *conv, int64_t start, int tz,
                           event *ev, int64_t *after_customer, char *err, size_t errlen)
{
    memset(ev, 0, sizeof *ev);
    *after_customer = -1;
    json_error_t jerr;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "invalid JSON at column %d: %s", jerr.column, jerr.text);
        return false;
    }
    bool ok = false;
    if (!json_is_object(root))
        snprintf(err, errlen, "an answer must be a JSON object");
    else if (complete_answer(root, conv, start, tz, after_customer, err, errlen)) {
        char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
        ok = text && event_parse(ev, text, strlen(text), err, errlen);
        if (!text)
            snprintf(err, errlen, "out of memory");
        free(text);
    }
    json_decref(root);
    return ok;
}

bool drill_answer_parse(const char *line, size_t len, const char *conv, int64_t start, int tz,
                        event *ev, char *err, size_t errlen)
{
    int64_t after;
    if (!drill_answer_parse_at(line, len, conv, start, tz, ev, &after, err, errlen))
        return false;
    if (after >= 0) {
        event_release(ev);
        memset(ev, 0, sizeof *ev);
        snprintf(err, errlen, "\"after_customer\" needs a run to count from");
        return false;
    }
    return true;
}
