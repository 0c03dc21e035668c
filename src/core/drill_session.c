/* drill_session: an engine, a drill run and the clock between them, with one cap. */
#include "core/drill_session.h"

#include <stdio.h>
#include <stdlib.h>

/* Deadlines played by one session at most: the run ends at DRILL_MAX_STEPS steps and its time
 * limit, the engine's timers repeat at most every second or so; this only stops a bug. */
#define MAX_TICKS (DRILL_MAX_STEPS * 1000L)

struct drill_session {
    engine *e;
    bool own; /* e is the session's */
    drill_run *run;
    drill_emit emit; /* attached: where customer events go */
    void *emit_ctx;
    drill_session_listener listener;
    void *listener_ctx;
    long ticks;
};

/* Own engine: a customer event goes to the engine, then back to the run. */
static void own_emit(void *ctx, const event *ev)
{
    drill_session *s = ctx;
    char err[256] = "";
    bool fed = engine_feed(s->e, ev, err, sizeof err);
    if (s->listener)
        s->listener(s->listener_ctx, ev, fed, err);
    if (fed)
        drill_run_event(s->run, ev);
}

static void own_change(void *ctx, const conversation *c, int64_t at, unsigned changes)
{
    drill_session *s = ctx;
    if (s->run)
        drill_run_change(s->run, c, at, changes);
}

drill_session *drill_session_new(const drill *dr, const playbook *pb, const char *conv,
                                 int64_t start, int tz)
{
    drill_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->own = true;
    s->e = engine_new(pb);
    s->run = s->e ? drill_run_new(dr, s->e, conv, start, tz, own_emit, s) : NULL;
    if (!s->run) {
        drill_session_free(s);
        return NULL;
    }
    engine_set_observer(s->e, own_change, s);
    return s;
}

drill_session *drill_session_attach(const drill *dr, engine *e, const char *conv, int64_t start,
                                    int tz, drill_emit emit, void *ctx)
{
    drill_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->e = e;
    s->emit = emit;
    s->emit_ctx = ctx;
    s->run = drill_run_new(dr, e, conv, start, tz, emit, ctx);
    if (!s->run) {
        free(s);
        return NULL;
    }
    return s;
}

void drill_session_free(drill_session *s)
{
    if (!s)
        return;
    drill_run_free(s->run);
    if (s->own)
        engine_free(s->e);
    free(s);
}

void drill_session_set_trainee(drill_session *s, const char *name)
{
    drill_run_set_trainee(s->run, name);
}

void drill_session_set_listener(drill_session *s, drill_session_listener fn, void *ctx)
{
    s->listener = fn;
    s->listener_ctx = ctx;
}

engine *drill_session_engine(const drill_session *s)
{
    return s->e;
}

drill_run *drill_session_run(const drill_session *s)
{
    return s->run;
}

void drill_session_start(drill_session *s)
{
    drill_run_start(s->run);
}

int64_t drill_session_next_deadline(const drill_session *s)
{
    int64_t t = drill_run_next_deadline(s->run);
    if (s->own && !drill_run_done(s->run)) {
        int64_t te = engine_next_deadline(s->e);
        t = te < t ? te : t;
    }
    return t;
}

void drill_session_advance(drill_session *s, int64_t now)
{
    while (!drill_run_done(s->run)) {
        int64_t t = drill_session_next_deadline(s);
        if (t > now)
            break;
        if (++s->ticks > MAX_TICKS) { /* never expected: a timer that does not move on */
            drill_run_finish(s->run, t);
            return;
        }
        if (s->own)
            engine_advance(s->e, t);
        drill_run_advance(s->run, t);
    }
    if (now != ENGINE_NEVER && !drill_run_done(s->run)) {
        if (s->own)
            engine_advance(s->e, now);
        drill_run_advance(s->run, now);
    }
}

bool drill_session_feed(drill_session *s, const event *ev, char *err, size_t errlen)
{
    drill_session_advance(s, ev->ts_ms);
    if (drill_run_done(s->run)) {
        snprintf(err, errlen, "the drill is over");
        return false;
    }
    if (s->own && !engine_feed(s->e, ev, err, errlen))
        return false;
    drill_run_event(s->run, ev);
    return true;
}

void drill_session_event(drill_session *s, const event *ev)
{
    drill_run_event(s->run, ev);
}

void drill_session_change(drill_session *s, const conversation *c, int64_t at, unsigned changes)
{
    drill_run_change(s->run, c, at, changes);
}

bool drill_session_done(const drill_session *s)
{
    return drill_run_done(s->run);
}

int64_t drill_session_last_customer(const drill_session *s)
{
    const drill_result *res = drill_run_result(s->run);
    for (size_t i = res->said_count; i-- > 0;)
        if (res->transcript[i].from == FROM_CUSTOMER && res->transcript[i].text &&
            res->transcript[i].text[0] != '(') /* not "(hangs up)" */
            return res->transcript[i].at;
    return -1;
}

const drill_result *drill_session_finish(drill_session *s, int64_t now)
{
    drill_session_advance(s, now);
    const drill_result *res = drill_run_result(s->run);
    int64_t at = now == ENGINE_NEVER ? res->ended : now;
    return drill_run_finish(s->run, at);
}

const drill_result *drill_session_result(const drill_session *s)
{
    return drill_run_result(s->run);
}

const drill_step *drill_session_step(const drill_session *s, size_t *number)
{
    return drill_run_step(s->run, number);
}
