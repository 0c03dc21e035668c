/* audit: service KPIs and rule compliance over a stream of events (the JSONL event format),
 * per conversation and in total. Streaming: a conversation's state lives from its first event
 * to its close and is then reported and freed; totals use fixed-size histograms. Each open
 * conversation runs through its own engine, so states, holds and complaint promises follow
 * the playbook exactly as in the console. Pure: no I/O. */
#ifndef HUASHU_AUDIT_H
#define HUASHU_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/lint.h"
#include "core/playbook.h"

#define AUDIT_NONE (-1) /* a duration that does not apply */

typedef struct audit_options {
    int64_t answer_within_ms; /* service level "answered within Y": 0 = response_limit (30 s) */
    double target_percent;    /* X of an X/Y target, 0 when none */
    int64_t checkin_ms;       /* hold check-in interval: 0 = hold_checkin (25 s) */
    size_t keep_offences;     /* offending lines kept per conversation: 0 = 20 */
    int64_t idle_ms;          /* a conversation quiet this long has ended, never closed: 0 = 24 h */
    bool has_since, has_until;
    int64_t since_ms, until_ms; /* count only conversations opened in [since, until) */
    const char *agent;          /* count only this agent's conversations (number or name) */
    size_t keep_excerpt;        /* messages kept per conversation for excerpts: 0 = none */
} audit_options;

/* Median (the usual one: the mean of the two middle values of an even count), 90th percentile
 * (nearest rank) and maximum of a set of durations, in ms. */
typedef struct audit_stats {
    uint64_t count;
    int64_t median, p90, max; /* AUDIT_NONE when count is 0 */
} audit_stats;

/* A forbidden phrase (or placeholder, or marker) in an agent's message. */
typedef struct audit_offence {
    int rule; /* lint rule, -1 for placeholders and markers */
    lint_kind kind;
    const char *file;
    unsigned long line;
    size_t column; /* characters, 0-based */
    char *match;   /* what was written */
    char *text;    /* the whole message */
} audit_offence;

typedef enum audit_promise {
    PROMISE_NONE,    /* no complaint deadline was set */
    PROMISE_MET,     /* the conversation was closed by the promised time */
    PROMISE_MISSED,  /* still open when the promised time passed */
    PROMISE_PENDING, /* open at the end of the input, the time not yet passed */
} audit_promise;

/* A message kept for the excerpt of a conversation. */
typedef struct audit_message {
    int64_t at;
    bool agent; /* else the customer */
    unsigned long line;
    char *text; /* at most AUDIT_EXCERPT_BYTES, cut on a character boundary */
} audit_message;

#define AUDIT_EXCERPT_BYTES 400
#define AUDIT_AGENT_MAX     64

/* One conversation's figures, handed to the reporter when it closes or at the end. */
typedef struct audit_conv {
    char id[129];
    char agent[AUDIT_AGENT_MAX + 1];      /* the record's "agent", "" when none */
    char agent_name[AUDIT_AGENT_MAX + 1]; /* "agent_name", "" when none */
    bool closed; /* false: never closed (open at the end of the input, or idle too long) */
    bool phone;
    const char *file; /* where its first event was */
    unsigned long first_line;
    int64_t opened_at, ended_at; /* ended_at: close, or the last time seen in the input */
    int tz_offset;               /* of its first event, for writing times */
    int64_t handle_ms;           /* open to close; AUDIT_NONE while open */
    int64_t first_response_ms;   /* AUDIT_NONE when the customer never waited for an answer */
    audit_stats next_response;   /* answers after the first */
    uint64_t answered_within, sl_counted; /* service level: within Y of those that count */
    int64_t waited_ms;                    /* all time customers waited for an answer */
    unsigned unanswered;                  /* waits nobody answered before close or the end */
    unsigned holds, checkins, late_checkins, holds_ok;
    int64_t longest_hold_ms; /* AUDIT_NONE when no hold */
    unsigned agent_messages;
    bool greeting_present, greeting_correct;
    bool goodbye, closing_asked; /* goodbye said; "还有什么可以帮您" asked before it */
    bool surname_known, surname_used;
    bool polite_checked, polite; /* the playbook forbids 你 and the agent spoke; never said 你 */
    bool complaint, apology;
    int64_t promised_by; /* AUDIT_NONE when no promise */
    audit_promise promise;
    unsigned forbidden; /* hits in the agent's messages */
    audit_offence *offences;
    size_t offence_count;    /* kept ones (at most keep_offences) */
    int64_t longest_wait_ms; /* the longest single wait for an answer, AUDIT_NONE when none */
    audit_message *excerpt;  /* the first keep_excerpt messages */
    size_t excerpt_count;
} audit_conv;

typedef struct audit_totals {
    unsigned long lines, events, bad_lines;
    unsigned long conversations, closed, open_at_end;
    audit_stats first_response, next_response, handle;
    int64_t handle_total_ms;
    uint64_t answered_within, sl_counted;
    int64_t answer_within_ms;
    double target_percent;
    int64_t waited_ms;
    unsigned long unanswered;
    unsigned long holds, checkins, late_checkins, holds_ok;
    int64_t longest_hold_ms;
    unsigned long forbidden, convs_with_forbidden;
    unsigned long *per_rule; /* lint_rule_count() entries */
    unsigned long placeholders, missing;
    unsigned long greeted_convs, greeting_present, greeting_correct; /* greeted: agent spoke */
    unsigned long goodbyes, closing_followed;
    unsigned long surname_known, surname_used;
    unsigned long polite_checked, polite;
    unsigned long after_idle; /* records for a conversation already ended by 24 h of quiet */
    unsigned long filtered;   /* conversations left out by since/until/agent */
    int64_t first_opened, last_opened; /* of the counted conversations; AUDIT_NONE when none */
    int period_tz_offset;              /* the UTC offset of the first of them, for writing */
    unsigned long complaints, apologies, promised, promises_met, promises_missed, promises_pending;
} audit_totals;

typedef struct audit audit;

typedef void (*audit_reporter)(void *ctx, const audit_conv *c);

/* An audit against pb and its lint l (both borrowed). NULL when out of memory. */
audit *audit_new(const playbook *pb, const lint *l, const audit_options *o);
void audit_free(audit *a);
/* Called with each conversation as it closes (and at audit_finish for those still open). */
void audit_set_reporter(audit *a, audit_reporter fn, void *ctx);

/* Parses and applies one JSONL line (file and line number name it in reports). Returns false
 * with a message in err for a bad line, which is counted and otherwise ignored. Blank lines
 * are neither events nor bad. */
bool audit_feed_line(audit *a, const char *line, size_t len, const char *file, unsigned long number,
                     char *err, size_t errlen);
/* Applies one parsed event; false with a message when the engine cannot use it. */
bool audit_feed(audit *a, const event *ev, const char *file, unsigned long number, char *err,
                size_t errlen);
/* Counts a line the caller could not even read (too long) as bad. */
void audit_count_bad(audit *a);
/* Reports the conversations still open, then computes the totals. */
void audit_finish(audit *a);
const audit_totals *audit_get_totals(const audit *a);

/* A percentage part/whole, or -1 when whole is 0. */
double audit_percent(uint64_t part, uint64_t whole);

#endif
