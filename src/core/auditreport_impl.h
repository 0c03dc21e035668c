/* auditreport internals shared by the text/JSON/CSV writer (auditreport.c) and the HTML page
 * (audithtml.c). Not for other modules. */
#ifndef HUASHU_AUDITREPORT_IMPL_H
#define HUASHU_AUDITREPORT_IMPL_H

#include "core/auditreport.h"

/* The first place a phrase was said within a group, for its context. */
typedef struct phrase_example {
    const char *file;
    unsigned long line;
    size_t column;
    char *text;
} phrase_example;

/* The figures of one group of conversations (one agent, one day, ...). */
typedef struct group {
    char *label;              /* "1024 张三 · 2026-11-24", the sort key */
    char *agent, *agent_name; /* NULL when the grouping has no agent or the record none */
    char day[32], week[32];   /* "" when not grouped by them */
    int hour;                 /* -1 when not grouped by hour */
    unsigned long conversations, closed;
    int64_t handle_total_ms;
    uint64_t answered_within, sl_counted;
    uint32_t *frt; /* first responses by FRT_SLOTS seconds-wide slots (NULL for day/hour) */
    size_t frt_count;
    unsigned long greeted, greeting_present, greeting_correct, polite_checked, polite;
    unsigned long surname_known, surname_used, goodbyes, closing_asked;
    unsigned long holds, holds_ok, checkins, late_checkins;
    unsigned long complaints, apologies, promises_met, promises_missed, unanswered;
    unsigned long forbidden, convs_with_forbidden;
    unsigned long *per_rule;  /* lint_rule_count() entries, NULL until a phrase */
    phrase_example *examples; /* the first of each rule */
} group;

/* A group's first-response histogram: 1 s slots up to 5 min, 10 s to 30 min, 1 min to 3 h,
 * 10 min to 48 h: fixed size, so memory grows with the groups, never with the input. */
#define FRT_SLOTS 870

typedef struct grouping {
    unsigned by;
    bool frt;      /* its groups keep first-response histograms */
    group **items; /* sorted by label once finished */
    size_t count, cap;
    group **table; /* by label hash, open addressing */
    size_t table_cap;
} grouping;

/* A conversation of the "listen to these first" list, copied out of the audit. */
typedef struct worst_entry {
    char id[129];
    char agent[AUDIT_AGENT_MAX + 1], agent_name[AUDIT_AGENT_MAX + 1];
    const char *file;
    unsigned long line;
    int64_t opened_at;
    int tz_offset;
    unsigned breaches;
    int64_t longest_wait_ms;
    char *reasons; /* "2 forbidden phrases, no closing question" */
    audit_message *excerpt;
    size_t excerpt_count;
    audit_offence *offences; /* match and text copied */
    size_t offence_count;
} worst_entry;

/* Bins of the first-response histogram, in seconds: [edge[i], edge[i + 1]). */
#define FRT_BINS 10
extern const int frt_edges[FRT_BINS + 1]; /* the last is open-ended */

struct auditreport {
    const lint *lint;
    auditreport_options opt;
    unsigned long rows;
    grouping user; /* --by */
    grouping by_day, by_hour, by_agent;
    uint64_t frt_bins[FRT_BINS];
    worst_entry *worst;
    size_t worst_count;
    bool failed;
};

/* Shared helpers of the writers. */
void report_duration(buf *b, int64_t ms);
void report_ts(buf *b, int64_t ms, int tz_offset);
const char *report_phrase(const auditreport *r, int rule, lint_kind kind);
const char *report_better(const auditreport *r, int rule);
double group_sl(const group *g);
/* The median (the usual one) or p90 (nearest rank) of g's first responses, to the slot. */
int64_t group_frt_quantile(const group *g, bool median);
void report_period(buf *b, const audit_totals *t);

/* The HTML page (audithtml.c). */
void audithtml_finish(auditreport *r, const audit_totals *t, buf *out);

#endif
