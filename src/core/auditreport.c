/* auditreport: the report writers over an audit's conversations (see auditreport.h). Each
 * conversation is written as it comes (text, JSON or CSV rows) and counted into the groups
 * (--by, and the per-day, per-hour and per-agent ones the charts need), the first-response
 * histogram and the worst list; auditreport_finish writes the rest. */
#include "core/auditreport.h"

#include <stdlib.h>
#include <string.h>

#include "core/auditreport_impl.h"
#include "core/civil.h"
#include "core/text.h"

const int frt_edges[FRT_BINS + 1] = {0, 5, 10, 15, 20, 30, 45, 60, 120, 300, 0};

const char *const audit_gate_keys[] = {"service_level", "greeting",    "closing",      "surname",
                                       "apology",       "promise_met", "hold_checkin", "clean",
                                       "polite",        NULL};

double audit_gate_value(const audit_totals *t, const char *key)
{
    if (!strcmp(key, "service_level"))
        return audit_percent(t->answered_within, t->sl_counted);
    if (!strcmp(key, "greeting"))
        return audit_percent(t->greeting_correct, t->greeted_convs);
    if (!strcmp(key, "closing"))
        return audit_percent(t->closing_followed, t->goodbyes);
    if (!strcmp(key, "surname"))
        return audit_percent(t->surname_used, t->surname_known);
    if (!strcmp(key, "apology"))
        return audit_percent(t->apologies, t->complaints);
    if (!strcmp(key, "promise_met"))
        return audit_percent(t->promises_met, t->promises_met + t->promises_missed);
    if (!strcmp(key, "hold_checkin"))
        return audit_percent(t->holds_ok, t->holds);
    if (!strcmp(key, "polite"))
        return audit_percent(t->polite, t->polite_checked);
    return audit_percent(t->conversations - t->convs_with_forbidden, t->conversations);
}

bool audit_parse_by(const char *spec, unsigned *by)
{
    static const struct {
        const char *name;
        unsigned bit;
    } words[] = {{"agent", AUDIT_BY_AGENT},
                 {"week", AUDIT_BY_WEEK},
                 {"day", AUDIT_BY_DAY},
                 {"hour", AUDIT_BY_HOUR}};
    *by = 0;
    const char *p = spec;
    for (;;) {
        size_t n = strcspn(p, ",");
        bool known = false;
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
            if (strlen(words[i].name) == n && !strncmp(p, words[i].name, n)) {
                *by |= words[i].bit;
                known = true;
            }
        if (!known)
            return false;
        if (!p[n])
            return true;
        p += n + 1;
    }
}

/* ==== formatting helpers ================================================================== */

void report_duration(buf *b, int64_t ms)
{
    if (ms == AUDIT_NONE) {
        buf_putc(b, '-');
        return;
    }
    int64_t s = (ms + 500) / 1000;
    if (ms < 60000)
        buf_printf(b, "%.1fs", (double)ms / 1000.0);
    else if (s < 3600)
        buf_printf(b, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else
        buf_printf(b, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
}

/* Appends seconds for JSON and CSV (null / empty when it does not apply). */
static void put_seconds(buf *b, int64_t ms, bool csv)
{
    if (ms == AUDIT_NONE) {
        buf_puts(b, csv ? "" : "null");
        return;
    }
    /* what "%.3f" of ms / 1000.0 prints, without printf (a JSON report has millions) */
    uint64_t magnitude = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    char digits[32], *p = digits + sizeof digits;
    for (int i = 0; i < 3; i++, magnitude /= 10)
        *--p = (char)('0' + magnitude % 10);
    *--p = '.';
    do {
        *--p = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (ms < 0)
        *--p = '-';
    buf_append(b, p, (size_t)(digits + sizeof digits - p));
}

void report_ts(buf *b, int64_t ms, int tz_offset)
{
    char ts[32];
    civil_format_iso(ms, tz_offset, ts);
    buf_puts(b, ts);
}

void report_period(buf *b, const audit_totals *t)
{
    if (t->first_opened == AUDIT_NONE) {
        buf_puts(b, "-");
        return;
    }
    civil_time from = civil_from_ms(t->first_opened, t->period_tz_offset);
    civil_time to = civil_from_ms(t->last_opened, t->period_tz_offset);
    int off = t->period_tz_offset < 0 ? -t->period_tz_offset : t->period_tz_offset;
    buf_printf(b, "%04d-%02d-%02d %02d:%02d to %04d-%02d-%02d %02d:%02d (UTC%c%02d:%02d)",
               from.year, from.month, from.day, from.hour, from.minute, to.year, to.month, to.day,
               to.hour, to.minute, t->period_tz_offset < 0 ? '-' : '+', off / 60, off % 60);
}

static const char *promise_name(audit_promise p)
{
    static const char *const names[] = {"none", "met", "missed", "pending"};
    return names[p];
}

static const char *yes_no(bool v)
{
    return v ? "yes" : "no";
}

/* Appends "part/whole (pct%)" or "-" when nothing counts. */
static void put_ratio(buf *b, uint64_t part, uint64_t whole)
{
    if (!whole)
        buf_puts(b, "-");
    else
        buf_printf(b, "%llu/%llu (%.1f%%)", (unsigned long long)part, (unsigned long long)whole,
                   audit_percent(part, whole));
}

const char *report_phrase(const auditreport *r, int rule, lint_kind kind)
{
    return rule >= 0 ? lint_rule_phrase(r->lint, (size_t)rule) : lint_kind_name(kind);
}

const char *report_better(const auditreport *r, int rule)
{
    return rule >= 0 ? lint_rule_better(r->lint, (size_t)rule) : NULL;
}

/* Appends customer, agent or file text to the readable report, control characters escaped. */
static void put_safe(buf *b, const char *s)
{
    text_escape(b, s, strlen(s));
}

/* Appends a CSV field (core/text: escaped, quoted, safe from formula injection). */
static void put_csv_field(buf *b, const char *s)
{
    text_csv_field(b, s, strlen(s));
}

/* ==== groups ============================================================================== */

/* The slot of a first response (see FRT_SLOTS). */
static size_t frt_slot(int64_t ms)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s < 300)
        return (size_t)s;
    if (s < 1800)
        return 300 + (size_t)(s - 300) / 10;
    if (s < 10800)
        return 450 + (size_t)(s - 1800) / 60;
    if (s < 172800)
        return 600 + (size_t)(s - 10800) / 600;
    return FRT_SLOTS - 1;
}

/* The lower edge of a slot, in ms. */
static int64_t frt_slot_ms(size_t i)
{
    if (i < 300)
        return (int64_t)i * 1000;
    if (i < 450)
        return (300 + (int64_t)(i - 300) * 10) * 1000;
    if (i < 600)
        return (1800 + (int64_t)(i - 450) * 60) * 1000;
    return (10800 + (int64_t)(i - 600) * 600) * 1000;
}

static uint64_t hash_label(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The parts of a conversation's group labels, worked out once per conversation. */
typedef struct conv_keys {
    const audit_conv *c;
    char agent[2 * AUDIT_AGENT_MAX + 2]; /* "1024 张三", "(no agent)" */
    char week[9];                        /* "2026-W48" */
    char day[11];                        /* "2026-11-24" */
    char hour[6];                        /* "09:00" */
    int hour_number;
} conv_keys;

/* Copies src into dst (cap bytes), cut when longer; returns the length copied. */
static size_t copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

/* Writes n digits of v. */
static void put_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
}

static void conv_keys_fill(conv_keys *k, const audit_conv *c, bool week_needed)
{
    k->c = c;
    civil_time t = civil_from_ms(c->opened_at, c->tz_offset);
    put_digits(k->day, t.year, 4);
    k->day[4] = k->day[7] = '-';
    put_digits(k->day + 5, t.month, 2);
    put_digits(k->day + 8, t.day, 2);
    k->day[10] = '\0';
    put_digits(k->hour, t.hour, 2);
    memcpy(k->hour + 2, ":00", 4);
    k->hour_number = t.hour;
    k->week[0] = '\0';
    if (week_needed) {
        /* ISO week: the week of the Thursday of this week */
        int64_t days = civil_days_from_date(t.year, t.month, t.day);
        int64_t thursday = days - (t.weekday ? t.weekday : 7) + 4;
        civil_time th = civil_from_ms(thursday * 86400000LL, 0);
        int week = (int)((thursday - civil_days_from_date(th.year, 1, 1)) / 7 + 1);
        put_digits(k->week, th.year, 4);
        memcpy(k->week + 4, "-W", 2);
        put_digits(k->week + 6, week, 2);
        k->week[8] = '\0';
    }
    size_t n = copy_str(k->agent, sizeof k->agent, c->agent[0] ? c->agent : "(no agent)");
    if (c->agent_name[0]) {
        k->agent[n++] = ' ';
        copy_str(k->agent + n, sizeof k->agent - n, c->agent_name);
    }
}

/* Writes the label of a group in grouping by: its parts joined by " · " (out: 256 bytes). */
static void group_label(char *out, unsigned by, const conv_keys *k)
{
    const char *parts[4];
    size_t n = 0, len = 0;
    if (by & AUDIT_BY_AGENT)
        parts[n++] = k->agent;
    if (by & AUDIT_BY_WEEK)
        parts[n++] = k->week;
    if (by & AUDIT_BY_DAY)
        parts[n++] = k->day;
    if (by & AUDIT_BY_HOUR)
        parts[n++] = k->hour;
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(out + len, " · ", 4);
            len += 4;
        }
        size_t m = strlen(parts[i]);
        memcpy(out + len, parts[i], m);
        len += m;
    }
    out[len] = '\0';
}

/* Fills the key parts of a new group from its first conversation. */
static void group_parts(group *g, unsigned by, const conv_keys *k)
{
    g->hour = -1;
    if (by & AUDIT_BY_AGENT) {
        g->agent = k->c->agent[0] ? strdup(k->c->agent) : NULL;
        g->agent_name = k->c->agent_name[0] ? strdup(k->c->agent_name) : NULL;
    }
    if (by & AUDIT_BY_WEEK)
        memcpy(g->week, k->week, sizeof k->week);
    if (by & AUDIT_BY_DAY)
        memcpy(g->day, k->day, sizeof k->day);
    if (by & AUDIT_BY_HOUR)
        g->hour = k->hour_number;
}

static void group_free(group *g)
{
    if (!g)
        return;
    free(g->label);
    free(g->agent);
    free(g->agent_name);
    free(g->frt);
    free(g->per_rule);
    free(g->examples);
    free(g);
}

static void grouping_free(grouping *gr, size_t rules)
{
    for (size_t i = 0; i < gr->count; i++) {
        group *g = gr->items[i];
        if (g->examples)
            for (size_t k = 0; k < rules; k++)
                free(g->examples[k].text);
        group_free(g);
    }
    free(gr->items);
    free(gr->table);
}

/* Doubles the label table; false when out of memory. */
static bool grouping_grow(grouping *gr)
{
    size_t cap = gr->table_cap ? gr->table_cap * 2 : 64;
    group **t = calloc(cap, sizeof *t);
    if (!t)
        return false;
    for (size_t i = 0; i < gr->table_cap; i++) {
        group *g = gr->table[i];
        if (!g)
            continue;
        size_t j = hash_label(g->label) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = g;
    }
    free(gr->table);
    gr->table = t;
    gr->table_cap = cap;
    return true;
}

/* The group c belongs to in gr, made when new; NULL when out of memory. */
static group *grouping_find(grouping *gr, const conv_keys *k)
{
    char label[256];
    group_label(label, gr->by, k);
    if ((gr->count + 1) * 2 > gr->table_cap && !grouping_grow(gr))
        return NULL;
    size_t j = hash_label(label) & (gr->table_cap - 1);
    for (; gr->table[j]; j = (j + 1) & (gr->table_cap - 1))
        if (!strcmp(gr->table[j]->label, label))
            return gr->table[j];
    if (gr->count == gr->cap) {
        size_t cap = gr->cap ? gr->cap * 2 : 16;
        group **items = realloc(gr->items, cap * sizeof *items);
        if (!items)
            return NULL;
        gr->items = items;
        gr->cap = cap;
    }
    group *g = calloc(1, sizeof *g);
    if (!g || !(g->label = strdup(label)) ||
        (gr->frt && !(g->frt = calloc(FRT_SLOTS, sizeof *g->frt)))) {
        if (g)
            free(g->label);
        free(g);
        return NULL;
    }
    group_parts(g, gr->by, k);
    gr->items[gr->count++] = g;
    gr->table[j] = g;
    return g;
}

/* Counts the phrases of c's kept offences into g, keeping the first of each as context. */
static bool group_phrases(auditreport *r, group *g, const audit_conv *c)
{
    size_t rules = lint_rule_count(r->lint);
    for (size_t i = 0; i < c->offence_count; i++) {
        const audit_offence *o = &c->offences[i];
        if (o->rule < 0 || (size_t)o->rule >= rules)
            continue;
        if (!g->per_rule) {
            g->per_rule = calloc(rules, sizeof *g->per_rule);
            g->examples = calloc(rules, sizeof *g->examples);
            if (!g->per_rule || !g->examples)
                return false;
        }
        if (g->per_rule[o->rule]++ == 0) {
            phrase_example *e = &g->examples[o->rule];
            e->file = o->file;
            e->line = o->line;
            e->column = o->column;
            if (!(e->text = strdup(o->text)))
                return false;
        }
    }
    return true;
}

/* Adds one conversation to its group of gr. */
static bool group_add(auditreport *r, grouping *gr, const conv_keys *k)
{
    const audit_conv *c = k->c;
    group *g = grouping_find(gr, k);
    if (!g)
        return false;
    g->conversations++;
    if (c->closed) {
        g->closed++;
        g->handle_total_ms += c->handle_ms;
    }
    g->answered_within += c->answered_within;
    g->sl_counted += c->sl_counted;
    if (c->first_response_ms != AUDIT_NONE && g->frt) {
        g->frt[frt_slot(c->first_response_ms)]++;
        g->frt_count++;
    }
    g->greeted += c->agent_messages > 0;
    g->greeting_present += c->greeting_present;
    g->greeting_correct += c->greeting_correct;
    g->polite_checked += c->polite_checked;
    g->polite += c->polite_checked && c->polite;
    g->surname_known += c->surname_known;
    g->surname_used += c->surname_known && c->surname_used;
    g->goodbyes += c->goodbye;
    g->closing_asked += c->goodbye && c->closing_asked;
    g->holds += c->holds;
    g->holds_ok += c->holds_ok;
    g->checkins += c->checkins;
    g->late_checkins += c->late_checkins;
    g->complaints += c->complaint;
    g->apologies += c->complaint && c->apology;
    g->promises_met += c->promise == PROMISE_MET;
    g->promises_missed += c->promise == PROMISE_MISSED;
    g->unanswered += c->unanswered;
    g->forbidden += c->forbidden;
    g->convs_with_forbidden += c->forbidden > 0;
    return group_phrases(r, g, c);
}

double group_sl(const group *g)
{
    return audit_percent(g->answered_within, g->sl_counted);
}

/* The value at a rank (1-based) of a group's first-response histogram. */
static int64_t frt_rank(const group *g, size_t rank)
{
    size_t seen = 0;
    for (size_t i = 0; i < FRT_SLOTS; i++) {
        seen += g->frt[i];
        if (seen >= rank)
            return frt_slot_ms(i);
    }
    return frt_slot_ms(FRT_SLOTS - 1);
}

int64_t group_frt_quantile(const group *g, bool median)
{
    size_t n = g->frt_count;
    if (!n || !g->frt)
        return AUDIT_NONE;
    if (median)
        return n % 2 ? frt_rank(g, n / 2 + 1) : (frt_rank(g, n / 2) + frt_rank(g, n / 2 + 1)) / 2;
    size_t r90 = (n * 9 + 9) / 10;
    return frt_rank(g, r90 > n ? n : r90);
}

static int cmp_group(const void *a, const void *b)
{
    return strcmp((*(group *const *)a)->label, (*(group *const *)b)->label);
}

static void grouping_sort(grouping *gr)
{
    if (gr->count)
        qsort(gr->items, gr->count, sizeof *gr->items, cmp_group);
}

/* ==== the worst list ====================================================================== */

/* The rule breaches of a conversation, and a readable list of them in reasons. */
static unsigned breaches(const audit_conv *c, buf *reasons)
{
    unsigned n = 0;
    const char *sep = "";
#define BREACH(count, fmt, ...)                                                                    \
    do {                                                                                           \
        unsigned k_ = (unsigned)(count);                                                           \
        if (k_) {                                                                                  \
            n += k_;                                                                               \
            if (reasons) {                                                                         \
                buf_puts(reasons, sep);                                                            \
                buf_printf(reasons, fmt, __VA_ARGS__);                                             \
            }                                                                                      \
            sep = ", ";                                                                            \
        }                                                                                          \
    } while (0)
    uint64_t sl_missed = c->sl_counted - c->answered_within;
    BREACH(c->forbidden, "%u forbidden phrase%s", c->forbidden, c->forbidden == 1 ? "" : "s");
    BREACH(sl_missed, "%llu answer%s late", (unsigned long long)sl_missed,
           sl_missed == 1 ? "" : "s");
    BREACH(c->late_checkins, "%u late hold check-in%s", c->late_checkins,
           c->late_checkins == 1 ? "" : "s");
    BREACH(c->agent_messages && !c->greeting_present, "%s", "no greeting");
    BREACH(c->greeting_present && !c->greeting_correct, "%s", "greeting not correct");
    BREACH(c->surname_known && !c->surname_used, "%s", "surname not used");
    BREACH(c->goodbye && !c->closing_asked, "%s", "goodbye without the closing question");
    BREACH(c->complaint && !c->apology, "%s", "complaint without apology");
    BREACH(c->promise == PROMISE_MISSED, "%s", "promise missed");
#undef BREACH
    return n;
}

/* True when a ranks before b: more breaches, then the longer wait. */
static bool worse(unsigned a_breaches, int64_t a_wait, const worst_entry *b)
{
    if (a_breaches != b->breaches)
        return a_breaches > b->breaches;
    return a_wait > b->longest_wait_ms;
}

static void worst_clear(worst_entry *w)
{
    free(w->reasons);
    for (size_t i = 0; i < w->excerpt_count; i++)
        free(w->excerpt[i].text);
    free(w->excerpt);
    for (size_t i = 0; i < w->offence_count; i++) {
        free(w->offences[i].match);
        free(w->offences[i].text);
    }
    free(w->offences);
    memset(w, 0, sizeof *w);
}

#define WORST_OFFENCES 5

/* Copies what the list shows of c into w; false when out of memory. */
static bool worst_fill(worst_entry *w, const audit_conv *c, unsigned n)
{
    buf reasons;
    buf_init(&reasons);
    breaches(c, &reasons);
    copy_str(w->id, sizeof w->id, c->id);
    copy_str(w->agent, sizeof w->agent, c->agent);
    copy_str(w->agent_name, sizeof w->agent_name, c->agent_name);
    w->file = c->file;
    w->line = c->first_line;
    w->opened_at = c->opened_at;
    w->tz_offset = c->tz_offset;
    w->breaches = n;
    w->longest_wait_ms = c->longest_wait_ms;
    bool ok = (w->reasons = buf_take(&reasons)) != NULL;
    if (ok && c->excerpt_count && (w->excerpt = calloc(c->excerpt_count, sizeof *w->excerpt)))
        for (size_t i = 0; i < c->excerpt_count; i++) {
            w->excerpt[i] = c->excerpt[i];
            if (!(w->excerpt[i].text = strdup(c->excerpt[i].text)))
                ok = false;
            w->excerpt_count++;
        }
    size_t k = c->offence_count < WORST_OFFENCES ? c->offence_count : WORST_OFFENCES;
    if (ok && k && (w->offences = calloc(k, sizeof *w->offences)))
        for (size_t i = 0; i < k; i++) {
            w->offences[i] = c->offences[i];
            w->offences[i].match = strdup(c->offences[i].match);
            w->offences[i].text = strdup(c->offences[i].text);
            w->offence_count++;
            ok = ok && w->offences[i].match && w->offences[i].text;
        }
    return ok;
}

/* Keeps c in the worst list when it is among the worst N so far. */
static bool worst_consider(auditreport *r, const audit_conv *c)
{
    if (!r->opt.worst)
        return true;
    unsigned n = breaches(c, NULL);
    if (!n && c->longest_wait_ms <= r->opt.audit.answer_within_ms)
        return true; /* nothing to listen for */
    size_t slot = r->worst_count;
    if (r->worst_count == r->opt.worst) {
        slot = 0;
        for (size_t i = 1; i < r->worst_count; i++)
            if (worse(r->worst[slot].breaches, r->worst[slot].longest_wait_ms, &r->worst[i]))
                slot = i; /* the least bad one */
        if (!worse(n, c->longest_wait_ms, &r->worst[slot]))
            return true;
        worst_clear(&r->worst[slot]);
    } else
        r->worst_count++;
    return worst_fill(&r->worst[slot], c, n);
}

static int cmp_worst(const void *a, const void *b)
{
    const worst_entry *x = a, *y = b;
    if (worse(x->breaches, x->longest_wait_ms, y))
        return -1;
    if (worse(y->breaches, y->longest_wait_ms, x))
        return 1;
    return strcmp(x->id, y->id);
}

/* ==== one conversation ==================================================================== */

/* One conversation of the readable report: a heading line, then one line per topic. */
static void text_conversation(auditreport *r, const audit_conv *c, buf *b)
{
    put_safe(b, c->id);
    buf_puts(b, " (");
    put_safe(b, c->file);
    buf_printf(b, ":%lu) ", c->first_line);
    if (c->agent[0]) {
        buf_puts(b, "agent ");
        put_safe(b, c->agent);
        if (c->agent_name[0]) {
            buf_putc(b, ' ');
            put_safe(b, c->agent_name);
        }
        buf_puts(b, ", ");
    }
    buf_printf(b, "%s, handle ", c->closed ? "closed" : "open at end");
    report_duration(b, c->handle_ms);
    buf_puts(b, "\n  response: first ");
    report_duration(b, c->first_response_ms);
    buf_puts(b, ", next median ");
    report_duration(b, c->next_response.median);
    buf_puts(b, " p90 ");
    report_duration(b, c->next_response.p90);
    buf_puts(b, " max ");
    report_duration(b, c->next_response.max);
    buf_printf(b, "; within %llds: ", (long long)(r->opt.audit.answer_within_ms / 1000));
    put_ratio(b, c->answered_within, c->sl_counted);
    buf_puts(b, "; waited ");
    report_duration(b, c->waited_ms);
    buf_printf(b, ", unanswered %u\n", c->unanswered);
    if (c->holds) {
        buf_printf(b, "  holds %u: longest ", c->holds);
        report_duration(b, c->longest_hold_ms);
        buf_printf(b, ", check-ins %u, late %u, on time %u/%u\n", c->checkins, c->late_checkins,
                   c->holds_ok, c->holds);
    }
    buf_printf(b, "  greeting %s%s | closing %s | surname %s",
               c->agent_messages ? yes_no(c->greeting_present) : "-",
               c->greeting_present ? (c->greeting_correct ? ", correct" : ", not correct") : "",
               c->goodbye ? (c->closing_asked ? "asked before goodbye" : "goodbye without asking")
                          : "-",
               c->surname_known ? (c->surname_used ? "used" : "known, not used") : "-");
    if (c->polite_checked)
        buf_printf(b, " | 您 %s", c->polite ? "always" : "not always");
    buf_putc(b, '\n');
    if (c->complaint) {
        buf_printf(b, "  complaint: apology %s, promise ", yes_no(c->apology));
        if (c->promised_by != AUDIT_NONE) {
            buf_puts(b, "by ");
            report_ts(b, c->promised_by, c->tz_offset);
            buf_putc(b, ' ');
        }
        buf_printf(b, "%s\n", promise_name(c->promise));
    }
    if (c->forbidden)
        buf_printf(b, "  forbidden %u:\n", c->forbidden);
    for (size_t i = 0; i < c->offence_count; i++) {
        const audit_offence *o = &c->offences[i];
        const char *better = report_better(r, o->rule);
        buf_puts(b, "    ");
        put_safe(b, o->file);
        buf_printf(b, ":%lu:%zu ", o->line, o->column + 1);
        put_safe(b, o->match);
        buf_printf(b, "%s%s: ", better ? " -> " : "", better ? better : "");
        put_safe(b, o->text);
        buf_putc(b, '\n');
    }
}

static const char *json_bool(bool v)
{
    return v ? "true" : "false";
}

/* A JSON string, or null for an empty one. */
static void json_string_or_null(buf *b, const char *s)
{
    if (s && *s)
        buf_json_string(b, s);
    else
        buf_puts(b, "null");
}

/* One conversation as an element of the "conversations" array. */
static void json_conversation(auditreport *r, const audit_conv *c, buf *b)
{
    buf_puts(b, r->rows ? ",\n{\"conv\":" : "\n{\"conv\":");
    buf_json_string(b, c->id);
    buf_puts(b, ",\"file\":");
    buf_json_string(b, c->file);
    buf_puts(b, ",\"agent\":");
    json_string_or_null(b, c->agent);
    buf_puts(b, ",\"agent_name\":");
    json_string_or_null(b, c->agent_name);
    buf_printf(b, ",\"first_line\":%lu,\"closed\":%s,\"channel\":\"%s\",\"opened\":\"",
               c->first_line, json_bool(c->closed), c->phone ? "phone" : "chat");
    report_ts(b, c->opened_at, c->tz_offset);
    buf_puts(b, "\",\"handle_s\":");
    put_seconds(b, c->handle_ms, false);
    buf_puts(b, ",\"first_response_s\":");
    put_seconds(b, c->first_response_ms, false);
    buf_printf(b, ",\"next_response\":{\"count\":%llu,\"median_s\":",
               (unsigned long long)c->next_response.count);
    put_seconds(b, c->next_response.median, false);
    buf_puts(b, ",\"p90_s\":");
    put_seconds(b, c->next_response.p90, false);
    buf_puts(b, ",\"max_s\":");
    put_seconds(b, c->next_response.max, false);
    buf_printf(b, "},\"answered_within\":%llu,\"sl_counted\":%llu,\"waited_s\":",
               (unsigned long long)c->answered_within, (unsigned long long)c->sl_counted);
    put_seconds(b, c->waited_ms, false);
    buf_puts(b, ",\"longest_wait_s\":");
    put_seconds(b, c->longest_wait_ms, false);
    buf_printf(b, ",\"unanswered\":%u,\"holds\":%u,\"longest_hold_s\":", c->unanswered, c->holds);
    put_seconds(b, c->longest_hold_ms, false);
    buf_printf(b, ",\"checkins\":%u,\"late_checkins\":%u,\"holds_on_time\":%u", c->checkins,
               c->late_checkins, c->holds_ok);
    buf_printf(b, ",\"agent_messages\":%u,\"greeting\":%s,\"greeting_correct\":%s",
               c->agent_messages, json_bool(c->greeting_present), json_bool(c->greeting_correct));
    buf_printf(b, ",\"goodbye\":%s,\"closing_asked\":%s,\"surname_known\":%s,\"surname_used\":%s",
               json_bool(c->goodbye), json_bool(c->closing_asked), json_bool(c->surname_known),
               json_bool(c->surname_used));
    buf_printf(b, ",\"polite\":%s", c->polite_checked ? json_bool(c->polite) : "null");
    buf_printf(b, ",\"complaint\":%s,\"apology\":%s,\"promised_by\":", json_bool(c->complaint),
               json_bool(c->apology));
    if (c->promised_by == AUDIT_NONE)
        buf_puts(b, "null");
    else {
        buf_putc(b, '"');
        report_ts(b, c->promised_by, c->tz_offset);
        buf_putc(b, '"');
    }
    buf_printf(b, ",\"promise\":\"%s\",\"forbidden\":%u,\"offences\":[", promise_name(c->promise),
               c->forbidden);
    for (size_t i = 0; i < c->offence_count; i++) {
        const audit_offence *o = &c->offences[i];
        const char *better = report_better(r, o->rule);
        buf_puts(b, i ? ",{\"file\":" : "{\"file\":");
        buf_json_string(b, o->file);
        buf_printf(b, ",\"line\":%lu,\"column\":%zu,\"kind\":\"%s\",\"phrase\":", o->line,
                   o->column + 1, lint_kind_name(o->kind));
        buf_json_string(b, report_phrase(r, o->rule, o->kind));
        buf_puts(b, ",\"match\":");
        buf_json_string(b, o->match);
        if (better) {
            buf_puts(b, ",\"better\":");
            buf_json_string(b, better);
        }
        buf_puts(b, ",\"text\":");
        buf_json_string(b, o->text);
        buf_putc(b, '}');
    }
    buf_puts(b, "]}");
}

static const char csv_header[] =
    "conv,file,first_line,agent,agent_name,opened,status,conversations,handle_s,"
    "first_response_s,next_median_s,next_p90_s,next_max_s,answered_within,sl_counted,sl_percent,"
    "waited_s,unanswered,holds,longest_hold_s,checkins,late_checkins,greeting,greeting_correct,"
    "polite,goodbye,closing_asked,surname_known,surname_used,complaint,apology,promise,"
    "promises_met,promises_missed,forbidden\n";

/* A 0/1 CSV flag, empty when it does not apply to the conversation. */
static void csv_flag(buf *b, bool applies, bool v)
{
    buf_puts(b, applies ? (v ? ",1" : ",0") : ",");
}

/* A CSV percentage (empty when nothing counts). */
static void csv_percent(buf *b, uint64_t part, uint64_t whole)
{
    if (whole)
        buf_printf(b, ",%.2f", audit_percent(part, whole));
    else
        buf_putc(b, ',');
}

/* One conversation as a CSV row, in csv_header's order. */
static void csv_conversation(const audit_conv *c, buf *b)
{
    put_csv_field(b, c->id);
    buf_putc(b, ',');
    put_csv_field(b, c->file);
    buf_printf(b, ",%lu,", c->first_line);
    put_csv_field(b, c->agent);
    buf_putc(b, ',');
    put_csv_field(b, c->agent_name);
    buf_putc(b, ',');
    report_ts(b, c->opened_at, c->tz_offset);
    buf_printf(b, ",%s,1,", c->closed ? "closed" : "open");
    int64_t times[] = {c->handle_ms, c->first_response_ms, c->next_response.median,
                       c->next_response.p90, c->next_response.max};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        put_seconds(b, times[i], true);
        buf_putc(b, ',');
    }
    buf_printf(b, "%llu,%llu", (unsigned long long)c->answered_within,
               (unsigned long long)c->sl_counted);
    csv_percent(b, c->answered_within, c->sl_counted);
    buf_putc(b, ',');
    put_seconds(b, c->waited_ms, true);
    buf_printf(b, ",%u,%u,", c->unanswered, c->holds);
    put_seconds(b, c->longest_hold_ms, true);
    buf_printf(b, ",%u,%u", c->checkins, c->late_checkins);
    csv_flag(b, c->agent_messages, c->greeting_present);
    csv_flag(b, c->agent_messages, c->greeting_correct);
    csv_flag(b, c->polite_checked, c->polite);
    csv_flag(b, true, c->goodbye);
    csv_flag(b, c->goodbye, c->closing_asked);
    csv_flag(b, true, c->surname_known);
    csv_flag(b, c->surname_known, c->surname_used);
    csv_flag(b, true, c->complaint);
    csv_flag(b, c->complaint, c->apology);
    buf_printf(b, ",%s,%d,%d,%u\n", promise_name(c->promise), c->promise == PROMISE_MET,
               c->promise == PROMISE_MISSED, c->forbidden);
}

void auditreport_conversation(auditreport *r, const audit_conv *c, buf *out)
{
    conv_keys k;
    conv_keys_fill(&k, c, r->opt.by & AUDIT_BY_WEEK);
    /* the text report shows SL by day; JSON and HTML also by hour and per agent */
    bool charts = r->opt.format == AUDIT_FORMAT_JSON || r->opt.format == AUDIT_FORMAT_HTML;
    bool ok = group_add(r, &r->by_day, &k) && (!charts || group_add(r, &r->by_hour, &k)) &&
              (!charts || group_add(r, &r->by_agent, &k)) &&
              (!r->opt.by || group_add(r, &r->user, &k)) && worst_consider(r, c);
    if (!ok)
        r->failed = true;
    if (c->first_response_ms != AUDIT_NONE) {
        int64_t s = c->first_response_ms / 1000;
        size_t i = 0;
        while (i + 1 < FRT_BINS && s >= frt_edges[i + 1])
            i++;
        r->frt_bins[i]++;
    }
    if (r->opt.summary)
        return;
    switch (r->opt.format) {
    case AUDIT_FORMAT_TEXT:
        text_conversation(r, c, out);
        break;
    case AUDIT_FORMAT_JSON:
        json_conversation(r, c, out);
        break;
    case AUDIT_FORMAT_CSV:
        if (r->opt.by)
            return; /* grouped CSV: a row per group instead */
        csv_conversation(c, out);
        break;
    case AUDIT_FORMAT_HTML:
        return; /* the page shows the totals, groups and worst list */
    }
    r->rows++;
}

/* ==== set-up ============================================================================== */

auditreport *auditreport_new(const lint *l, const auditreport_options *o)
{
    auditreport *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->lint = l;
    r->opt = *o;
    if (!r->opt.width)
        r->opt.width = 80;
    r->user.by = o->by;
    r->by_day.by = AUDIT_BY_DAY;
    r->by_hour.by = AUDIT_BY_HOUR;
    r->by_agent.by = AUDIT_BY_AGENT;
    r->user.frt = r->by_agent.frt = true;
    if (o->worst && !(r->worst = calloc(o->worst, sizeof *r->worst))) {
        free(r);
        return NULL;
    }
    return r;
}

void auditreport_free(auditreport *r)
{
    if (!r)
        return;
    size_t rules = lint_rule_count(r->lint);
    grouping_free(&r->user, rules);
    grouping_free(&r->by_day, rules);
    grouping_free(&r->by_hour, rules);
    grouping_free(&r->by_agent, rules);
    for (size_t i = 0; i < r->worst_count; i++)
        worst_clear(&r->worst[i]);
    free(r->worst);
    free(r);
}

bool auditreport_failed(const auditreport *r)
{
    return r->failed;
}

void auditreport_begin(auditreport *r, buf *out)
{
    if (r->opt.format == AUDIT_FORMAT_JSON)
        buf_puts(out, r->opt.summary ? "{" : "{\"conversations\":[");
    else if (r->opt.format == AUDIT_FORMAT_CSV)
        buf_puts(out, csv_header);
}

/* ==== text totals ========================================================================= */

static void text_stats(buf *b, const char *label, const audit_stats *s)
{
    buf_printf(b, "  %-16s median ", label);
    report_duration(b, s->median);
    buf_puts(b, ", p90 ");
    report_duration(b, s->p90);
    buf_puts(b, ", max ");
    report_duration(b, s->max);
    buf_printf(b, " (%llu)\n", (unsigned long long)s->count);
}

/* The forbidden-phrase counts of the readable totals, phrase by phrase. */
static void text_phrases(auditreport *r, const audit_totals *t, buf *b)
{
    buf_printf(b, "  %-16s %lu in %lu conversation%s\n", "forbidden", t->forbidden,
               t->convs_with_forbidden, t->convs_with_forbidden == 1 ? "" : "s");
    for (size_t i = 0; i < lint_rule_count(r->lint); i++)
        if (t->per_rule[i])
            buf_printf(b, "    %6lu  %s -> %s\n", t->per_rule[i], lint_rule_phrase(r->lint, i),
                       lint_rule_better(r->lint, i) ? lint_rule_better(r->lint, i) : "");
    if (t->placeholders)
        buf_printf(b, "    %6lu  {placeholder} left unfilled\n", t->placeholders);
    if (t->missing)
        buf_printf(b, "    %6lu  【missing value】 marker\n", t->missing);
}

/* The report's header: period, playbook, targets, filters. */
static void text_header(auditreport *r, const audit_totals *t, buf *b)
{
    const audit_options *o = &r->opt.audit;
    buf_printf(b, "%sReport\n  %-16s ", r->rows ? "\n" : "", "period");
    report_period(b, t);
    buf_puts(b, " (conversations opened)");
    if (o->has_since || o->has_until) {
        buf_puts(b, "; asked for ");
        if (o->has_since)
            report_ts(b, o->since_ms, 0);
        buf_puts(b, " .. ");
        if (o->has_until)
            report_ts(b, o->until_ms, 0);
    }
    buf_printf(b, "\n  %-16s %s (%s)\n", "playbook", r->opt.playbook ? r->opt.playbook : "-",
               r->opt.source ? r->opt.source : "-");
    buf_printf(b, "  %-16s service level ", "targets");
    if (t->target_percent > 0)
        buf_printf(b, "%.0f%% ", t->target_percent);
    buf_printf(b, "within %llds; hold check-in every %llds\n",
               (long long)(t->answer_within_ms / 1000), (long long)(o->checkin_ms / 1000));
    if (o->agent) {
        buf_printf(b, "  %-16s ", "agent");
        put_safe(b, o->agent);
        buf_printf(b, " (%lu other conversation%s left out)\n", t->filtered,
                   t->filtered == 1 ? "" : "s");
    } else if (t->filtered)
        buf_printf(b, "  %-16s %lu conversations outside the period left out\n", "left out",
                   t->filtered);
    buf_printf(b,
               "  %-16s median: the middle value, or the mean of the two middle ones; p90: "
               "nearest rank\n",
               "statistics");
}

/* The totals section of the readable report. */
static void text_totals(auditreport *r, const audit_totals *t, buf *b)
{
    buf_puts(b, "\nTotals\n");
    buf_printf(b, "  %-16s %lu lines, %lu events, %lu bad lines\n", "input", t->lines, t->events,
               t->bad_lines);
    buf_printf(b, "  %-16s %lu (%lu closed, %lu open at end)\n", "conversations", t->conversations,
               t->closed, t->open_at_end);
    if (t->after_idle)
        buf_printf(b, "  %-16s %lu record%s after a conversation's 24 h of quiet, not counted\n",
                   "late records", t->after_idle, t->after_idle == 1 ? "" : "s");
    text_stats(b, "first response", &t->first_response);
    text_stats(b, "next responses", &t->next_response);
    buf_printf(b, "  %-16s ", "service level");
    double sl = audit_percent(t->answered_within, t->sl_counted);
    if (sl < 0)
        buf_puts(b, "-");
    else
        buf_printf(b, "%.1f%% answered within %llds (%llu/%llu)", sl,
                   (long long)(t->answer_within_ms / 1000), (unsigned long long)t->answered_within,
                   (unsigned long long)t->sl_counted);
    if (t->target_percent > 0 && sl >= 0)
        buf_printf(b, ", target %.0f%%: %s", t->target_percent,
                   sl >= t->target_percent ? "met" : "not met");
    buf_printf(b, "\n  %-16s ", "waited");
    report_duration(b, t->waited_ms);
    buf_printf(b, " in total, %lu wait%s never answered\n", t->unanswered,
               t->unanswered == 1 ? "" : "s");
    buf_printf(b, "  %-16s %lu, longest ", "holds", t->holds);
    report_duration(b, t->longest_hold_ms);
    buf_printf(b, ", check-ins %lu, late %lu, on time ", t->checkins, t->late_checkins);
    put_ratio(b, t->holds_ok, t->holds);
    buf_printf(b, "\n  %-16s average ", "handle time");
    report_duration(b, t->closed ? t->handle_total_ms / (int64_t)t->closed : AUDIT_NONE);
    buf_puts(b, ", median ");
    report_duration(b, t->handle.median);
    buf_puts(b, ", max ");
    report_duration(b, t->handle.max);
    buf_printf(b, " (%lu closed)\n  %-16s present ", t->closed, "greeting");
    put_ratio(b, t->greeting_present, t->greeted_convs);
    buf_puts(b, ", correct ");
    put_ratio(b, t->greeting_correct, t->greeted_convs);
    buf_printf(b, "\n  %-16s asked before goodbye ", "closing");
    put_ratio(b, t->closing_followed, t->goodbyes);
    buf_printf(b, "\n  %-16s used once known ", "surname");
    put_ratio(b, t->surname_used, t->surname_known);
    buf_printf(b, "\n  %-16s 您, never 你 ", "polite");
    put_ratio(b, t->polite, t->polite_checked);
    buf_printf(b, "\n  %-16s %lu: apology ", "complaints", t->complaints);
    put_ratio(b, t->apologies, t->complaints);
    buf_printf(b, ", promised %lu (met %lu, missed %lu, pending %lu)\n", t->promised,
               t->promises_met, t->promises_missed, t->promises_pending);
    text_phrases(r, t, b);
}

/* Appends s padded with spaces to cols display columns (cut when wider). */
static void put_padded(buf *b, const char *s, size_t cols)
{
    size_t used;
    size_t n = text_fit(s, strlen(s), cols, false, &used);
    buf_append(b, s, n);
    for (; used < cols; used++)
        buf_putc(b, ' ');
}

/* A bar of `cols` columns filled to fraction f (0..1) with eighth blocks. */
static void put_bar(buf *b, double f, size_t cols)
{
    static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    if (f < 0)
        f = 0;
    if (f > 1)
        f = 1;
    size_t units = (size_t)(f * (double)cols * 8 + 0.5);
    size_t full = units / 8;
    for (size_t i = 0; i < full; i++)
        buf_puts(b, "█");
    size_t used = full;
    if (units % 8) {
        buf_puts(b, eighths[units % 8]);
        used++;
    }
    for (; used < cols; used++)
        buf_putc(b, ' ');
}

/* Widest label of a grouping, in columns (at least min, at most max). */
static size_t label_width(const grouping *gr, size_t min, size_t max)
{
    size_t w = min;
    for (size_t i = 0; i < gr->count; i++) {
        size_t cw = text_width(gr->items[i]->label, strlen(gr->items[i]->label), false);
        if (cw > w)
            w = cw;
    }
    return w > max ? max : w;
}

/* Service level by day: a sparkline, then a bar per day with the target marked. */
static void text_sl_by_day(auditreport *r, const audit_totals *t, buf *b)
{
    static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    const grouping *gr = &r->by_day;
    if (!gr->count)
        return;
    buf_printf(b, "\nService level by day (answered within %llds",
               (long long)(t->answer_within_ms / 1000));
    if (t->target_percent > 0)
        buf_printf(b, ", target %.0f%%", t->target_percent);
    buf_puts(b, ")\n  ");
    for (size_t i = 0; i < gr->count; i++) {
        double sl = group_sl(gr->items[i]);
        int level = sl <= 0 ? 0 : (int)((sl + 12.4999) / 12.5) - 1; /* 8 levels, 100 % full */
        buf_puts(b, sl < 0 ? " " : blocks[level > 7 ? 7 : level]);
    }
    buf_printf(b, "  %s .. %s\n", gr->items[0]->day, gr->items[gr->count - 1]->day);
    size_t bar = r->opt.width > 40 ? r->opt.width - 38 : 2;
    if (bar > 50)
        bar = 50;
    for (size_t i = 0; i < gr->count; i++) {
        const group *g = gr->items[i];
        double sl = group_sl(g);
        buf_printf(b, "  %s  ", g->day);
        put_bar(b, sl < 0 ? 0 : sl / 100.0, bar);
        if (sl < 0)
            buf_puts(b, "      -\n");
        else
            buf_printf(b, " %5.1f%%%s (%llu/%llu)\n", sl,
                       t->target_percent > 0 && sl < t->target_percent ? " !" : "  ",
                       (unsigned long long)g->answered_within, (unsigned long long)g->sl_counted);
    }
}

/* The first-response distribution as bar rows. */
static void text_frt(auditreport *r, buf *b)
{
    uint64_t most = 0, all = 0;
    for (size_t i = 0; i < FRT_BINS; i++) {
        all += r->frt_bins[i];
        if (r->frt_bins[i] > most)
            most = r->frt_bins[i];
    }
    if (!all)
        return;
    buf_printf(b, "\nFirst response (%llu conversations)\n", (unsigned long long)all);
    size_t bar = r->opt.width > 30 ? r->opt.width - 30 : 2;
    if (bar > 50)
        bar = 50;
    for (size_t i = 0; i < FRT_BINS; i++) {
        char label[24];
        if (i + 1 < FRT_BINS)
            snprintf(label, sizeof label, "%d-%ds", frt_edges[i], frt_edges[i + 1]);
        else
            snprintf(label, sizeof label, "%ds+", frt_edges[i]);
        buf_printf(b, "  %-9s ", label);
        put_bar(b, (double)r->frt_bins[i] / (double)most, bar);
        buf_printf(b, " %7llu %5.1f%%\n", (unsigned long long)r->frt_bins[i],
                   100.0 * (double)r->frt_bins[i] / (double)all);
    }
}

/* A percentage cell of the groups table, "-" when nothing counts. */
static void text_cell(buf *b, uint64_t part, uint64_t whole)
{
    if (whole)
        buf_printf(b, " %6.1f%%", audit_percent(part, whole));
    else
        buf_puts(b, "       -");
}

/* The --by table: a row per group. */
static void text_groups(auditreport *r, buf *b)
{
    grouping *gr = &r->user;
    if (!r->opt.by)
        return;
    size_t lw = label_width(gr, 5, 32);
    buf_puts(b, "\nBy group\n  ");
    put_padded(b, "group", lw);
    buf_puts(b, "  convs      SL  FRT med  FRT p90      AHT greeting       您  surname "
                "    hold  closing forbidden\n");
    for (size_t i = 0; i < gr->count; i++) {
        group *g = gr->items[i];
        buf_puts(b, "  ");
        buf_printf(b, "%s", "");
        buf tmp;
        buf_init(&tmp);
        text_escape(&tmp, g->label, strlen(g->label));
        put_padded(b, buf_str(&tmp), lw);
        buf_free(&tmp);
        buf_printf(b, " %6lu", g->conversations);
        text_cell(b, g->answered_within, g->sl_counted);
        int64_t cells[] = {group_frt_quantile(g, true), group_frt_quantile(g, false),
                           g->closed ? g->handle_total_ms / (int64_t)g->closed : AUDIT_NONE};
        for (size_t k = 0; k < 3; k++) {
            buf tmp2;
            buf_init(&tmp2);
            report_duration(&tmp2, cells[k]);
            buf_printf(b, " %8s", buf_str(&tmp2));
            buf_free(&tmp2);
        }
        text_cell(b, g->greeting_correct, g->greeted);
        text_cell(b, g->polite, g->polite_checked);
        text_cell(b, g->surname_used, g->surname_known);
        text_cell(b, g->holds_ok, g->holds);
        text_cell(b, g->closing_asked, g->goodbyes);
        buf_printf(b, " %9lu\n", g->forbidden);
        if (!g->per_rule || !(r->opt.by & AUDIT_BY_AGENT))
            continue;
        for (size_t k = 0; k < lint_rule_count(r->lint); k++) {
            if (!g->per_rule[k])
                continue;
            const phrase_example *e = &g->examples[k];
            buf_printf(b, "      %4lu x %s  e.g. ", g->per_rule[k], lint_rule_phrase(r->lint, k));
            put_safe(b, e->file);
            buf_printf(b, ":%lu:%zu ", e->line, e->column + 1);
            buf tmp3;
            buf_init(&tmp3);
            text_escape(&tmp3, e->text, strlen(e->text));
            size_t cols;
            size_t n = text_fit(buf_str(&tmp3), tmp3.len, 60, false, &cols);
            buf_append(b, buf_str(&tmp3), n);
            buf_puts(b, n < tmp3.len ? "…\n" : "\n");
            buf_free(&tmp3);
        }
    }
}

/* The "listen to these first" list. */
static void text_worst(auditreport *r, buf *b)
{
    if (!r->worst_count)
        return;
    buf_printf(b, "\nListen to these first (most rule breaches, then the longest wait)\n");
    for (size_t i = 0; i < r->worst_count; i++) {
        const worst_entry *w = &r->worst[i];
        buf_printf(b, "  %2zu. ", i + 1);
        put_safe(b, w->file);
        buf_printf(b, ":%lu ", w->line);
        put_safe(b, w->id);
        if (w->agent[0]) {
            buf_puts(b, " agent ");
            put_safe(b, w->agent);
            if (w->agent_name[0]) {
                buf_putc(b, ' ');
                put_safe(b, w->agent_name);
            }
        }
        buf_printf(b, ": %u breach%s", w->breaches, w->breaches == 1 ? "" : "es");
        if (w->reasons[0])
            buf_printf(b, " (%s)", w->reasons);
        buf_puts(b, ", longest wait ");
        report_duration(b, w->longest_wait_ms);
        buf_putc(b, '\n');
        for (size_t k = 0; k < w->offence_count; k++) {
            const audit_offence *o = &w->offences[k];
            buf_puts(b, "      ");
            put_safe(b, o->file);
            buf_printf(b, ":%lu:%zu ", o->line, o->column + 1);
            put_safe(b, o->match);
            buf_puts(b, ": ");
            put_safe(b, o->text);
            buf_putc(b, '\n');
        }
    }
}

/* ==== JSON totals ========================================================================= */

/* Appends a total's statistics; median and p90 come from a histogram, within 0.05 %, so they
 * are written to a tenth of a second. */
static void json_stats(buf *b, const char *name, const audit_stats *s)
{
    buf_printf(b, ",\"%s\":{\"count\":%llu,\"median_s\":", name, (unsigned long long)s->count);
    if (s->count)
        buf_printf(b, "%.1f,\"p90_s\":%.1f,\"max_s\":", (double)s->median / 1000.0,
                   (double)s->p90 / 1000.0);
    else
        buf_puts(b, "null,\"p90_s\":null,\"max_s\":");
    put_seconds(b, s->max, false);
    buf_putc(b, '}');
}

/* A percentage for JSON: null when nothing counts. */
static void json_percent(buf *b, const char *name, uint64_t part, uint64_t whole)
{
    double p = audit_percent(part, whole);
    if (p < 0)
        buf_printf(b, ",\"%s\":null", name);
    else
        buf_printf(b, ",\"%s\":%.2f", name, p);
}

/* The per-phrase counts of the JSON totals. */
static void json_phrases(auditreport *r, const audit_totals *t, buf *b)
{
    buf_puts(b, ",\"phrases\":[");
    bool first = true;
    for (size_t i = 0; i < lint_rule_count(r->lint); i++) {
        if (!t->per_rule[i])
            continue;
        buf_puts(b, first ? "{\"phrase\":" : ",{\"phrase\":");
        first = false;
        buf_json_string(b, lint_rule_phrase(r->lint, i));
        buf_printf(b, ",\"kind\":\"%s\",\"better\":", lint_kind_name(lint_rule_kind(r->lint, i)));
        buf_json_string(b, lint_rule_better(r->lint, i) ? lint_rule_better(r->lint, i) : "");
        buf_printf(b, ",\"count\":%lu}", t->per_rule[i]);
    }
    buf_printf(b, "],\"placeholders\":%lu,\"missing_markers\":%lu", t->placeholders, t->missing);
}

/* The "header" object: period, playbook, targets, filters. */
static void json_header(auditreport *r, const audit_totals *t, buf *b)
{
    const audit_options *o = &r->opt.audit;
    buf_puts(b, "\"header\":{\"from\":");
    if (t->first_opened == AUDIT_NONE)
        buf_puts(b, "null,\"to\":null");
    else {
        buf_putc(b, '"');
        report_ts(b, t->first_opened, t->period_tz_offset);
        buf_puts(b, "\",\"to\":\"");
        report_ts(b, t->last_opened, t->period_tz_offset);
        buf_putc(b, '"');
    }
    buf_puts(b, ",\"since\":");
    if (o->has_since) {
        buf_putc(b, '"');
        report_ts(b, o->since_ms, 0);
        buf_putc(b, '"');
    } else
        buf_puts(b, "null");
    buf_puts(b, ",\"until\":");
    if (o->has_until) {
        buf_putc(b, '"');
        report_ts(b, o->until_ms, 0);
        buf_putc(b, '"');
    } else
        buf_puts(b, "null");
    buf_puts(b, ",\"agent\":");
    json_string_or_null(b, o->agent);
    buf_puts(b, ",\"playbook\":");
    json_string_or_null(b, r->opt.playbook);
    buf_puts(b, ",\"playbook_source\":");
    json_string_or_null(b, r->opt.source);
    buf_printf(
        b, ",\"answer_within_s\":%.3f,\"target_percent\":", (double)t->answer_within_ms / 1000.0);
    if (t->target_percent > 0)
        buf_printf(b, "%.2f", t->target_percent);
    else
        buf_puts(b, "null");
    buf_printf(b,
               ",\"hold_checkin_s\":%.3f,\"median\":\"middle value, or the mean of the two "
               "middle ones\",\"p90\":\"nearest rank\"},",
               (double)o->checkin_ms / 1000.0);
}

/* One group as a JSON object. */
static void json_group(auditreport *r, group *g, buf *b)
{
    buf_puts(b, "{\"label\":");
    buf_json_string(b, g->label);
    if (g->agent || g->agent_name || (r->opt.by & AUDIT_BY_AGENT)) {
        buf_puts(b, ",\"agent\":");
        json_string_or_null(b, g->agent);
        buf_puts(b, ",\"agent_name\":");
        json_string_or_null(b, g->agent_name);
    }
    if (g->week[0])
        buf_printf(b, ",\"week\":\"%s\"", g->week);
    if (g->day[0])
        buf_printf(b, ",\"day\":\"%s\"", g->day);
    if (g->hour >= 0)
        buf_printf(b, ",\"hour\":%d", g->hour);
    buf_printf(b,
               ",\"conversations\":%lu,\"closed\":%lu,\"answered_within\":%llu,\"sl_counted\":%llu",
               g->conversations, g->closed, (unsigned long long)g->answered_within,
               (unsigned long long)g->sl_counted);
    json_percent(b, "service_level", g->answered_within, g->sl_counted);
    buf_printf(b, ",\"first_response\":{\"count\":%zu,\"median_s\":", g->frt_count);
    put_seconds(b, group_frt_quantile(g, true), false);
    buf_puts(b, ",\"p90_s\":");
    put_seconds(b, group_frt_quantile(g, false), false);
    buf_puts(b, "},\"handle_average_s\":");
    put_seconds(b, g->closed ? g->handle_total_ms / (int64_t)g->closed : AUDIT_NONE, false);
    json_percent(b, "greeting", g->greeting_correct, g->greeted);
    json_percent(b, "polite", g->polite, g->polite_checked);
    json_percent(b, "surname", g->surname_used, g->surname_known);
    json_percent(b, "hold_checkin", g->holds_ok, g->holds);
    json_percent(b, "closing", g->closing_asked, g->goodbyes);
    json_percent(b, "apology", g->apologies, g->complaints);
    buf_printf(b, ",\"holds\":%lu,\"checkins\":%lu,\"late_checkins\":%lu,\"unanswered\":%lu",
               g->holds, g->checkins, g->late_checkins, g->unanswered);
    buf_printf(b, ",\"promises_met\":%lu,\"promises_missed\":%lu,\"forbidden\":%lu,\"phrases\":[",
               g->promises_met, g->promises_missed, g->forbidden);
    bool first = true;
    for (size_t k = 0; g->per_rule && k < lint_rule_count(r->lint); k++) {
        if (!g->per_rule[k])
            continue;
        const phrase_example *e = &g->examples[k];
        buf_puts(b, first ? "{\"phrase\":" : ",{\"phrase\":");
        first = false;
        buf_json_string(b, lint_rule_phrase(r->lint, k));
        buf_printf(b, ",\"count\":%lu,\"file\":", g->per_rule[k]);
        buf_json_string(b, e->file);
        buf_printf(b, ",\"line\":%lu,\"column\":%zu,\"text\":", e->line, e->column + 1);
        buf_json_string(b, e->text);
        buf_putc(b, '}');
    }
    buf_puts(b, "]}");
}

static void json_grouping(auditreport *r, const char *name, grouping *gr, buf *b)
{
    buf_printf(b, ",\"%s\":[", name);
    for (size_t i = 0; i < gr->count; i++) {
        buf_puts(b, i ? ",\n" : "\n");
        json_group(r, gr->items[i], b);
    }
    buf_puts(b, "]");
}

/* The chart data: what the HTML page draws and the text report's bars show. */
static void json_charts(auditreport *r, buf *b)
{
    buf_puts(b, ",\"charts\":{\"frt_histogram\":[");
    for (size_t i = 0; i < FRT_BINS; i++) {
        buf_printf(b, "%s{\"from_s\":%d,\"to_s\":", i ? "," : "", frt_edges[i]);
        if (i + 1 < FRT_BINS)
            buf_printf(b, "%d", frt_edges[i + 1]);
        else
            buf_puts(b, "null");
        buf_printf(b, ",\"count\":%llu}", (unsigned long long)r->frt_bins[i]);
    }
    buf_puts(b, "],\"sl_by_day\":[");
    for (size_t i = 0; i < r->by_day.count; i++) {
        const group *g = r->by_day.items[i];
        buf_printf(b, "%s{\"day\":\"%s\"", i ? "," : "", g->day);
        json_percent(b, "service_level", g->answered_within, g->sl_counted);
        buf_printf(b, ",\"sl_counted\":%llu}", (unsigned long long)g->sl_counted);
    }
    buf_puts(b, "],\"sl_by_hour\":[");
    for (size_t i = 0; i < r->by_hour.count; i++) {
        const group *g = r->by_hour.items[i];
        buf_printf(b, "%s{\"hour\":%d", i ? "," : "", g->hour);
        json_percent(b, "service_level", g->answered_within, g->sl_counted);
        buf_printf(b, ",\"sl_counted\":%llu}", (unsigned long long)g->sl_counted);
    }
    buf_puts(b, "]}");
}

static void json_worst(auditreport *r, buf *b)
{
    buf_puts(b, ",\"worst\":[");
    for (size_t i = 0; i < r->worst_count; i++) {
        const worst_entry *w = &r->worst[i];
        buf_puts(b, i ? ",\n{\"conv\":" : "\n{\"conv\":");
        buf_json_string(b, w->id);
        buf_puts(b, ",\"file\":");
        buf_json_string(b, w->file);
        buf_printf(b, ",\"line\":%lu,\"agent\":", w->line);
        json_string_or_null(b, w->agent);
        buf_printf(b, ",\"breaches\":%u,\"reasons\":", w->breaches);
        buf_json_string(b, w->reasons);
        buf_puts(b, ",\"longest_wait_s\":");
        put_seconds(b, w->longest_wait_ms, false);
        buf_puts(b, ",\"excerpt\":[");
        for (size_t k = 0; k < w->excerpt_count; k++) {
            buf_printf(b, "%s{\"line\":%lu,\"from\":\"%s\",\"text\":", k ? "," : "",
                       w->excerpt[k].line, w->excerpt[k].agent ? "agent" : "customer");
            buf_json_string(b, w->excerpt[k].text);
            buf_putc(b, '}');
        }
        buf_puts(b, "]}");
    }
    buf_puts(b, "]");
}

/* The "totals" object (and groups, charts, worst list), closing the JSON document. */
static void json_totals(auditreport *r, const audit_totals *t, buf *b)
{
    if (!r->opt.summary)
        buf_puts(b, r->rows ? "\n]," : "],");
    json_header(r, t, b);
    buf_printf(b, "\"totals\":{\"lines\":%lu,\"events\":%lu,\"bad_lines\":%lu", t->lines, t->events,
               t->bad_lines);
    buf_printf(b, ",\"conversations\":%lu,\"closed\":%lu,\"open_at_end\":%lu", t->conversations,
               t->closed, t->open_at_end);
    buf_printf(b, ",\"records_after_quiet\":%lu,\"left_out\":%lu", t->after_idle, t->filtered);
    json_stats(b, "first_response", &t->first_response);
    json_stats(b, "next_response", &t->next_response);
    json_stats(b, "handle", &t->handle);
    buf_puts(b, ",\"handle_average_s\":");
    put_seconds(b, t->closed ? t->handle_total_ms / (int64_t)t->closed : AUDIT_NONE, false);
    buf_printf(b, ",\"answer_within_s\":%.3f,\"answered_within\":%llu,\"sl_counted\":%llu",
               (double)t->answer_within_ms / 1000.0, (unsigned long long)t->answered_within,
               (unsigned long long)t->sl_counted);
    json_percent(b, "service_level", t->answered_within, t->sl_counted);
    if (t->target_percent > 0)
        buf_printf(b, ",\"target_percent\":%.2f", t->target_percent);
    buf_puts(b, ",\"waited_s\":");
    put_seconds(b, t->waited_ms, false);
    buf_printf(b, ",\"unanswered\":%lu,\"holds\":%lu,\"longest_hold_s\":", t->unanswered, t->holds);
    put_seconds(b, t->longest_hold_ms, false);
    buf_printf(b, ",\"checkins\":%lu,\"late_checkins\":%lu,\"holds_on_time\":%lu", t->checkins,
               t->late_checkins, t->holds_ok);
    buf_printf(b, ",\"agent_conversations\":%lu,\"greeting\":%lu,\"greeting_correct\":%lu",
               t->greeted_convs, t->greeting_present, t->greeting_correct);
    buf_printf(b, ",\"goodbyes\":%lu,\"closing_followed\":%lu", t->goodbyes, t->closing_followed);
    buf_printf(b, ",\"surname_known\":%lu,\"surname_used\":%lu", t->surname_known, t->surname_used);
    buf_printf(b, ",\"polite_checked\":%lu,\"polite\":%lu", t->polite_checked, t->polite);
    buf_printf(b, ",\"complaints\":%lu,\"apologies\":%lu,\"promised\":%lu", t->complaints,
               t->apologies, t->promised);
    buf_printf(b, ",\"promises_met\":%lu,\"promises_missed\":%lu,\"promises_pending\":%lu",
               t->promises_met, t->promises_missed, t->promises_pending);
    buf_printf(b, ",\"forbidden\":%lu,\"conversations_with_forbidden\":%lu", t->forbidden,
               t->convs_with_forbidden);
    json_phrases(r, t, b);
    buf_puts(b, ",\"percent\":{");
    for (int i = 0; audit_gate_keys[i]; i++) {
        double v = audit_gate_value(t, audit_gate_keys[i]);
        if (v < 0)
            buf_printf(b, "%s\"%s\":null", i ? "," : "", audit_gate_keys[i]);
        else
            buf_printf(b, "%s\"%s\":%.2f", i ? "," : "", audit_gate_keys[i], v);
    }
    buf_puts(b, "}}");
    if (r->opt.by)
        json_grouping(r, "groups", &r->user, b);
    json_grouping(r, "agents", &r->by_agent, b);
    json_charts(r, b);
    json_worst(r, b);
    buf_puts(b, "}\n");
}

/* ==== CSV totals ========================================================================== */

/* The TOTAL row of the CSV report (and the group rows when grouped). */
static void csv_totals(auditreport *r, const audit_totals *t, buf *b)
{
    if (r->opt.by)
        for (size_t i = 0; i < r->user.count; i++) {
            group *g = r->user.items[i];
            put_csv_field(b, g->label);
            buf_printf(b, ",,,");
            put_csv_field(b, g->agent ? g->agent : "");
            buf_putc(b, ',');
            put_csv_field(b, g->agent_name ? g->agent_name : "");
            buf_printf(b, ",%s,,%lu,", g->day, g->conversations);
            put_seconds(b, g->closed ? g->handle_total_ms / (int64_t)g->closed : AUDIT_NONE, true);
            buf_putc(b, ',');
            put_seconds(b, group_frt_quantile(g, true), true);
            buf_printf(b, ",,,,%llu,%llu", (unsigned long long)g->answered_within,
                       (unsigned long long)g->sl_counted);
            csv_percent(b, g->answered_within, g->sl_counted);
            buf_printf(b, ",,%lu,%lu,,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,,%lu,%lu,%lu\n",
                       g->unanswered, g->holds, g->checkins, g->late_checkins, g->greeting_present,
                       g->greeting_correct, g->polite, g->goodbyes, g->closing_asked,
                       g->surname_known, g->surname_used, g->complaints, g->apologies,
                       g->promises_met, g->promises_missed, g->forbidden);
        }
    buf_printf(b, "TOTAL,,,,,,,%lu,", t->conversations);
    int64_t times[] = {t->closed ? t->handle_total_ms / (int64_t)t->closed : AUDIT_NONE,
                       t->first_response.median, t->next_response.median, t->next_response.p90,
                       t->next_response.max};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        put_seconds(b, times[i], true);
        buf_putc(b, ',');
    }
    buf_printf(b, "%llu,%llu", (unsigned long long)t->answered_within,
               (unsigned long long)t->sl_counted);
    csv_percent(b, t->answered_within, t->sl_counted);
    buf_putc(b, ',');
    put_seconds(b, t->waited_ms, true);
    buf_printf(b, ",%lu,%lu,", t->unanswered, t->holds);
    put_seconds(b, t->longest_hold_ms, true);
    buf_printf(b, ",%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,,%lu,%lu,%lu\n", t->checkins,
               t->late_checkins, t->greeting_present, t->greeting_correct, t->polite, t->goodbyes,
               t->closing_followed, t->surname_known, t->surname_used, t->complaints, t->apologies,
               t->promises_met, t->promises_missed, t->forbidden);
}

void auditreport_finish(auditreport *r, const audit_totals *t, buf *out)
{
    grouping_sort(&r->user);
    grouping_sort(&r->by_day);
    grouping_sort(&r->by_hour);
    grouping_sort(&r->by_agent);
    if (r->worst_count)
        qsort(r->worst, r->worst_count, sizeof *r->worst, cmp_worst);
    switch (r->opt.format) {
    case AUDIT_FORMAT_TEXT:
        text_header(r, t, out);
        text_totals(r, t, out);
        text_groups(r, out);
        text_sl_by_day(r, t, out);
        text_frt(r, out);
        text_worst(r, out);
        break;
    case AUDIT_FORMAT_JSON:
        json_totals(r, t, out);
        break;
    case AUDIT_FORMAT_CSV:
        csv_totals(r, t, out);
        break;
    case AUDIT_FORMAT_HTML:
        audithtml_finish(r, t, out);
        break;
    }
}
