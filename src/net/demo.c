#include "net/demo.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "net/paths.h"

struct demo {
    char *data;
    size_t len, pos;
    unsigned long line_no;
    loop *loop;
    unsigned timer;
    int64_t offset;  /* added to every timestamp of the file */
    int64_t last_at; /* delivery times never go backwards */
    int tz;          /* UTC offset the events are stamped in */
    event next;      /* parsed, waiting for its time */
    bool have_next;
    demo_sink sink;
    demo_problem problem;
    void *ctx;
    unsigned long delivered, skipped;
};

demo *demo_open(const char *path, char *err, size_t errlen)
{
    demo *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d->data = paths_read_file(path, &d->len);
    if (!d->data) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(d);
        return NULL;
    }
    return d;
}

void demo_free(demo *d)
{
    if (!d)
        return;
    if (d->loop && d->timer)
        loop_timer_cancel(d->loop, d->timer);
    if (d->have_next)
        event_release(&d->next);
    free(d->data);
    free(d);
}

/* Parses the following usable line into d->next; false at the end of the file. */
static bool read_next(demo *d)
{
    while (d->pos < d->len) {
        const char *line = d->data + d->pos;
        const char *nl = memchr(line, '\n', d->len - d->pos);
        size_t n = nl ? (size_t)(nl - line) : d->len - d->pos;
        d->pos += n + (nl ? 1 : 0);
        d->line_no++;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (n == 0)
            continue;
        char msg[256];
        if (event_parse(&d->next, line, n, msg, sizeof msg)) {
            d->have_next = true;
            return true;
        }
        d->skipped++;
        if (d->problem)
            d->problem(d->ctx, d->line_no, msg);
    }
    return false;
}

/* Moves the event to its new time, in the record itself too (re-parsed), so the session log
 * shows when it happened. */
static void retime(demo *d, event *ev)
{
    int64_t at = ev->ts_ms + d->offset;
    if (at < d->last_at)
        at = d->last_at;
    d->last_at = at;
    char ts[32];
    civil_format_iso(at, d->tz, ts);
    json_t *root = ev->json ? json_incref((json_t *)ev->json)
                            : json_loadb(ev->raw, ev->raw_len, JSON_REJECT_DUPLICATES, NULL);
    char *line = NULL;
    if (root && json_object_set_new(root, "ts", json_string(ts)) == 0)
        line = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    event fresh;
    char err[160];
    if (line && event_parse(&fresh, line, strlen(line), err, sizeof err)) {
        event_release(ev);
        *ev = fresh;
    }
    free(line);
    ev->ts_ms = at;
    ev->tz_offset = d->tz;
}

static void schedule(demo *d);

static void fire(void *ctx, unsigned id, int64_t now)
{
    demo *d = ctx;
    d->timer = 0;
    while (d->have_next && d->next.ts_ms + d->offset <= now) {
        retime(d, &d->next);
        d->have_next = false;
        d->delivered++;
        d->sink(d->ctx, &d->next);
        event_release(&d->next);
        read_next(d);
    }
    schedule(d);
}

static void schedule(demo *d)
{
    if (d->have_next && !d->timer) {
        int64_t at = d->next.ts_ms + d->offset;
        d->timer = loop_timer_at(d->loop, at < d->last_at ? d->last_at : at, fire, d);
    }
}

bool demo_start(demo *d, loop *l, int64_t start, int tz, demo_sink sink, demo_problem problem,
                void *ctx)
{
    d->loop = l;
    d->tz = tz;
    d->sink = sink;
    d->problem = problem;
    d->ctx = ctx;
    if (!read_next(d))
        return true;
    d->offset = start - d->next.ts_ms;
    d->last_at = start;
    schedule(d);
    return d->timer != 0;
}

bool demo_done(const demo *d)
{
    return !d->have_next && d->pos >= d->len;
}

unsigned long demo_delivered(const demo *d)
{
    return d->delivered;
}

unsigned long demo_skipped(const demo *d)
{
    return d->skipped;
}
