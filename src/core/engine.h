/* engine: every conversation's state, timers and ladder, driven by events and the clock.
 * Pure: no I/O; time only arrives through events' timestamps and engine_advance(). */
#ifndef HUASHU_ENGINE_H
#define HUASHU_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/playbook.h"

#define ENGINE_NEVER INT64_MAX
/* What replay and feed keep: closed conversations for 10 minutes, 200,000 open at once. */
#define ENGINE_FORGET_MS 600000
#define ENGINE_MAX_OPEN  200000

/* What changed in a conversation (bits passed to the observer). */
enum {
    CHANGE_OPEN = 1u << 0,
    CHANGE_STATE = 1u << 1,
    CHANGE_URGENT = 1u << 2,   /* became urgent, or stopped being */
    CHANGE_LADDER = 1u << 3,   /* a ladder step fired */
    CHANGE_CUSTOMER = 1u << 4, /* name, surname or title learned */
    CHANGE_VALUES = 1u << 5,   /* lookup results or asked values */
    CHANGE_DEADLINE = 1u << 6, /* a complaint promise was made, or is now overdue */
    CHANGE_CLOSE = 1u << 7,
    CHANGE_MESSAGE = 1u << 8, /* a message arrived or was sent */
};

typedef struct conv_value {
    char *name; /* "order.status", "colleague", ... */
    char *value;
} conv_value;

typedef struct conversation {
    char id[129];
    int state;      /* index into playbook.states */
    int prev_state; /* PB_NONE when there is none */
    bool phone;     /* phone call rather than chat */
    bool closed;
    int64_t closed_at; /* when it closed (when closed) */
    char name[97], surname[33], title[33];
    int tz_offset; /* of the latest event, for time-of-day greetings */
    int64_t opened_at;
    int64_t state_since;
    bool waiting;             /* a customer message is unanswered */
    int64_t waiting_since;    /* when the oldest unanswered one arrived */
    bool urgent;              /* waiting past the response limit */
    bool chased;              /* the waiting customer asked where the agent is (人呢?) */
    bool answered_once;       /* the agent has replied: greeted */
    int64_t last_agent_at;    /* the agent's last message, 0 when none */
    bool sent_in_state;       /* the agent sent a message since entering the state */
    int64_t last_customer_at; /* or opened_at / state entry, for after: transitions */
    int64_t last_event_at;
    size_t ladder_step;  /* next step of the state's ladder to fire */
    int64_t ladder_base; /* when the ladder (re)started or last stepped */
    int ladder_line;     /* line the ladder suggests now, PB_NONE when none */
    bool ladder_ended;   /* an end step fired: the call may be ended */
    int ladder_awaits;   /* line the agent must send before the next step, PB_NONE */
    bool end_sent;       /* the agent sent a line marked end: the call or chat may end */
    int pending_line;    /* line suggested by the last transition, PB_NONE when none */
    int last_sent_line;  /* last playbook line the agent sent, PB_NONE when unknown */
    bool complaint_open;
    int64_t complaint_deadline; /* 0 when no promise was made */
    bool complaint_overdue;
    unsigned message_count;
    int unsure[3]; /* detection was unsure of the last customer message: the likeliest states */
    unsigned unsure_count;
    uint32_t asked; /* the replies the agent's last message opened (detect_asked) */
    conv_value *values;
    size_t value_count;
    int64_t next_deadline; /* engine-internal */
    size_t heap_pos;       /* engine-internal */
} conversation;

typedef struct engine engine;

typedef void (*engine_observer)(void *ctx, const conversation *c, int64_t at, unsigned changes);

/* An engine over pb (borrowed: it must outlive the engine). NULL when out of memory. */
engine *engine_new(const playbook *pb);
void engine_free(engine *e);
const playbook *engine_playbook(const engine *e);
/* Bounds memory on an endless stream: a conversation closed for forget_after_ms is freed (0
 * keeps every one; the last conversation then takes its engine_at index, so only callers that
 * hold no indices use it), and an event that would open more than max_open conversations at once
 * is refused with a message (0: no limit). */
void engine_set_limits(engine *e, int64_t forget_after_ms, size_t max_open);
/* Conversations not closed. */
size_t engine_open_count(const engine *e);
void engine_set_observer(engine *e, engine_observer fn, void *ctx);
/* Sets a config placeholder ({company}, {agent_no}...) for every conversation. */
bool engine_set_config(engine *e, const char *name, const char *value);
const char *engine_config(const engine *e, const char *name);
/* The response limit (playbook setting response_limit, default 30 s). */
int64_t engine_response_limit(const engine *e);

/* Fires every timer due at or before now, each at its own time, in time order. */
void engine_advance(engine *e, int64_t now);
/* Applies one event at its timestamp (after firing timers due before it). Returns false with
 * a message for events the engine cannot use (unknown state id, ...); nothing changes then. */
bool engine_feed(engine *e, const event *ev, char *err, size_t errlen);
/* The earliest time a timer fires, ENGINE_NEVER when none is pending. */
int64_t engine_next_deadline(const engine *e);
/* The latest time the engine has seen. */
int64_t engine_now(const engine *e);

size_t engine_count(const engine *e);
const conversation *engine_at(const engine *e, size_t i);
const conversation *engine_find(const engine *e, const char *id);
/* Sets a value ({colleague}, {order.status}) for one conversation; false when unknown conv. */
bool engine_set_value(engine *e, const char *conv, const char *name, const char *value,
                      int64_t now);
const char *conversation_value(const conversation *c, const char *name);

/* Milliseconds the customer has waited unanswered at now (0 when not waiting). */
int64_t conversation_waited(const conversation *c, int64_t now);
/* Milliseconds in the current state at now. */
int64_t conversation_in_state(const conversation *c, int64_t now);

#endif
