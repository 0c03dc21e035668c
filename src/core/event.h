/* event: the one JSON Lines record format of feeds, session logs, drills, replay and audit. */
#ifndef HUASHU_EVENT_H
#define HUASHU_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define EVENT_MAX_LINE   (64 * 1024)
#define EVENT_MAX_FIELDS 16

typedef enum event_type {
    EVENT_OPEN,
    EVENT_MESSAGE,
    EVENT_STATE,
    EVENT_KEY,
    EVENT_CLOSE,
    EVENT_LOOKUP,
} event_type;

typedef enum event_from {
    FROM_NONE,
    FROM_CUSTOMER,
    FROM_AGENT,
    FROM_SYSTEM,
} event_from;

typedef struct event_field {
    const char *name;
    const char *value;
} event_field;

/* A parsed record. Strings point into memory the event owns (released by event_release) or,
 * for events built in code, wherever the caller keeps them; all may be NULL when absent. */
typedef struct event {
    int64_t ts_ms; /* Unix milliseconds */
    int tz_offset; /* minutes east of UTC the timestamp was written in */
    const char *conv;
    event_type type;
    event_from from;                    /* message */
    const char *text;                   /* message */
    const char *line;                   /* message from the agent: playbook line id it came from */
    const char *state;                  /* state */
    const char *key;                    /* key: the agent action (hold, transfer, ...) */
    const char *channel;                /* open: "chat" (default) or "phone" */
    const char *name, *surname, *title; /* open, or any event updating the customer */
    const char *kind;                   /* lookup: "order", "stock" */
    const char *agent;      /* optional, on open (or any record): who handled it, e.g. "1024" */
    const char *agent_name; /* optional, with agent: the agent's name */
    event_field fields[EVENT_MAX_FIELDS];
    size_t field_count; /* lookup: the fetched values */
    const char *raw;    /* the record as received (parsed events), written back unchanged */
    size_t raw_len;
    void *owned; /* memory behind raw and the decoded strings */
    void *json;  /* jansson's parse (json_t *), for records off the fast path */
} event;

/* Parses one JSON line. Returns true on success; otherwise writes a message (naming the
 * column where possible) to err and leaves *ev released. */
bool event_parse(event *ev, const char *line, size_t len, char *err, size_t errlen);
/* The same parse through jansson alone: the reference the fast path is fuzzed against. */
bool event_parse_reference(event *ev, const char *line, size_t len, char *err, size_t errlen);
/* Frees what event_parse allocated. */
void event_release(event *ev);
/* Initialises an event built in code (no JSON behind it). */
void event_init(event *ev, event_type type, const char *conv, int64_t ts_ms, int tz_offset);
/* Appends the event as one JSON line (newline included). A parsed event is written exactly as
 * it was received, unknown fields included. */
void event_format(buf *out, const event *ev);

/* event_format, with "agent" and "agent_name" added to an open record that has no agent of
 * its own (agent NULL or "": exactly event_format). The session log's open records say who
 * handled the conversation this way. */
void event_format_agent(buf *out, const event *ev, const char *agent, const char *agent_name);

const char *event_type_name(event_type t);
const char *event_from_name(event_from f);

#endif
