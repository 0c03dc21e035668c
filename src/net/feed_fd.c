/* feed_fd: the read-only feeds. "-" reads events from standard input (the keyboard then comes
 * from /dev/tty); "file:PATH" follows a growing file like tail -F, from its first line, through
 * truncation and rotation, and waits for a file that is not there yet. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/feed_impl.h"

typedef struct fd_feed {
    int fd;
    bool have_reader;
    linereader reader;
    unsigned timer;
    /* file: */
    dev_t dev;
    ino_t ino;
    bool regular;
    unsigned long opened; /* how many times the path was opened */
    int last_errno;       /* of the last failed open, to report a change once */
} fd_feed;

static fd_feed *impl(feed *f)
{
    return f->impl;
}

/* Closes the descriptor and its reader. */
static void close_input(feed *f)
{
    fd_feed *s = impl(f);
    if (s->fd >= 0) {
        loop_unwatch(f->loop, s->fd);
        close(s->fd);
    }
    s->fd = -1;
    if (s->have_reader)
        linereader_free(&s->reader);
    s->have_reader = false;
}

/* Stops reading and frees the kind's state (also after a start that failed half-way). */
static void stop(feed *f)
{
    fd_feed *s = impl(f);
    if (!s)
        return;
    if (s->timer)
        loop_timer_cancel(f->loop, s->timer);
    close_input(f);
    free(s);
    f->impl = NULL;
}

/* Allocates the kind's state with no descriptor yet. */
static bool new_impl(feed *f, char *err, size_t errlen)
{
    fd_feed *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    s->fd = -1;
    f->impl = s;
    return true;
}

/* --- "-": standard input ------------------------------------------------------------- */

static void stdin_readable(void *ctx, int fd, short revents);

/* Continues reading lines the reader holds already (the budget ran out last time). */
static void stdin_resume(void *ctx, unsigned id, int64_t now)
{
    feed *f = ctx;
    impl(f)->timer = 0;
    if (impl(f)->fd >= 0)
        stdin_readable(f, impl(f)->fd, POLLIN);
}

/* Takes the lines standard input has; at its end the feed says so and stops watching. */
static void stdin_readable(void *ctx, int fd, short revents)
{
    feed *f = ctx;
    fd_feed *s = impl(f);
    bool more;
    linereader_status st = feed_drain(f, &s->reader, false, "line", &more);
    if (more && !s->timer)
        s->timer = loop_timer_at(f->loop, loop_now(f->loop), stdin_resume, f);
    if (st == LINE_EOF || st == LINE_ERROR) {
        if (st == LINE_ERROR)
            feed_log(f, "reading standard input: %s", strerror(errno));
        else
            feed_log(f, "standard input ended after line %lu", s->reader.line_number);
        close_input(f);
        f->ended = true;
        feed_set_status(f, "input ended (%lu events)", f->stats.events);
    }
}

/* Takes fd 0 as the feed; with keyboard_from_tty puts /dev/tty in its place for the keyboard. */
static bool stdin_start(feed *f, char *err, size_t errlen)
{
    if (!new_impl(f, err, errlen))
        return false;
    fd_feed *s = impl(f);
    if (f->opt.keyboard_from_tty && isatty(0)) {
        snprintf(err, errlen,
                 "--feed - reads events from standard input, which is the terminal: "
                 "pipe the events in (bridge | huashu --feed -)");
        return false;
    }
    s->fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
    if (s->fd < 0) {
        snprintf(err, errlen, "standard input: %s", strerror(errno));
        return false;
    }
    if (f->opt.keyboard_from_tty) {
        int tty = open("/dev/tty", O_RDWR | O_NOCTTY);
        if (tty < 0 || dup2(tty, 0) < 0) {
            snprintf(err, errlen, "--feed - needs /dev/tty for the keyboard: %s", strerror(errno));
            if (tty >= 0)
                close(tty);
            return false;
        }
        close(tty);
    }
    s->have_reader = linereader_init(&s->reader, s->fd, EVENT_MAX_LINE);
    if (!s->have_reader || !feed_fd_nonblock(s->fd) ||
        !loop_watch(f->loop, s->fd, POLLIN, stdin_readable, f)) {
        snprintf(err, errlen, "standard input: %s", strerror(errno ? errno : ENOMEM));
        return false;
    }
    feed_set_status(f, "reading standard input");
    return true;
}

const feed_ops feed_stdin_ops = {stdin_start, NULL, stop};

/* --- "file:PATH": follow a growing file -------------------------------------------------- */

static void file_tick(void *ctx, unsigned id, int64_t now);

static int64_t poll_interval(const feed *f)
{
    return f->opt.file_poll_ms > 0 ? f->opt.file_poll_ms : 200;
}

/* Opens the path from its start; false (status says why) while it cannot be opened. */
static bool file_open(feed *f)
{
    fd_feed *s = impl(f);
    int fd = open(f->arg, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !linereader_init(&s->reader, fd, EVENT_MAX_LINE)) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        if (e != s->last_errno) {
            feed_set_status(f, "waiting for the file (%s)", strerror(e));
            if (s->opened)
                feed_log(f, "%s: %s", f->arg, strerror(e));
        }
        s->last_errno = e;
        return false;
    }
    s->fd = fd;
    s->have_reader = true;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->regular = S_ISREG(st.st_mode);
    s->last_errno = 0;
    if (s->opened++)
        f->stats.restarts++;
    feed_set_status(f, "following");
    return true;
}

/* After reading to the end: true when the path now names another file (rotation), or the same
 * file shrank below what was read (truncation); the caller then starts over. */
static bool file_replaced(feed *f, bool *truncated)
{
    fd_feed *s = impl(f);
    struct stat st;
    *truncated = false;
    if (stat(f->arg, &st) != 0)
        return false; /* renamed away and not recreated yet: keep reading the old one */
    if (st.st_dev != s->dev || st.st_ino != s->ino)
        return true;
    if (!s->regular)
        return false;
    off_t pos = lseek(s->fd, 0, SEEK_CUR);
    *truncated = pos >= 0 && st.st_size < pos;
    return *truncated;
}

/* Reads what is there, then checks for rotation and truncation; true when budget ran out. */
static bool file_read(feed *f)
{
    fd_feed *s = impl(f);
    bool more;
    linereader_status st = feed_drain(f, &s->reader, true, "line", &more);
    if (more)
        return true;
    if (st == LINE_ERROR) {
        feed_log(f, "reading %s: %s", f->arg, strerror(errno));
        close_input(f);
        return false;
    }
    bool truncated;
    if (!file_replaced(f, &truncated))
        return false;
    if (truncated) {
        feed_log(f, "%s was truncated: reading it from the start", f->arg);
        lseek(s->fd, 0, SEEK_SET);
        s->reader.start = s->reader.end = 0;
        s->reader.skipping = s->reader.eof = false;
        s->reader.line_number = 0;
        f->stats.restarts++;
        return true;
    }
    feed_log(f, "%s was replaced (rotated): reading the new file", f->arg);
    close_input(f);
    return file_open(f);
}

/* The follow timer: open when needed, read, and come back soon. */
static void file_tick(void *ctx, unsigned id, int64_t now)
{
    feed *f = ctx;
    fd_feed *s = impl(f);
    s->timer = 0;
    bool again = false;
    if (s->fd >= 0 || file_open(f))
        again = file_read(f);
    int64_t at = loop_now(f->loop) + (again ? 0 : poll_interval(f));
    s->timer = loop_timer_at(f->loop, at, file_tick, f);
}

/* Starts following: the first look at the file happens on the loop, at once. */
static bool file_start(feed *f, char *err, size_t errlen)
{
    if (!*f->arg) {
        snprintf(err, errlen, "file: needs a path (file:/var/log/chat.jsonl)");
        return false;
    }
    if (!new_impl(f, err, errlen))
        return false;
    feed_set_status(f, "waiting for the file");
    impl(f)->timer = loop_timer_at(f->loop, loop_now(f->loop), file_tick, f);
    if (!impl(f)->timer) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return true;
}

const feed_ops feed_file_ops = {file_start, NULL, stop};
