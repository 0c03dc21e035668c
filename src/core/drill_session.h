/* drill_session: the one harness that plays a drill: an engine, a run and an explicit clock.
 * huashu drill run, the console's drill mode and the unit, fuzz and torture tests all drive a
 * drill through it: new (or attach, to borrow a console's engine) / start / feed / advance /
 * finish. The run under it is capped (DRILL_MAX_STEPS steps entered, DRILL_MAX_TIME of drill
 * time), so no drill, however written, can keep its caller busy: it ends "step limit" or
 * "time limit". Pure: no I/O; time only arrives as arguments. */
#ifndef HUASHU_DRILL_SESSION_H
#define HUASHU_DRILL_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/drill.h"
#include "core/engine.h"
#include "core/event.h"

typedef struct drill_session drill_session;

/* Told of every customer event the session fed its own engine: fed false (with the engine's
 * message) when the engine refused it. */
typedef void (*drill_session_listener)(void *ctx, const event *ev, bool fed, const char *err);

/* A session over its own engine on pb (dr bound to pb), for conversation conv from start at
 * tz. NULL when out of memory. dr and pb are borrowed. */
drill_session *drill_session_new(const drill *dr, const playbook *pb, const char *conv,
                                 int64_t start, int tz);
/* A session on an engine the caller owns and feeds (the console): the customer's events go to
 * emit, which feeds the engine and hands each back to drill_session_event; the engine's
 * observer calls drill_session_change. */
drill_session *drill_session_attach(const drill *dr, engine *e, const char *conv, int64_t start,
                                    int tz, drill_emit emit, void *ctx);
void drill_session_free(drill_session *s);

void drill_session_set_trainee(drill_session *s, const char *name);
void drill_session_set_listener(drill_session *s, drill_session_listener fn, void *ctx);
engine *drill_session_engine(const drill_session *s);
drill_run *drill_session_run(const drill_session *s);

/* Opens the conversation and plays what is due at the start. */
void drill_session_start(drill_session *s);
/* The trainee's side (own engine): plays the clock to ev's time, then feeds ev to the engine
 * and the run. False with the engine's message when it refused ev, or the drill is over. */
bool drill_session_feed(drill_session *s, const event *ev, char *err, size_t errlen);
/* Attached sessions: an event the caller's engine took, and the engine's changes. */
void drill_session_event(drill_session *s, const event *ev);
void drill_session_change(drill_session *s, const conversation *c, int64_t at, unsigned changes);
/* Plays every deadline of the engine (own engine) and the run up to now, in order, then now
 * itself (ENGINE_NEVER: until the drill is over). */
void drill_session_advance(drill_session *s, int64_t now);
/* The next time something is due (the run's or the own engine's); ENGINE_NEVER when none. */
int64_t drill_session_next_deadline(const drill_session *s);
bool drill_session_done(const drill_session *s);
/* When the customer last said something so far ("after_customer" answers count from it); -1
 * before they have. */
int64_t drill_session_last_customer(const drill_session *s);
/* Plays what is left (the time still open, to the end) and scores the run; with now earlier
 * than the run's clock, it ends where it stands. */
const drill_result *drill_session_finish(drill_session *s, int64_t now);
/* The result so far. */
const drill_result *drill_session_result(const drill_session *s);
/* The step being played (NULL when over), and its number from 1. */
const drill_step *drill_session_step(const drill_session *s, size_t *number);

#endif
