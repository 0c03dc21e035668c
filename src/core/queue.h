/* queue: which conversation needs the agent first, and the one timer that matters for each
 * (unanswered for, on hold for, the ladder's next line). Pure: the clock is passed in. */
#ifndef HUASHU_QUEUE_H
#define HUASHU_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"

#define QUEUE_NEVER INT64_MAX

typedef enum queue_timer {
    QUEUE_IDLE,    /* nothing is running */
    QUEUE_WAITING, /* a customer message is unanswered: limit is the response limit */
    QUEUE_HOLD,    /* on hold: limit is the check-in interval */
    QUEUE_LADDER,  /* a ladder counts toward its next line */
    QUEUE_CLOSED,
} queue_timer;

typedef enum queue_level {
    LEVEL_OK,
    LEVEL_NEAR, /* within a third of the limit */
    LEVEL_PAST, /* past the limit, or a ladder line is due and the agent has not spoken */
} queue_level;

typedef struct queue_item {
    size_t index; /* engine_at() index */
    queue_timer timer;
    queue_level level;
    bool prompt;       /* a ladder line fired after the agent last spoke */
    int64_t due;       /* when the agent must act, QUEUE_NEVER when nothing is due */
    int64_t elapsed;   /* ms to show: waited, on hold for, since the ladder step */
    int64_t limit;     /* ms the timer runs to, 0 for none */
    int64_t opened_at; /* tie-break */
} queue_item;

/* Computes the timer that matters for conversation index at now; last_agent_at is when the
 * agent last sent a line in it (0 when never). */
void queue_item_compute(const engine *e, size_t index, int64_t now, int64_t last_agent_at,
                        queue_item *out);
/* Orders items most urgent first: earliest due, then past before near, then oldest. */
void queue_sort(queue_item *items, size_t n);
/* When the current ladder step of c fires next, QUEUE_NEVER when none is pending. */
int64_t queue_ladder_next(const engine *e, const conversation *c);

#endif
