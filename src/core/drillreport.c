/* drillreport: many trainees' saved drill results summed up (`huashu drill report`), and drill
 * skeletons made from a real conversation (`huashu drill from-log`). */
#include "core/drill.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOP_PHRASES 10

typedef struct int_list {
    int64_t *v;
    size_t n, cap;
} int_list;

typedef struct count_entry {
    char *key;
    size_t count;
} count_entry;

typedef struct count_list {
    count_entry *v;
    size_t n;
} count_list;

typedef struct expect_stats {
    char *name;
    size_t reached, met;
    int_list took; /* ms, of the met ones */
} expect_stats;

typedef struct drill_stats {
    char *id, *title;
    size_t runs, passed;
    int_list percent;
    expect_stats *expects;
    size_t expect_count;
    count_list phrases;
    count_list trainees;
} drill_stats;

struct drill_report {
    drill_stats *drills;
    size_t drill_count;
    count_list phrases;
    count_list trainees;
    size_t results;
};

/* ---- small containers ---------------------------------------------------------------- */

static bool int_push(int_list *l, int64_t v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        int64_t *grown = realloc(l->v, cap * sizeof *grown);
        if (!grown)
            return false;
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n++] = v;
    return true;
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The median (sorting the list in place); -1 for an empty list. */
static int64_t median(int_list *l)
{
    if (!l->n)
        return -1;
    qsort(l->v, l->n, sizeof *l->v, compare_int64);
    return l->n % 2 ? l->v[l->n / 2] : (l->v[l->n / 2 - 1] + l->v[l->n / 2]) / 2;
}

/* Counts one more key; false when out of memory. */
static bool count_add(count_list *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++) {
        if (!strcmp(c->v[i].key, key)) {
            c->v[i].count++;
            return true;
        }
    }
    count_entry *grown = realloc(c->v, (c->n + 1) * sizeof *grown);
    char *copy = grown ? strdup(key) : NULL;
    if (grown)
        c->v = grown;
    if (!copy)
        return false;
    c->v[c->n++] = (count_entry){copy, 1};
    return true;
}

static int compare_counts(const void *a, const void *b)
{
    const count_entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->key, y->key);
}

static void count_free(count_list *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].key);
    free(c->v);
}

/* ---- adding results ------------------------------------------------------------------ */

static drill_stats *stats_for(drill_report *rep, const char *id, const char *title)
{
    for (size_t i = 0; i < rep->drill_count; i++)
        if (!strcmp(rep->drills[i].id, id))
            return &rep->drills[i];
    drill_stats *grown = realloc(rep->drills, (rep->drill_count + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    rep->drills = grown;
    drill_stats *d = &grown[rep->drill_count++];
    memset(d, 0, sizeof *d);
    d->id = strdup(id);
    d->title = strdup(title ? title : "");
    if (!d->id || !d->title) {
        free(d->id);
        free(d->title);
        rep->drill_count--;
        return NULL;
    }
    return d;
}

/* The statistics of one expectation of a drill, in first-seen order. */
static expect_stats *expect_for(drill_stats *d, const char *name)
{
    for (size_t i = 0; i < d->expect_count; i++)
        if (!strcmp(d->expects[i].name, name))
            return &d->expects[i];
    expect_stats *grown = realloc(d->expects, (d->expect_count + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    d->expects = grown;
    expect_stats *e = &grown[d->expect_count++];
    memset(e, 0, sizeof *e);
    if (!(e->name = strdup(name))) {
        d->expect_count--;
        return NULL;
    }
    return e;
}

/* A JSON string member, or NULL. */
static const char *member(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* Counts a result's expectations: reached unless skipped, met when met or late; false when out
 * of memory. */
static bool add_expectations(drill_stats *d, json_t *list)
{
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        const char *name = member(x, "name"), *status = member(x, "status");
        if (!name || !status)
            continue;
        expect_stats *e = expect_for(d, name);
        if (!e)
            return false;
        if (!strcmp(status, "skipped") || !strcmp(status, "unscored"))
            continue;
        e->reached++;
        if (!strcmp(status, "met") || !strcmp(status, "late")) {
            e->met++;
            json_t *took = json_object_get(x, "took_s");
            if (json_is_number(took) &&
                !int_push(&e->took, (int64_t)(json_number_value(took) * 1000.0 + 0.5)))
                return false;
        }
    }
    return true;
}

/* Counts a result's forbidden phrases for its drill and for the whole report; false when out
 * of memory. */
static bool add_phrases(drill_report *rep, drill_stats *d, json_t *list)
{
    size_t i;
    json_t *h;
    json_array_foreach(list, i, h)
    {
        const char *phrase = member(h, "phrase");
        if (phrase && !(count_add(&d->phrases, phrase) && count_add(&rep->phrases, phrase)))
            return false;
    }
    return true;
}

bool drill_report_add(drill_report *rep, const char *text, size_t len, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!root) {
        snprintf(err, errlen, "invalid JSON at line %d: %s", jerr.line, jerr.text);
        return false;
    }
    const char *id = member(root, "drill");
    json_t *expects = json_object_get(root, "expectations");
    json_t *percent = json_object_get(root, "percent");
    if (!id || !json_is_array(expects) || !json_is_integer(percent)) {
        snprintf(err, errlen, "not a drill result (no drill, expectations and percent)");
        json_decref(root);
        return false;
    }
    drill_stats *d = stats_for(rep, id, member(root, "title"));
    bool ok = d != NULL;
    if (d) {
        d->runs++;
        d->passed += json_is_true(json_object_get(root, "passed"));
        const char *trainee = member(root, "trainee");
        ok = int_push(&d->percent, json_integer_value(percent)) && add_expectations(d, expects) &&
             add_phrases(rep, d, json_object_get(root, "penalties")) &&
             count_add(&d->trainees, trainee ? trainee : "-") &&
             count_add(&rep->trainees, trainee ? trainee : "-");
        rep->results++;
    }
    json_decref(root);
    if (!ok) /* what was counted of this result stays: the report is incomplete */
        snprintf(err, errlen, "out of memory");
    return ok;
}

drill_report *drill_report_new(void)
{
    return calloc(1, sizeof(drill_report));
}

size_t drill_report_count(const drill_report *rep)
{
    return rep->results;
}

void drill_report_free(drill_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->drill_count; i++) {
        drill_stats *d = &rep->drills[i];
        for (size_t k = 0; k < d->expect_count; k++) {
            free(d->expects[k].name);
            free(d->expects[k].took.v);
        }
        free(d->expects);
        free(d->percent.v);
        count_free(&d->phrases);
        count_free(&d->trainees);
        free(d->id);
        free(d->title);
    }
    free(rep->drills);
    count_free(&rep->phrases);
    count_free(&rep->trainees);
    free(rep);
}

/* ---- output -------------------------------------------------------------------------- */

/* Appends ms as seconds with one decimal, locale-independent. */
static void put_seconds(buf *b, int64_t ms)
{
    int64_t tenths = (ms + 50) / 100;
    buf_put_int(b, tenths / 10);
    buf_putc(b, '.');
    buf_put_int(b, tenths % 10);
}

static int pct(size_t part, size_t whole)
{
    return whole ? (int)(part * 100 / whole) : 0;
}

/* Sorts phrases most frequent first (qsort must not see the NULL of an empty list). */
static void sort_counts(count_list *c)
{
    if (c->n)
        qsort(c->v, c->n, sizeof *c->v, compare_counts);
}

static void text_phrases(buf *b, count_list *c, const char *indent)
{
    sort_counts(c);
    for (size_t i = 0; i < c->n && i < TOP_PHRASES; i++)
        buf_printf(b, "%s%s\"%s\" x%zu", i ? ", " : indent, "", c->v[i].key, c->v[i].count);
    if (c->n)
        buf_putc(b, '\n');
}

/* One drill's section of the text report. */
static void text_drill(buf *b, drill_stats *d)
{
    buf_printf(b, "\n%s  %s\n", d->id, d->title);
    buf_printf(b, "  runs %zu, passed %zu (%d%%), median score %lld%%, trainees %zu\n", d->runs,
               d->passed, pct(d->passed, d->runs), (long long)median(&d->percent), d->trainees.n);
    buf_printf(b, "  %-28s %-9s %s\n", "expectation", "met", "median time");
    for (size_t k = 0; k < d->expect_count; k++) {
        expect_stats *e = &d->expects[k];
        char met[32];
        snprintf(met, sizeof met, "%zu/%zu", e->met, e->reached);
        buf_printf(b, "  %-28s %-9s ", e->name, met);
        int64_t m = median(&e->took);
        if (m >= 0) {
            put_seconds(b, m);
            buf_puts(b, "s\n");
        } else {
            buf_puts(b, "-\n");
        }
    }
    if (d->phrases.n) {
        buf_puts(b, "  forbidden phrases: ");
        text_phrases(b, &d->phrases, "");
    }
}

void drill_report_text(const drill_report *rep, buf *b)
{
    drill_report *r = (drill_report *)rep; /* medians sort in place */
    buf_printf(b, "huashu drill report: %zu results, %zu drills, %zu trainees\n", r->results,
               r->drill_count, r->trainees.n);
    for (size_t i = 0; i < r->drill_count; i++)
        text_drill(b, &r->drills[i]);
    buf_puts(b, "\nMost frequent forbidden phrases\n");
    if (r->phrases.n)
        text_phrases(b, &r->phrases, "  ");
    else
        buf_puts(b, "  none\n");
}

static void json_phrases(buf *b, count_list *c)
{
    sort_counts(c);
    buf_putc(b, '[');
    for (size_t i = 0; i < c->n && i < TOP_PHRASES; i++) {
        buf_puts(b, i ? ",{\"phrase\":" : "{\"phrase\":");
        buf_json_string(b, c->v[i].key);
        buf_printf(b, ",\"count\":%zu}", c->v[i].count);
    }
    buf_putc(b, ']');
}

/* One drill as a JSON object of the report. */
static void json_drill(buf *b, drill_stats *d)
{
    buf_puts(b, "{\"drill\":");
    buf_json_string(b, d->id);
    buf_puts(b, ",\"title\":");
    buf_json_string(b, d->title);
    buf_printf(b,
               ",\"runs\":%zu,\"passed\":%zu,\"pass_rate\":%d,\"median_percent\":%lld,"
               "\"trainees\":%zu,\"expectations\":[",
               d->runs, d->passed, pct(d->passed, d->runs), (long long)median(&d->percent),
               d->trainees.n);
    for (size_t k = 0; k < d->expect_count; k++) {
        expect_stats *e = &d->expects[k];
        buf_puts(b, k ? ",{\"name\":" : "{\"name\":");
        buf_json_string(b, e->name);
        buf_printf(b, ",\"reached\":%zu,\"met\":%zu,\"pass_rate\":%d,\"median_s\":", e->reached,
                   e->met, pct(e->met, e->reached));
        int64_t m = median(&e->took);
        if (m >= 0)
            put_seconds(b, m);
        else
            buf_puts(b, "null");
        buf_putc(b, '}');
    }
    buf_puts(b, "],\"forbidden\":");
    json_phrases(b, &d->phrases);
    buf_putc(b, '}');
}

void drill_report_json(const drill_report *rep, buf *b)
{
    drill_report *r = (drill_report *)rep;
    buf_printf(b, "{\"results\":%zu,\"trainees\":%zu,\"drills\":[", r->results, r->trainees.n);
    for (size_t i = 0; i < r->drill_count; i++) {
        buf_puts(b, i ? "," : "");
        json_drill(b, &r->drills[i]);
    }
    buf_puts(b, "],\"forbidden\":");
    json_phrases(b, &r->phrases);
    buf_puts(b, "}\n");
}

/* ---- skeletons ----------------------------------------------------------------------- */

/* The length of the UTF-8 sequence at p when YAML may not carry it raw in a quoted scalar (C1
 * controls, which it rejects or, for NEL, folds; U+2028 and U+2029, which it folds; U+FFFE and
 * U+FFFF, which it rejects), else 0. */
static size_t yaml_unsafe(const unsigned char *p)
{
    if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
        return 2;
    if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
        return 3;
    if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
        return 3;
    return 0;
}

/* Appends s as a double-quoted YAML scalar that loads back as the same text. */
static void yaml_quote(buf *b, const char *s)
{
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        size_t n = yaml_unsafe(p);
        if (n == 2) {
            buf_printf(b, "\\u%04x", 0x80u | (p[1] & 0x3Fu));
            p++;
        } else if (n == 3) {
            buf_printf(b, "\\u%04x", (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu));
            p += 2;
        } else if (*p == '"' || *p == '\\')
            buf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            buf_puts(b, "\\n");
        else if (*p < 0x20 || *p == 0x7f)
            buf_printf(b, "\\x%02x", *p);
        else
            buf_putc(b, (char)*p);
    }
    buf_putc(b, '"');
}

/* Appends an id (line, state, playbook) plain when YAML reads it back as the same string, else
 * quoted: ids come from the log and may hold anything. */
static void yaml_word(buf *b, const char *s)
{
    static const char *const special[] = {"null", "true", "false", "yes", "no",
                                          "on",   "off",  "y",     "n",   NULL};
    bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_';
    for (const char *p = s; plain && *p; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                *p == '_' || *p == '.' || *p == '-';
    for (size_t i = 0; plain && special[i]; i++)
        plain = strcasecmp(s, special[i]) != 0;
    if (plain)
        buf_puts(b, s);
    else
        yaml_quote(b, s);
}

/* The most seconds a drill file's duration may say (duration_parse reads up to 1e9 units). */
#define SKELETON_MAX_S 1000000000LL

/* Seconds, rounded up to a multiple of 5 with some room, for a skeleton's within: (at most
 * SKELETON_MAX_S, so that a gap of years between two records still loads). */
static long long within_for(int64_t ms)
{
    long long s = (long long)((ms + 999) / 1000) + 5;
    s = (s + 4) / 5 * 5;
    return s < 10 ? 10 : s > SKELETON_MAX_S ? SKELETON_MAX_S : s;
}

/* The first few characters of text (at most 8 of them) as a phrase to expect. */
static void first_words(const char *text, char *out, size_t cap)
{
    size_t chars = 0, i = 0;
    while (text[i] && chars < 8 && i + 4 < cap) {
        size_t n = 1;
        while (((unsigned char)text[i + n] & 0xC0) == 0x80)
            n++;
        memcpy(out + i, text + i, n);
        i += n;
        chars++;
    }
    out[i] = '\0';
}

typedef struct skeleton {
    buf *out;
    int steps;
    int64_t turn_at;    /* the current step's turn */
    int64_t last_agent; /* the agent's latest message, 0 before any */
    bool step_open;
    bool expect_open;
} skeleton;

/* The skeleton's comment, id, title, playbook, channel and persona (from the open record). */
static void skeleton_header(buf *out, const event *open, const char *conv, const char *playbook_id,
                            const char *source)
{
    buf_puts(out, "# A drill skeleton made by huashu drill from-log from ");
    yaml_quote(out, source);
    buf_puts(out, ", conversation ");
    yaml_quote(out, conv);
    buf_puts(out, ".\n# Edit the customer's words, the expectations' times and points, then run\n"
                  "# huashu check on it (huashu-drill(5)).\ndrill: ");
    char id[64] = "from-";
    size_t n = strlen(id);
    for (const char *p = conv; *p && n + 1 < sizeof id; p++) {
        char c = (*p >= 'A' && *p <= 'Z') ? (char)(*p | 0x20) : *p;
        id[n++] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') ? c : '-';
    }
    id[n] = '\0';
    buf_printf(out, "%s\ntitle: ", id);
    yaml_quote(out, conv);
    buf_puts(out, "\nplaybook: ");
    yaml_word(out, playbook_id);
    buf_putc(out, '\n');
    bool phone = open && open->channel && !strcmp(open->channel, "phone");
    buf_printf(out, "channel: %s\n", phone ? "phone" : "chat");
    if (open && (open->name || open->surname || open->title)) {
        buf_puts(out, "persona:\n");
        const char *fields[] = {"name", open->name, "surname", open->surname, "title", open->title};
        for (size_t i = 0; i < 6; i += 2)
            if (fields[i + 1]) {
                buf_printf(out, "  %s: ", fields[i]);
                yaml_quote(out, fields[i + 1]);
                buf_putc(out, '\n');
            }
    }
    buf_puts(out, "steps:\n");
}

/* Starts a step for a customer message (or a customer hang-up when text is NULL). */
static void skeleton_step(skeleton *k, const event *ev, const char *text)
{
    buf *out = k->out;
    buf_printf(out, "  - id: s%d\n", ++k->steps);
    int64_t base = k->last_agent > k->turn_at ? k->last_agent : k->turn_at;
    int64_t gap = k->steps > 1 ? ev->ts_ms - base : 0;
    if (gap > 3000)
        buf_printf(out, "    when: %llds\n",
                   gap / 1000 > SKELETON_MAX_S ? SKELETON_MAX_S : (long long)(gap / 1000));
    if (text) {
        buf_puts(out, "    customer: ");
        yaml_quote(out, text);
        buf_putc(out, '\n');
    } else {
        buf_puts(out, "    hangup: true\n");
    }
    k->turn_at = ev->ts_ms;
    k->step_open = text != NULL;
    k->expect_open = false;
}

/* Adds an expectation line to the open step (a first step without customer words when the
 * agent spoke first), its value written by put. */
static void skeleton_expect(skeleton *k, const char *what, const char *value,
                            void (*put)(buf *, const char *), int64_t at)
{
    if (!k->step_open && k->steps == 0) {
        buf_printf(k->out, "  - id: s%d\n", ++k->steps);
        k->step_open = true;
    }
    if (!k->step_open)
        return;
    if (!k->expect_open)
        buf_puts(k->out, "    expect:\n");
    k->expect_open = true;
    buf_printf(k->out, "      - {%s: ", what);
    put(k->out, value);
    buf_printf(k->out, ", within: %llds}\n", within_for(at - k->turn_at));
}

/* One event of the conversation: a new step, or an expectation of the current one. */
static void skeleton_event(skeleton *k, const event *ev)
{
    char phrase[64];
    switch (ev->type) {
    case EVENT_MESSAGE:
        if (ev->from == FROM_CUSTOMER && ev->text)
            skeleton_step(k, ev, ev->text);
        else if (ev->from == FROM_AGENT && ev->text) {
            if (ev->line && *ev->line) {
                skeleton_expect(k, "line", ev->line, yaml_word, ev->ts_ms);
            } else {
                first_words(ev->text, phrase, sizeof phrase);
                if (*phrase) /* an empty message is nothing to expect */
                    skeleton_expect(k, "say", phrase, yaml_quote, ev->ts_ms);
            }
            k->last_agent = ev->ts_ms;
        }
        break;
    case EVENT_STATE:
        skeleton_expect(k, "state", ev->state, yaml_word, ev->ts_ms);
        break;
    case EVENT_KEY:
        for (size_t i = 0; playbook_shared_states[i]; i++)
            if (!strcmp(playbook_shared_states[i], ev->key))
                skeleton_expect(k, "state", ev->key, yaml_word, ev->ts_ms);
        break;
    case EVENT_CLOSE:
        skeleton_expect(k, "hangup", "true", buf_puts, ev->ts_ms);
        k->step_open = false;
        break;
    default:
        break;
    }
}

bool drill_skeleton(const event *events, size_t n, const char *conv, const char *playbook_id,
                    const char *source, buf *out, char *err, size_t errlen)
{
    const event *open = NULL;
    size_t customer = 0;
    int64_t first_ts = -1;
    for (size_t i = 0; i < n; i++) {
        if (!events[i].conv || strcmp(events[i].conv, conv) != 0)
            continue;
        if (first_ts < 0)
            first_ts = events[i].ts_ms;
        if (events[i].type == EVENT_OPEN && !open)
            open = &events[i];
        customer += events[i].type == EVENT_MESSAGE && events[i].from == FROM_CUSTOMER;
    }
    if (!customer) {
        snprintf(err, errlen, "conversation \"%s\" has no customer message in the log", conv);
        return false;
    }
    skeleton_header(out, open, conv, playbook_id, source);
    skeleton k = {.out = out, .turn_at = open ? open->ts_ms : first_ts};
    for (size_t i = 0; i < n; i++)
        if (events[i].conv && !strcmp(events[i].conv, conv) && events[i].type != EVENT_OPEN)
            skeleton_event(&k, &events[i]);
    return true;
}
