/* suggest: which playbook lines fit a conversation now, ranked, with placeholders filled. */
#ifndef HUASHU_SUGGEST_H
#define HUASHU_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/engine.h"

#define SUGGEST_MAX         9
#define SUGGEST_MAX_MISSING 8

typedef enum suggest_reason {
    REASON_TRANSITION, /* the line the last transition calls for */
    REASON_LADDER,     /* the ladder's current step */
    REASON_LATE,       /* the customer waited past the limit */
    REASON_STATE,      /* a line of the current state */
    REASON_GREETING,   /* the agent has not greeted yet */
} suggest_reason;

typedef struct suggestion {
    int line; /* index into playbook.lines */
    suggest_reason reason;
    char *text;                               /* filled, malloc'd */
    const char *missing[SUGGEST_MAX_MISSING]; /* placeholders with no value (names) */
    size_t missing_count;
} suggestion;

/* Fills a line's placeholders for conversation c at time now. Values come from the customer,
 * the conversation's values, the engine's config, the clock and calendar, then the line's
 * and the placeholder's fallbacks; a placeholder with none is written as 【label】 and listed
 * in missing. Returns the number of missing placeholders. */
size_t suggest_fill(const engine *e, const conversation *c, int line, int64_t now, buf *out,
                    const char **missing, size_t max_missing);

/* Ranks up to max lines for c at now into out; returns how many. Free with suggest_clear. */
size_t suggest_rank(const engine *e, const conversation *c, int64_t now, suggestion *out,
                    size_t max);
void suggest_clear(suggestion *s, size_t n);

/* Reorders fresh[0..n) so that every line also in kept[0..kept_n) keeps its position there
 * (the numbers the agent sees do not move); the other lines fill the free positions in their
 * ranked order. */
void suggest_keep_order(const suggestion *kept, size_t kept_n, suggestion *fresh, size_t n);

/* True when text, a suggestion the agent may have edited, still carries playbook line `line`
 * as filled for c at now (linematch_carries at LINEMATCH_THRESHOLD): a message that no
 * longer does is sent with no line id. */
bool suggest_still_carries(const engine *e, const conversation *c, int line, const char *text,
                           int64_t now);

/* The time-of-day and holiday greetings of the playbook at now (NULL when none applies). */
const char *suggest_time_greeting(const playbook *pb, int64_t now, int tz_offset);
const char *suggest_holiday_greeting(const playbook *pb, int64_t now, int tz_offset);

#endif
