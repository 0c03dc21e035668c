#include "core/audit.h"

#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/engine.h"
#include "core/eventscan.h"
#include "core/text.h"

/* ==== reading records =====================================================================
 * eventscan (the fast path of event_parse) does the JSON; this fills an event from its pairs
 * with event_parse's rules but without the copy and allocation event_parse makes for every
 * record (it keeps the raw line for writing back, which audit never does). Whatever eventscan
 * leaves to jansson, and every record this would refuse, goes to event_parse, which decides
 * and words the error: the two never disagree on what a valid record is. */

enum {
    KEY_TS,
    KEY_CONV,
    KEY_TYPE,
    KEY_FROM,
    KEY_TEXT,
    KEY_LINE,
    KEY_STATE,
    KEY_KEY,
    KEY_CHANNEL,
    KEY_KIND,
    KEY_AGENT,
    KEY_AGENT_NAME,
    KEY_COUNT
};

static const char *const known_keys[KEY_COUNT] = {"ts",      "conv", "type",  "from",
                                                  "text",    "line", "state", "key",
                                                  "channel", "kind", "agent", "agent_name"};

/* Index of a known top-level key (len bytes), -1 for others. */
static int key_index(const char *key, size_t len)
{
    static const unsigned char lengths[KEY_COUNT] = {2, 4, 4, 4, 4, 4, 5, 3, 7, 4, 5, 10};
    for (int k = 0; k < KEY_COUNT; k++)
        if (len == lengths[k] && key[0] == known_keys[k][0] && !memcmp(key, known_keys[k], len))
            return k;
    return -1;
}

/* Copies the customer's name, surname and title; false when one is not a string. */
static bool fill_customer(const scan_result *r, event *ev)
{
    for (size_t i = 0; i < r->nested_count; i++) {
        const scan_nested *n = &r->nested[i];
        const char **slot = !strcmp(n->key, "name")      ? &ev->name
                            : !strcmp(n->key, "surname") ? &ev->surname
                            : !strcmp(n->key, "title")   ? &ev->title
                                                         : NULL;
        if (slot && !n->value)
            return false;
        if (slot)
            *slot = n->value;
    }
    return true;
}

/* The event type and sender, and the fields each type requires. */
static bool fill_type(event *ev, const char *type, const char *from)
{
    static const char *const types[] = {"open", "message", "state", "key", "close"};
    int t = -1;
    for (int i = 0; i < 5 && t < 0; i++)
        if (type[0] == types[i][0] && !strcmp(type, types[i]))
            t = i;
    if (t < 0)
        return false; /* lookup records and unknown types */
    ev->type = (event_type)t;
    switch (ev->type) {
    case EVENT_MESSAGE:
        if (!from || !ev->text)
            return false;
        if (!strcmp(from, "customer"))
            ev->from = FROM_CUSTOMER;
        else if (!strcmp(from, "agent"))
            ev->from = FROM_AGENT;
        else if (!strcmp(from, "system"))
            ev->from = FROM_SYSTEM;
        else
            return false;
        return true;
    case EVENT_STATE:
        return ev->state && *ev->state;
    case EVENT_KEY:
        return ev->key && *ev->key;
    default:
        return true;
    }
}

/* Parses line with eventscan into ev (strings in scratch, len + 1 bytes). False when
 * event_parse must decide. */
static bool scan_event(const char *line, size_t len, event *ev, char *scratch, scan_result *r)
{
    memset(ev, 0, sizeof *ev);
    if (eventscan(line, len, scratch, r) != SCAN_OK || (r->has_object & (1u << SCAN_FIELDS)))
        return false;
    const char *v[KEY_COUNT] = {NULL};
    unsigned seen = 0;
    for (size_t i = 0; i < r->top_count; i++) {
        int k = key_index(r->top[i].key, r->top[i].key_len);
        if (k < 0)
            continue;
        if (!r->top[i].value || (seen & (1u << k)))
            return false;
        seen |= 1u << k;
        v[k] = r->top[i].value;
    }
    ev->conv = v[KEY_CONV];
    ev->text = v[KEY_TEXT];
    ev->line = v[KEY_LINE];
    ev->state = v[KEY_STATE];
    ev->key = v[KEY_KEY];
    ev->channel = v[KEY_CHANNEL];
    ev->kind = v[KEY_KIND];
    ev->agent = v[KEY_AGENT];
    ev->agent_name = v[KEY_AGENT_NAME];
    if (!v[KEY_TS] || !civil_parse_iso(v[KEY_TS], strlen(v[KEY_TS]), &ev->ts_ms, &ev->tz_offset))
        return false;
    if (!ev->conv || !*ev->conv || strlen(ev->conv) > 128 || !v[KEY_TYPE])
        return false;
    return fill_customer(r, ev) && fill_type(ev, v[KEY_TYPE], v[KEY_FROM]);
}

/* ==== histograms ==========================================================================
 * Exact to the millisecond below 65.536 s (where response times live), then log-linear with
 * 1024 buckets per doubling (the bucket middle within 0.05 %). Fixed size: totals never grow
 * with the input. */

#define HIST_EXACT     65536
#define HIST_SUB       1024 /* buckets per doubling past the exact range */
#define HIST_DOUBLINGS 32
#define HIST_BUCKETS   (HIST_EXACT + HIST_DOUBLINGS * HIST_SUB)

typedef struct histogram {
    uint64_t count;
    int64_t max;
    uint64_t buckets[HIST_BUCKETS];
} histogram;

static int highest_bit(uint64_t v)
{
    int b = 0;
    while (v >>= 1)
        b++;
    return b;
}

/* The bucket of a duration in ms (negative ones count as 0). */
static size_t hist_index(int64_t v)
{
    if (v < HIST_EXACT)
        return (size_t)(v < 0 ? 0 : v);
    int doubling = highest_bit((uint64_t)v) - 16; /* 0 for [65536, 131072) */
    if (doubling >= HIST_DOUBLINGS)
        return HIST_BUCKETS - 1;
    int shift = doubling + 16 - 10; /* v >> shift is in [1024, 2048) */
    return HIST_EXACT + (size_t)doubling * HIST_SUB + (size_t)(((uint64_t)v >> shift) - HIST_SUB);
}

/* The value bucket i stands for: itself in the exact range, else the bucket's middle. */
static int64_t hist_value(size_t i)
{
    if (i < HIST_EXACT)
        return (int64_t)i;
    size_t doubling = (i - HIST_EXACT) / HIST_SUB;
    size_t shift = doubling + 6;
    int64_t low = (int64_t)(((i - HIST_EXACT) % HIST_SUB + HIST_SUB) << shift);
    return low + ((int64_t)1 << shift) / 2;
}

static void hist_add(histogram *h, int64_t v)
{
    h->buckets[hist_index(v)]++;
    if (h->count == 0 || v > h->max)
        h->max = v;
    h->count++;
}

/* The value at a rank (1-based), never above the exact maximum. */
static int64_t hist_rank(const histogram *h, uint64_t rank)
{
    uint64_t seen = 0;
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            int64_t v = hist_value(i);
            return v > h->max ? h->max : v;
        }
    }
    return h->max;
}

/* The value at nearest rank ceil(count * num / den). */
static int64_t hist_quantile(const histogram *h, uint64_t num, uint64_t den)
{
    uint64_t rank = (h->count * num + den - 1) / den;
    return hist_rank(h, rank < 1 ? 1 : rank);
}

/* The usual median: the middle value, or the mean of the two middle ones (one pass). */
static int64_t hist_median(const histogram *h)
{
    uint64_t high = h->count / 2 + 1, low = h->count % 2 ? high : h->count / 2;
    uint64_t seen = 0;
    int64_t low_value = AUDIT_NONE; /* values are never negative */
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        if (!h->buckets[i])
            continue;
        seen += h->buckets[i];
        int64_t v = hist_value(i);
        if (v > h->max)
            v = h->max;
        if (low_value == AUDIT_NONE && seen >= low)
            low_value = v;
        if (seen >= high)
            return (low_value + v) / 2;
    }
    return h->max;
}

/* Median, p90 and maximum of what the histogram holds. */
static audit_stats hist_stats(const histogram *h)
{
    audit_stats s = {h->count, AUDIT_NONE, AUDIT_NONE, AUDIT_NONE};
    if (h->count) {
        s.median = hist_median(h);
        s.p90 = hist_quantile(h, 9, 10);
        s.max = h->max;
    }
    return s;
}

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Exact nearest-rank statistics of v[0..n) (sorted in place). */
static audit_stats exact_stats(int64_t *v, size_t n)
{
    audit_stats s = {n, AUDIT_NONE, AUDIT_NONE, AUDIT_NONE};
    if (n == 0)
        return s;
    qsort(v, n, sizeof *v, cmp_int64);
    size_t r90 = (n * 9 + 9) / 10;
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    s.p90 = v[(r90 > n ? n : r90) - 1];
    s.max = v[n - 1];
    return s;
}

/* ==== marker words ======================================================================== */

enum {
    TAG_GREETING = 1u << 0,
    TAG_APOLOGY = 1u << 1,
    TAG_ASK = 1u << 2, /* 还有什么可以帮您 */
    TAG_GOODBYE = 1u << 3,
    TAG_PROMISE_SIMPLE = 1u << 4,
    TAG_PROMISE_COMPLEX = 1u << 5,
    TAG_RETURN = 1u << 6, /* back from a hold: thanks for waiting */
};

typedef struct marker {
    const char *word;
    uint32_t tag;
} marker;

/* Words audit looks for in the agent's messages, in the three bundled languages. */
static const marker markers[] = {
    {"您好", TAG_GREETING},
    {"你好", TAG_GREETING},
    {"欢迎", TAG_GREETING},
    {"歡迎", TAG_GREETING},
    {"hello", TAG_GREETING},
    {"welcome", TAG_GREETING},
    {"good morning", TAG_GREETING},
    {"good afternoon", TAG_GREETING},
    {"good evening", TAG_GREETING},
    {"抱歉", TAG_APOLOGY},
    {"对不起", TAG_APOLOGY},
    {"對不起", TAG_APOLOGY},
    {"不好意思", TAG_APOLOGY},
    {"请原谅", TAG_APOLOGY},
    {"請原諒", TAG_APOLOGY},
    {"sorry", TAG_APOLOGY},
    {"apologise", TAG_APOLOGY},
    {"apologize", TAG_APOLOGY},
    {"apologies", TAG_APOLOGY},
    {"还有什么可以帮", TAG_ASK},
    {"还有什么需要", TAG_ASK},
    {"还有其他可以帮", TAG_ASK},
    {"还有其他问题", TAG_ASK},
    {"还有什么问题", TAG_ASK},
    {"還有什麼可以幫", TAG_ASK},
    {"還有什麼需要", TAG_ASK},
    {"還有其他", TAG_ASK},
    {"anything else", TAG_ASK},
    {"再见", TAG_GOODBYE},
    {"再見", TAG_GOODBYE},
    {"拜拜", TAG_GOODBYE},
    {"goodbye", TAG_GOODBYE},
    {"bye", TAG_GOODBYE},
    {"2小时", TAG_PROMISE_SIMPLE},
    {"2个小时", TAG_PROMISE_SIMPLE},
    {"两小时", TAG_PROMISE_SIMPLE},
    {"两个小时", TAG_PROMISE_SIMPLE},
    {"2小時", TAG_PROMISE_SIMPLE},
    {"2個小時", TAG_PROMISE_SIMPLE},
    {"兩小時", TAG_PROMISE_SIMPLE},
    {"兩個小時", TAG_PROMISE_SIMPLE},
    {"2 hours", TAG_PROMISE_SIMPLE},
    {"two hours", TAG_PROMISE_SIMPLE},
    {"24小时", TAG_PROMISE_COMPLEX},
    {"24个小时", TAG_PROMISE_COMPLEX},
    {"24小時", TAG_PROMISE_COMPLEX},
    {"24個小時", TAG_PROMISE_COMPLEX},
    {"24 hours", TAG_PROMISE_COMPLEX},
    {"久等", TAG_RETURN},
    {"谢谢您的等候", TAG_RETURN},
    {"感谢您的等候", TAG_RETURN},
    {"谢谢您的耐心等待", TAG_RETURN},
    {"感谢您的耐心等待", TAG_RETURN},
    {"謝謝您的等候", TAG_RETURN},
    {"感謝您的等候", TAG_RETURN},
    {"感謝您的耐心等待", TAG_RETURN},
    {"thank you for holding", TAG_RETURN},
    {"thanks for holding", TAG_RETURN},
    {"thank you for waiting", TAG_RETURN},
    {"thanks for waiting", TAG_RETURN},
    {"kept you waiting", TAG_RETURN},
};

#define MARKER_COUNT (sizeof markers / sizeof markers[0])

/* ==== the audit =========================================================================== */

typedef struct conv_state conv_state;

/* Conversations run through engines shared by up to GENERATION_SIZE of them: building an
 * engine is costly (it compiles the cue words), and an engine never forgets a conversation,
 * so a new one is started every GENERATION_SIZE conversations and an old one is freed once
 * the last of its conversations has ended. */
#define GENERATION_SIZE 4096

typedef struct generation generation;

struct generation {
    engine *engine;
    size_t open; /* conversations of this engine not yet ended */
    generation *next;
};

struct conv_state {
    audit_conv r;
    audit *a;
    generation *gen;
    conv_state *hash_next;
    conv_state *prev, *next; /* open conversations, least recently active first */
    uint64_t hash;
    int64_t last_at;          /* time of its latest event */
    const conversation *conv; /* the engine's, once it has told of it */
    bool waiting, answered_once;
    int64_t waiting_since;
    int64_t *nexts; /* next response times, for exact per-conversation statistics */
    size_t next_count, next_cap;
    bool in_hold, hold_late;
    int64_t hold_start, hold_last;
    bool asked;   /* the closing question was asked */
    bool counted; /* within since/until/agent: enters the totals */
    size_t offence_cap;
};

/* The id of a conversation ended by quiet: its later records, until `until`, are not a new
 * conversation. */
typedef struct idle_end idle_end;
struct idle_end {
    uint64_t hash;
    int64_t until;
    idle_end *bucket_next, *fifo_next;
    char id[];
};

#define IDLE_BUCKETS 1024

struct audit {
    const playbook *pb;
    const lint *lint;
    audit_options opt;
    audit_reporter report;
    void *report_ctx;
    lint_words *markers;
    int hold_state;
    int64_t promise_simple_ms, promise_complex_ms;
    conv_state **table;
    size_t table_cap, open_count;
    conv_state *first, *last;
    generation *generations; /* the newest (where new conversations go) first */
    conv_state *feeding;     /* the conversation whose event the engine is applying */
    int64_t now;
    char *scratch; /* decoded strings of the record being read */
    size_t scratch_cap;
    scan_result scan;
    histogram first_hist, next_hist, handle_hist;
    int ni_rule;     /* the lint rule forbidding 你, -1 when the playbook has none */
    int return_line; /* the line said when leaving the hold (hold.return), PB_NONE if none */
    idle_end *idle_buckets[IDLE_BUCKETS];
    idle_end *idle_first, *idle_last; /* in the order they ended */
    audit_totals t;
    bool finished;
    bool oom; /* an allocation failed while applying the current event */
};

/* Builds the marker words (the built-in ones plus the playbook's time and holiday greetings). */
static lint_words *build_markers(const playbook *pb)
{
    size_t n = MARKER_COUNT + pb->time_count + pb->holiday_count;
    const char **words = malloc(n * sizeof *words);
    uint32_t *tags = malloc(n * sizeof *tags);
    lint_words *w = NULL;
    if (words && tags) {
        size_t k = 0;
        for (size_t i = 0; i < MARKER_COUNT; i++, k++) {
            words[k] = markers[i].word;
            tags[k] = markers[i].tag;
        }
        for (size_t i = 0; i < pb->time_count; i++, k++) {
            words[k] = pb->times[i].text;
            tags[k] = TAG_GREETING;
        }
        for (size_t i = 0; i < pb->holiday_count; i++, k++) {
            words[k] = pb->holidays[i].text;
            tags[k] = TAG_GREETING;
        }
        w = lint_words_new(words, tags, k, LINT_WORDS_FOLD | LINT_WORDS_BOUNDARIES);
    }
    free(words);
    free(tags);
    return w;
}

audit *audit_new(const playbook *pb, const lint *l, const audit_options *o)
{
    audit *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->pb = pb;
    a->lint = l;
    if (o)
        a->opt = *o;
    if (!a->opt.answer_within_ms)
        a->opt.answer_within_ms = playbook_setting(pb, "response_limit", 30000);
    if (!a->opt.checkin_ms)
        a->opt.checkin_ms = playbook_setting(pb, "hold_checkin", 25000);
    if (!a->opt.keep_offences)
        a->opt.keep_offences = 20;
    if (!a->opt.idle_ms)
        a->opt.idle_ms = 24 * 3600000LL;
    a->promise_simple_ms = playbook_setting(pb, "complaint_simple", 2 * 3600000LL);
    a->promise_complex_ms = playbook_setting(pb, "complaint_complex", 24 * 3600000LL);
    a->hold_state = playbook_state_index(pb, "hold");
    a->ni_rule = -1;
    a->return_line = playbook_line_index(pb, "hold.return");
    for (size_t i = 0; i < lint_rule_count(l); i++)
        if (lint_rule_kind(l, i) == LINT_FORBIDDEN && !strcmp(lint_rule_phrase(l, i), "你"))
            a->ni_rule = (int)i;
    a->now = INT64_MIN;
    a->t.answer_within_ms = a->opt.answer_within_ms;
    a->t.target_percent = a->opt.target_percent;
    a->t.longest_hold_ms = AUDIT_NONE;
    a->t.first_opened = a->t.last_opened = AUDIT_NONE;
    a->table_cap = 64;
    a->table = calloc(a->table_cap, sizeof *a->table);
    a->t.per_rule = calloc(lint_rule_count(l) + 1, sizeof *a->t.per_rule);
    a->markers = build_markers(pb);
    if (!a->table || !a->t.per_rule || !a->markers) {
        audit_free(a);
        return NULL;
    }
    return a;
}

/* Frees the kept offending lines of a conversation. */
static void free_offences(audit_conv *r)
{
    for (size_t i = 0; i < r->offence_count; i++) {
        free(r->offences[i].match);
        free(r->offences[i].text);
    }
    free(r->offences);
    r->offences = NULL;
    r->offence_count = 0;
}

static void conv_free(conv_state *cs)
{
    for (size_t i = 0; i < cs->r.excerpt_count; i++)
        free(cs->r.excerpt[i].text);
    free(cs->r.excerpt);
    free(cs->nexts);
    free_offences(&cs->r);
    free(cs);
}

void audit_free(audit *a)
{
    if (!a)
        return;
    for (conv_state *cs = a->first, *next; cs; cs = next) {
        next = cs->next;
        conv_free(cs);
    }
    for (generation *g = a->generations, *next; g; g = next) {
        next = g->next;
        engine_free(g->engine);
        free(g);
    }
    for (idle_end *e = a->idle_first, *next; e; e = next) {
        next = e->fifo_next;
        free(e);
    }
    free(a->table);
    free(a->t.per_rule);
    lint_words_free(a->markers);
    free(a->scratch);
    free(a);
}

void audit_set_reporter(audit *a, audit_reporter fn, void *ctx)
{
    a->report = fn;
    a->report_ctx = ctx;
}

const audit_totals *audit_get_totals(const audit *a)
{
    return &a->t;
}

double audit_percent(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : -1.0;
}

void audit_count_bad(audit *a)
{
    a->t.lines++;
    a->t.bad_lines++;
}

/* ---- the table of open conversations ----------------------------------------------------- */

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The open conversation with this id (and hash), NULL when none. */
static conv_state *table_find(const audit *a, const char *id, uint64_t h)
{
    for (conv_state *cs = a->table[h & (a->table_cap - 1)]; cs; cs = cs->hash_next)
        if (cs->hash == h && !strcmp(cs->r.id, id))
            return cs;
    return NULL;
}

/* Doubles the table when it gets full; false when out of memory (the old one stays). */
static bool table_grow(audit *a)
{
    size_t cap = a->table_cap * 2;
    conv_state **t = calloc(cap, sizeof *t);
    if (!t)
        return false;
    for (size_t i = 0; i < a->table_cap; i++)
        for (conv_state *cs = a->table[i], *next; cs; cs = next) {
            next = cs->hash_next;
            cs->hash_next = t[cs->hash & (cap - 1)];
            t[cs->hash & (cap - 1)] = cs;
        }
    free(a->table);
    a->table = t;
    a->table_cap = cap;
    return true;
}

/* Takes cs out of the table and the activity list. */
static void table_remove(audit *a, conv_state *cs)
{
    conv_state **p = &a->table[cs->hash & (a->table_cap - 1)];
    while (*p != cs)
        p = &(*p)->hash_next;
    *p = cs->hash_next;
    if (cs->prev)
        cs->prev->next = cs->next;
    else
        a->first = cs->next;
    if (cs->next)
        cs->next->prev = cs->prev;
    else
        a->last = cs->prev;
    a->open_count--;
}

/* ---- holds and complaints, from the engine ----------------------------------------------- */

static void hold_begin(conv_state *cs, int64_t at)
{
    cs->in_hold = true;
    cs->hold_late = false;
    cs->hold_start = cs->hold_last = at;
    cs->r.holds++;
}

/* A check-in (an agent message during the hold) or the hold's end at `at`. */
static void hold_mark(conv_state *cs, int64_t at)
{
    if (at - cs->hold_last > cs->a->opt.checkin_ms) {
        cs->r.late_checkins++;
        cs->hold_late = true;
    }
    cs->hold_last = at;
}

/* Closes the hold at `at`: its length, and whether every check-in came in time. */
static void hold_end(conv_state *cs, int64_t at)
{
    hold_mark(cs, at);
    int64_t d = at - cs->hold_start;
    if (d > cs->r.longest_hold_ms)
        cs->r.longest_hold_ms = d;
    if (!cs->hold_late)
        cs->r.holds_ok++;
    cs->in_hold = false;
}

static conv_state *table_find(const audit *a, const char *id, uint64_t h);
static uint64_t hash_id(const char *s);

/* Engine observer: follows holds, complaints, promises and the customer's surname. */
static void on_change(void *ctx, const conversation *c, int64_t at, unsigned changes)
{
    audit *a = ctx;
    conv_state *cs = a->feeding;
    if (cs && !cs->conv && !strcmp(cs->r.id, c->id))
        cs->conv = c; /* first news of the conversation being fed */
    if (!cs || cs->conv != c) {
        cs = table_find(a, c->id, hash_id(c->id)); /* a timer of another one */
        if (!cs || cs->conv != c)
            return; /* ended already (idle): the engine does not know */
    }
    if (changes & CHANGE_STATE) {
        bool hold = c->state == cs->a->hold_state;
        if (hold && !cs->in_hold)
            hold_begin(cs, at);
        else if (!hold && cs->in_hold)
            hold_end(cs, at);
    }
    if (c->complaint_open)
        cs->r.complaint = true;
    if ((changes & CHANGE_DEADLINE) && c->complaint_deadline &&
        c->complaint_deadline != cs->r.promised_by) {
        cs->r.promised_by = c->complaint_deadline;
        cs->r.promise = PROMISE_PENDING;
    }
    if (c->surname[0])
        cs->r.surname_known = true;
}

/* Marks the promise missed when `at` is past it. */
static void check_promise(conv_state *cs, int64_t at)
{
    if (cs->r.promised_by != AUDIT_NONE && cs->r.promise == PROMISE_PENDING &&
        at > cs->r.promised_by)
        cs->r.promise = PROMISE_MISSED;
}

/* ---- conversations ----------------------------------------------------------------------- */

/* Frees a generation nobody uses any more (never the newest). */
static void generation_release(audit *a, generation *g)
{
    if (g->open || g == a->generations)
        return;
    generation **p = &a->generations;
    while (*p != g)
        p = &(*p)->next;
    *p = g->next;
    engine_free(g->engine);
    free(g);
}

/* The generation a new conversation id joins: the newest, unless it is full or already
 * knows the id (an engine would take the new conversation for the old one). */
static generation *generation_for(audit *a, const char *id)
{
    generation *g = a->generations;
    if (g && engine_count(g->engine) < GENERATION_SIZE && !engine_find(g->engine, id))
        return g;
    g = calloc(1, sizeof *g);
    if (!g || !(g->engine = engine_new(a->pb))) {
        free(g);
        return NULL;
    }
    engine_set_observer(g->engine, on_change, a);
    generation *previous = a->generations;
    g->next = previous;
    a->generations = g;
    if (previous)
        generation_release(a, previous); /* it may have ended while it was the newest */
    return g;
}

/* Copies at most cap - 1 bytes of s, never cutting a UTF-8 character. */
static void copy_cut(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap) {
        n = cap - 1;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* True when the conversation is within since/until and is the chosen agent's. */
static bool conv_selected(const audit *a, const audit_conv *r)
{
    if (a->opt.has_since && r->opened_at < a->opt.since_ms)
        return false;
    if (a->opt.has_until && r->opened_at >= a->opt.until_ms)
        return false;
    return !a->opt.agent || !strcmp(a->opt.agent, r->agent) || !strcmp(a->opt.agent, r->agent_name);
}

/* Takes the agent from the first record that names one. */
static void take_agent(audit *a, conv_state *cs, const event *ev)
{
    if (!ev->agent || !*ev->agent || cs->r.agent[0])
        return;
    copy_cut(cs->r.agent, sizeof cs->r.agent, ev->agent);
    if (ev->agent_name)
        copy_cut(cs->r.agent_name, sizeof cs->r.agent_name, ev->agent_name);
    cs->counted = conv_selected(a, &cs->r);
}

static conv_state *conv_new(audit *a, const event *ev, uint64_t h, const char *file,
                            unsigned long number)
{
    if (a->open_count + 1 > a->table_cap && !table_grow(a))
        return NULL;
    conv_state *cs = calloc(1, sizeof *cs);
    if (!cs)
        return NULL;
    if (!(cs->gen = generation_for(a, ev->conv))) {
        free(cs);
        return NULL;
    }
    cs->gen->open++;
    cs->a = a;
    cs->hash = h;
    snprintf(cs->r.id, sizeof cs->r.id, "%s", ev->conv);
    cs->r.file = file;
    cs->r.first_line = number;
    cs->r.opened_at = ev->ts_ms;
    cs->r.tz_offset = ev->tz_offset;
    cs->r.handle_ms = AUDIT_NONE;
    cs->r.first_response_ms = AUDIT_NONE;
    cs->r.longest_hold_ms = AUDIT_NONE;
    cs->r.promised_by = AUDIT_NONE;
    cs->r.longest_wait_ms = AUDIT_NONE;
    cs->counted = conv_selected(a, &cs->r);
    cs->hash_next = a->table[h & (a->table_cap - 1)];
    a->table[h & (a->table_cap - 1)] = cs;
    cs->prev = a->last;
    if (a->last)
        a->last->next = cs;
    else
        a->first = cs;
    a->last = cs;
    a->open_count++;
    return cs;
}

/* Moves cs to the end of the activity list (it just had an event). */
static void touch(audit *a, conv_state *cs, int64_t at)
{
    cs->last_at = at;
    if (a->last == cs)
        return;
    if (cs->prev)
        cs->prev->next = cs->next;
    else
        a->first = cs->next;
    cs->next->prev = cs->prev;
    cs->prev = a->last;
    cs->next = NULL;
    a->last->next = cs;
    a->last = cs;
}

/* Adds one conversation's figures to the totals. */
static void add_totals(audit *a, const audit_conv *r)
{
    audit_totals *t = &a->t;
    t->conversations++;
    if (t->first_opened == AUDIT_NONE || r->opened_at < t->first_opened) {
        t->first_opened = r->opened_at;
        t->period_tz_offset = r->tz_offset;
    }
    if (t->last_opened == AUDIT_NONE || r->opened_at > t->last_opened)
        t->last_opened = r->opened_at;
    t->polite_checked += r->polite_checked;
    t->polite += r->polite_checked && r->polite;
    if (r->closed) {
        t->closed++;
        hist_add(&a->handle_hist, r->handle_ms);
        t->handle_total_ms += r->handle_ms;
    } else
        t->open_at_end++;
    t->answered_within += r->answered_within;
    t->sl_counted += r->sl_counted;
    t->waited_ms += r->waited_ms;
    t->unanswered += r->unanswered;
    t->holds += r->holds;
    t->checkins += r->checkins;
    t->late_checkins += r->late_checkins;
    t->holds_ok += r->holds_ok;
    if (r->longest_hold_ms > t->longest_hold_ms)
        t->longest_hold_ms = r->longest_hold_ms;
    t->convs_with_forbidden += r->forbidden > 0;
    t->greeted_convs += r->agent_messages > 0;
    t->greeting_present += r->greeting_present;
    t->greeting_correct += r->greeting_correct;
    t->goodbyes += r->goodbye;
    t->closing_followed += r->goodbye && r->closing_asked;
    t->surname_known += r->surname_known;
    t->surname_used += r->surname_known && r->surname_used;
    t->complaints += r->complaint;
    t->apologies += r->complaint && r->apology;
    t->promised += r->promised_by != AUDIT_NONE;
    t->promises_met += r->promise == PROMISE_MET;
    t->promises_missed += r->promise == PROMISE_MISSED;
    t->promises_pending += r->promise == PROMISE_PENDING;
}

/* Ends a conversation at `at` (closed, or still open at the end), its promise judged at
 * promise_at (later than `at` for a conversation ended by quiet), reports and frees it. */
static void conv_end(audit *a, conv_state *cs, int64_t at, int64_t promise_at, bool closed)
{
    audit_conv *r = &cs->r;
    r->closed = closed;
    r->ended_at = at;
    if (cs->waiting) {
        int64_t d = at > cs->waiting_since ? at - cs->waiting_since : 0;
        r->unanswered++;
        r->waited_ms += d;
        if (d > r->longest_wait_ms)
            r->longest_wait_ms = d;
        if (d > a->opt.answer_within_ms)
            r->sl_counted++; /* a wait already past the target is a miss */
    }
    if (cs->in_hold)
        hold_end(cs, at);
    check_promise(cs, promise_at);
    if (closed) {
        r->handle_ms = at > r->opened_at ? at - r->opened_at : 0;
        if (r->promise == PROMISE_PENDING)
            r->promise = PROMISE_MET;
    }
    r->next_response = exact_stats(cs->nexts, cs->next_count);
    if (cs->counted) {
        add_totals(a, r);
        if (a->report)
            a->report(a->report_ctx, r);
    } else
        a->t.filtered++;
    table_remove(a, cs);
    generation *g = cs->gen;
    g->open--;
    conv_free(cs);
    generation_release(a, g);
}

/* Remembers the id of a conversation ended by quiet at now, for another idle period. */
static void idle_remember(audit *a, const conv_state *cs, int64_t now)
{
    size_t len = strlen(cs->r.id);
    idle_end *e = malloc(sizeof *e + len + 1);
    if (!e)
        return; /* its later records would count as a new conversation: no worse than before */
    e->hash = cs->hash;
    e->until = now + a->opt.idle_ms;
    memcpy(e->id, cs->r.id, len + 1);
    e->bucket_next = a->idle_buckets[cs->hash % IDLE_BUCKETS];
    a->idle_buckets[cs->hash % IDLE_BUCKETS] = e;
    e->fifo_next = NULL;
    if (a->idle_last)
        a->idle_last->fifo_next = e;
    else
        a->idle_first = e;
    a->idle_last = e;
}

/* Forgets the remembered ids whose time is up at now. */
static void idle_forget(audit *a, int64_t now)
{
    while (a->idle_first && a->idle_first->until < now) {
        idle_end *e = a->idle_first;
        idle_end **p = &a->idle_buckets[e->hash % IDLE_BUCKETS];
        while (*p != e)
            p = &(*p)->bucket_next;
        *p = e->bucket_next;
        a->idle_first = e->fifo_next;
        if (!a->idle_first)
            a->idle_last = NULL;
        free(e);
    }
}

/* True when id belongs to a conversation recently ended by quiet. */
static bool idle_ended(const audit *a, const char *id, uint64_t h)
{
    for (const idle_end *e = a->idle_buckets[h % IDLE_BUCKETS]; e; e = e->bucket_next)
        if (e->hash == h && !strcmp(e->id, id))
            return true;
    return false;
}

/* Ends, as never closed, the conversations idle for longer than the idle limit at now: each
 * ends at its last record, its promise is judged at now, and its id is remembered so that a
 * late record (a close a day later) does not start a conversation of its own. */
static void expire_idle(audit *a, int64_t now)
{
    idle_forget(a, now);
    while (a->first && now - a->first->last_at > a->opt.idle_ms) {
        idle_remember(a, a->first, now);
        conv_end(a, a->first, a->first->last_at, now, false);
    }
}

/* ---- messages ---------------------------------------------------------------------------- */

static void customer_message(conv_state *cs, const event *ev)
{
    if (!cs->waiting) {
        cs->waiting = true;
        cs->waiting_since = ev->ts_ms;
    }
}

/* Records the answer to a waiting customer. */
static void answer(audit *a, conv_state *cs, int64_t at)
{
    if (!cs->waiting)
        return;
    int64_t d = at > cs->waiting_since ? at - cs->waiting_since : 0;
    cs->waiting = false;
    cs->r.waited_ms += d;
    if (d > cs->r.longest_wait_ms)
        cs->r.longest_wait_ms = d;
    cs->r.sl_counted++;
    cs->r.answered_within += d <= a->opt.answer_within_ms;
    if (!cs->answered_once) {
        cs->answered_once = true;
        cs->r.first_response_ms = d;
        if (cs->counted)
            hist_add(&a->first_hist, d);
        return;
    }
    if (cs->counted)
        hist_add(&a->next_hist, d);
    if (cs->next_count == cs->next_cap) {
        size_t cap = cs->next_cap ? cs->next_cap * 2 : 8;
        int64_t *grown = realloc(cs->nexts, cap * sizeof *grown);
        if (!grown) {
            a->oom = true;
            return;
        }
        cs->nexts = grown;
        cs->next_cap = cap;
    }
    cs->nexts[cs->next_count++] = d;
}

/* Keeps a copy of an offending message (up to keep_offences per conversation). */
static void keep_offence(audit *a, conv_state *cs, const lint_hit *h, const char *text,
                         const char *file, unsigned long number)
{
    audit_conv *r = &cs->r;
    if (r->offence_count >= a->opt.keep_offences)
        return;
    if (r->offence_count == cs->offence_cap) {
        size_t cap = cs->offence_cap ? cs->offence_cap * 2 : 4;
        audit_offence *grown = realloc(r->offences, cap * sizeof *grown);
        if (!grown) {
            a->oom = true;
            return;
        }
        r->offences = grown;
        cs->offence_cap = cap;
    }
    audit_offence *o = &r->offences[r->offence_count];
    o->rule = h->rule;
    o->kind = h->kind;
    o->file = file;
    o->line = number;
    o->column = h->column;
    o->match = strndup(text + h->offset, h->length);
    o->text = strdup(text);
    if (o->match && o->text)
        r->offence_count++;
    else {
        free(o->match);
        free(o->text);
        a->oom = true;
    }
}

/* Keeps a copy of a message for the excerpt (the first keep_excerpt of them). */
static void keep_excerpt(audit *a, conv_state *cs, const event *ev, unsigned long number)
{
    audit_conv *r = &cs->r;
    if (r->excerpt_count >= a->opt.keep_excerpt)
        return;
    if (!r->excerpt && !(r->excerpt = calloc(a->opt.keep_excerpt, sizeof *r->excerpt))) {
        a->oom = true;
        return;
    }
    audit_message *m = &r->excerpt[r->excerpt_count];
    size_t cap = strlen(ev->text) + 1;
    if (cap > AUDIT_EXCERPT_BYTES + 1)
        cap = AUDIT_EXCERPT_BYTES + 1;
    if (!(m->text = malloc(cap))) {
        a->oom = true;
        return;
    }
    copy_cut(m->text, cap, ev->text);
    m->at = ev->ts_ms;
    m->agent = ev->from == FROM_AGENT;
    m->line = number;
    r->excerpt_count++;
}

#define HITS_PER_MESSAGE 32

/* Lints an agent message; returns the number of hits. */
static size_t lint_message(audit *a, conv_state *cs, const char *text, size_t len, const char *file,
                           unsigned long number)
{
    lint_hit hits[HITS_PER_MESSAGE];
    size_t n = lint_check(a->lint, text, len, hits, HITS_PER_MESSAGE);
    cs->r.forbidden += (unsigned)n;
    if (cs->counted)
        a->t.forbidden += n;
    for (size_t i = 0; i < n && i < HITS_PER_MESSAGE; i++) {
        if (hits[i].rule >= 0 && hits[i].rule == a->ni_rule)
            cs->r.polite = false;
        if (!cs->counted)
            ;
        else if (hits[i].rule >= 0)
            a->t.per_rule[hits[i].rule]++;
        else if (hits[i].kind == LINT_PLACEHOLDER)
            a->t.placeholders++;
        else
            a->t.missing++;
        keep_offence(a, cs, &hits[i], text, file, number);
    }
    return n;
}

/* Everything an agent's message tells: answer time, hold check-in, forbidden phrases,
 * greeting, closing question and goodbye, surname, apology and promises. */
static void agent_message(audit *a, conv_state *cs, const event *ev, const char *file,
                          unsigned long number)
{
    const playbook *pb = a->pb;
    size_t len = strlen(ev->text);
    answer(a, cs, ev->ts_ms);
    uint32_t tags = lint_words_find(a->markers, ev->text, len);
    int line = ev->line ? playbook_line_index(pb, ev->line) : PB_NONE;
    if (cs->in_hold) {
        hold_mark(cs, ev->ts_ms);
        /* the line that ends the hold ("thank you for waiting") is no check-in */
        if (!(tags & TAG_RETURN) && !(line >= 0 && line == a->return_line))
            cs->r.checkins++;
    }
    if (a->ni_rule >= 0 && !cs->r.polite_checked) {
        cs->r.polite_checked = true;
        cs->r.polite = true; /* until a 你 */
    }
    size_t hits = lint_message(a, cs, ev->text, len, file, number);
    if (cs->r.agent_messages++ == 0) {
        bool greeting_line = line >= 0 && pb->lines[line].state >= 0 &&
                             !strcmp(pb->states[pb->lines[line].state].id, "greeting");
        cs->r.greeting_present = greeting_line || (tags & TAG_GREETING);
        cs->r.greeting_correct = cs->r.greeting_present && hits == 0;
    }
    bool goodbye = (tags & TAG_GOODBYE) || (line >= 0 && pb->lines[line].end);
    if (goodbye && !cs->r.goodbye) {
        cs->r.goodbye = true;
        cs->r.closing_asked = cs->asked;
    }
    cs->asked |= (tags & TAG_ASK) != 0;
    const conversation *c = cs->conv;
    if (c && c->surname[0] && strstr(ev->text, c->surname))
        cs->r.surname_used = true;
    if (cs->r.complaint) {
        if (tags & TAG_APOLOGY)
            cs->r.apology = true;
        int64_t promise = (tags & TAG_PROMISE_COMPLEX)  ? a->promise_complex_ms
                          : (tags & TAG_PROMISE_SIMPLE) ? a->promise_simple_ms
                                                        : 0;
        if (promise) {
            cs->r.promised_by = ev->ts_ms + promise;
            cs->r.promise = PROMISE_PENDING;
        }
    }
}

bool audit_feed(audit *a, const event *ev, const char *file, unsigned long number, char *err,
                size_t errlen)
{
    if (ev->type == EVENT_STATE && playbook_state_index(a->pb, ev->state) < 0) {
        char shown[128];
        snprintf(err, errlen, "unknown state \"%s\" for playbook %s",
                 text_escape_into(shown, sizeof shown, ev->state), a->pb->id);
        return false;
    }
    a->t.events++;
    if (ev->ts_ms > a->now)
        a->now = ev->ts_ms;
    expire_idle(a, ev->ts_ms);
    uint64_t h = hash_id(ev->conv);
    conv_state *cs = table_find(a, ev->conv, h);
    if (!cs && ev->type != EVENT_OPEN && a->idle_first && idle_ended(a, ev->conv, h)) {
        a->t.after_idle++;
        return true;
    }
    if (!cs && !(cs = conv_new(a, ev, h, file, number))) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    touch(a, cs, ev->ts_ms);
    if (ev->agent)
        take_agent(a, cs, ev);
    check_promise(cs, ev->ts_ms);
    if (a->opt.keep_excerpt && ev->type == EVENT_MESSAGE && ev->from != FROM_SYSTEM)
        keep_excerpt(a, cs, ev, number);
    if (ev->type == EVENT_MESSAGE && ev->from == FROM_CUSTOMER)
        customer_message(cs, ev);
    else if (ev->type == EVENT_MESSAGE && ev->from == FROM_AGENT)
        agent_message(a, cs, ev, file, number);
    else if (ev->type == EVENT_OPEN && ev->channel && !strcmp(ev->channel, "phone"))
        cs->r.phone = true;
    a->feeding = cs;
    bool fed = engine_feed(cs->gen->engine, ev, err, errlen);
    a->feeding = NULL;
    if (fed && a->oom) { /* something of this event was not recorded */
        snprintf(err, errlen, "out of memory");
        fed = false;
    }
    a->oom = false;
    if (!fed)
        return false;
    if (ev->type == EVENT_CLOSE)
        conv_end(a, cs, ev->ts_ms, ev->ts_ms, true);
    return true;
}

/* True when line[0..len) is only white space. */
static bool blank(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            return false;
    return true;
}

bool audit_feed_line(audit *a, const char *line, size_t len, const char *file, unsigned long number,
                     char *err, size_t errlen)
{
    if (blank(line, len))
        return true;
    a->t.lines++;
    event ev;
    bool ok;
    if (len + 1 > a->scratch_cap) {
        char *grown = realloc(a->scratch, len + 1 < 4096 ? 4096 : len + 1);
        if (!grown) {
            snprintf(err, errlen, "out of memory");
            a->t.bad_lines++;
            return false;
        }
        a->scratch = grown;
        a->scratch_cap = len + 1 < 4096 ? 4096 : len + 1;
    }
    if (scan_event(line, len, &ev, a->scratch, &a->scan))
        ok = audit_feed(a, &ev, file, number, err, errlen);
    else if ((ok = event_parse(&ev, line, len, err, errlen))) {
        ok = audit_feed(a, &ev, file, number, err, errlen);
        event_release(&ev);
    }
    if (!ok)
        a->t.bad_lines++;
    return ok;
}

void audit_finish(audit *a)
{
    if (a->finished)
        return;
    a->finished = true;
    while (a->first)
        conv_end(a, a->first, a->now, a->now, false);
    a->t.first_response = hist_stats(&a->first_hist);
    a->t.next_response = hist_stats(&a->next_hist);
    a->t.handle = hist_stats(&a->handle_hist);
}
