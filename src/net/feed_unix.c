/* feed_unix: "unix:PATH", a UNIX stream socket that speaks the event format both ways. Events
 * are read from it, the agent's lines written to it; when it drops (or is not there yet) the
 * feed reconnects with exponential backoff and says so in the status line. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net/feed_impl.h"

#define STABLE_MS 10000 /* a connection that lasted this long resets the backoff */

typedef struct unix_feed {
    int fd; /* -1 while disconnected */
    bool have_reader;
    linereader reader;
    feed_outq out;
    feed_backoff backoff;
    unsigned timer; /* reconnect while disconnected, resume reading while connected */
    unsigned long connections;
    int64_t connected_at;
    int last_errno;
    char where[48];
} unix_feed;

static unix_feed *impl(feed *f)
{
    return f->impl;
}

static void connect_now(void *ctx, unsigned id, int64_t now);
static void on_ready(void *ctx, int fd, short revents);

/* Closes the connection and its buffers. */
static void disconnect(feed *f)
{
    unix_feed *s = impl(f);
    if (s->timer)
        loop_timer_cancel(f->loop, s->timer);
    s->timer = 0;
    if (s->fd >= 0) {
        loop_unwatch(f->loop, s->fd);
        close(s->fd);
    }
    s->fd = -1;
    if (s->have_reader)
        linereader_free(&s->reader);
    s->have_reader = false;
    feed_outq_free(&s->out);
}

/* Schedules the next connection attempt after the backoff delay. */
static void schedule_reconnect(feed *f, const char *why)
{
    unix_feed *s = impl(f);
    int64_t now = loop_now(f->loop);
    if (s->connected_at && now - s->connected_at >= STABLE_MS)
        feed_backoff_reset(&s->backoff);
    s->connected_at = 0;
    int64_t delay = feed_backoff_next(&s->backoff);
    feed_set_status(f, "%s; reconnecting in %.1f s", why, (double)delay / 1000);
    s->timer = loop_timer_at(f->loop, now + delay, connect_now, f);
}

/* Ends a connection that dropped and plans the next one. */
static void drop(feed *f, const char *why)
{
    unix_feed *s = impl(f);
    feed_log(f, "connection %lu to %s: %s", s->connections, f->arg, why);
    disconnect(f);
    if (f->opt.once) {
        f->ended = true;
        feed_set_status(f, "input ended: %s", why);
        return;
    }
    schedule_reconnect(f, why);
}

/* Watches for input, and for output room while lines wait to be written. */
static bool rewatch(feed *f)
{
    unix_feed *s = impl(f);
    short events = POLLIN | (feed_outq_empty(&s->out) ? 0 : POLLOUT);
    return loop_watch(f->loop, s->fd, events, on_ready, f);
}

/* Makes a connected socket, or returns -1 with errno set. */
static int dial(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* One connection attempt (the reconnect timer). */
static void connect_now(void *ctx, unsigned id, int64_t now)
{
    feed *f = ctx;
    unix_feed *s = impl(f);
    s->timer = 0;
    s->fd = dial(f->arg);
    if (s->fd < 0) {
        int e = errno;
        if (e != s->last_errno)
            feed_log(f, "cannot connect to %s: %s", f->arg, strerror(e));
        s->last_errno = e;
        schedule_reconnect(f, strerror(e));
        return;
    }
    s->have_reader = linereader_init(&s->reader, s->fd, EVENT_MAX_LINE);
    if (!s->have_reader || !rewatch(f)) {
        drop(f, "out of memory");
        return;
    }
    s->last_errno = 0;
    if (s->connections++)
        f->stats.restarts++;
    snprintf(s->where, sizeof s->where, "connection %lu line", s->connections);
    s->connected_at = loop_now(f->loop);
    if (s->connections > 1)
        feed_log(f, "connected to %s again", f->arg);
    feed_set_status(f, "connected");
}

/* Continues reading lines the reader holds already (the budget ran out last time). */
static void resume(void *ctx, unsigned id, int64_t now)
{
    feed *f = ctx;
    impl(f)->timer = 0;
    if (impl(f)->fd >= 0)
        on_ready(f, impl(f)->fd, POLLIN);
}

/* Writes what waits, reads what came; a closed or failed connection is dropped. */
static void on_ready(void *ctx, int fd, short revents)
{
    feed *f = ctx;
    unix_feed *s = impl(f);
    bool pending;
    if ((revents & POLLOUT) && !feed_outq_flush(&s->out, s->fd, true, &pending)) {
        drop(f, strerror(errno));
        return;
    }
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        bool more;
        linereader_status st = feed_drain(f, &s->reader, false, s->where, &more);
        if (st == LINE_EOF || st == LINE_ERROR) {
            drop(f, st == LINE_EOF ? "closed by the other end" : strerror(errno));
            return;
        }
        if (more && !s->timer)
            s->timer = loop_timer_at(f->loop, loop_now(f->loop), resume, f);
    }
    rewatch(f);
}

static feed_send_result unix_send(feed *f, const event *ev, const char *line, size_t len, char *err,
                                  size_t errlen)
{
    unix_feed *s = impl(f);
    if (s->fd < 0) {
        snprintf(err, errlen, "not connected to %s (%s)", f->arg, f->status);
        return FEED_SEND_FAILED;
    }
    if (!feed_outq_push(&s->out, line, len)) {
        snprintf(err, errlen, "%s is not reading: %u bytes wait already", f->arg, FEED_OUTQ_MAX);
        return FEED_SEND_FAILED;
    }
    bool pending;
    if (!feed_outq_flush(&s->out, s->fd, true, &pending)) {
        snprintf(err, errlen, "writing to %s: %s", f->arg, strerror(errno));
        rewatch(f); /* on_ready meets the error again and drops the connection */
        return FEED_SEND_FAILED;
    }
    rewatch(f);
    return FEED_SEND_OK;
}

static void unix_stop(feed *f)
{
    if (!impl(f))
        return;
    disconnect(f);
    free(impl(f));
    f->impl = NULL;
}

/* Checks the path and makes the first connection attempt on the loop, at once. */
static bool unix_start(feed *f, char *err, size_t errlen)
{
    struct sockaddr_un sa;
    if (!*f->arg || strlen(f->arg) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "unix: needs a socket path of 1 to %zu bytes",
                 sizeof sa.sun_path - 1);
        return false;
    }
    unix_feed *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    f->impl = s;
    s->fd = -1;
    feed_outq_init(&s->out);
    feed_backoff_init(&s->backoff, &f->opt);
    feed_set_status(f, "connecting");
    s->timer = loop_timer_at(f->loop, loop_now(f->loop), connect_now, f);
    return true;
}

const feed_ops feed_unix_ops = {unix_start, unix_send, unix_stop};
