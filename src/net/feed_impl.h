/* feed_impl: what the feed kinds (feed_fd.c, feed_unix.c, feed_exec.c, feed_chatwoot.c) share
 * with feed.c: the feed struct, line intake, status and log, backoff and an output queue. */
#ifndef HUASHU_FEED_IMPL_H
#define HUASHU_FEED_IMPL_H

#include <stdarg.h>

#include "net/feed.h"
#include "net/linereader.h"

#define FEED_LOG_LINES    100
#define FEED_DRAIN_BUDGET 2000       /* lines read per callback before letting the loop run... */
#define FEED_DRAIN_MS     5          /* ...or milliseconds spent: keys wait no longer than this */
#define FEED_OUTQ_MAX     (1u << 20) /* bytes waiting for a slow reader before sends fail */

typedef struct feed_ops {
    /* Starts reading; false with a message when the feed cannot work at all. */
    bool (*start)(feed *f, char *err, size_t errlen);
    /* Sends one formatted event line; NULL for read-only kinds. */
    feed_send_result (*send)(feed *f, const event *ev, const char *line, size_t len, char *err,
                             size_t errlen);
    /* Releases everything start made. */
    void (*stop)(feed *f);
} feed_ops;

/* Exponential backoff with jitter for reconnects and restarts. */
typedef struct feed_backoff {
    int64_t min_ms, max_ms, next_ms;
    uint64_t seed;
} feed_backoff;

/* Bytes waiting to be written to a descriptor that was not ready. */
typedef struct feed_outq {
    buf data;
    size_t done; /* bytes of data already written */
} feed_outq;

struct feed {
    const feed_ops *ops;
    feed_kind kind;
    loop *loop;
    feed_callbacks cb;
    feed_options opt;
    char *spec;
    const char *arg; /* spec after its prefix */
    char status[256];
    bool ended; /* nothing more can come */
    feed_stats stats;
    char *diag_path;
    int diag_fd;
    bool diag_failed;
    char *log[FEED_LOG_LINES];
    size_t log_start, log_count;
    buf scratch;
    void *impl;
};

/* Parses one line read from the feed at line number lineno of source where ("line 12",
 * "connection 2 line 5"): delivers it or counts and reports why it was skipped. */
void feed_take_line(feed *f, linereader_status st, const char *line, size_t len, const char *where,
                    unsigned long lineno);
/* Reads lines from r until it would block or the budget is spent. Returns the status that
 * stopped it; LINE_AGAIN also when the budget ran out (then *more is set). With follow, end of
 * file is LINE_AGAIN and an unterminated last line waits for the rest (a growing file). */
linereader_status feed_drain(feed *f, linereader *r, bool follow, const char *where, bool *more);

void feed_set_status(feed *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line for the log view and the diagnostics log. */
void feed_log(feed *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void feed_vlog(feed *f, const char *fmt, va_list ap);

void feed_backoff_init(feed_backoff *b, const feed_options *opt);
/* The delay before the next attempt; each call doubles the following one up to the maximum. */
int64_t feed_backoff_next(feed_backoff *b);
void feed_backoff_reset(feed_backoff *b);

void feed_outq_init(feed_outq *q);
void feed_outq_free(feed_outq *q);
/* Writes queued bytes to fd without blocking. Returns false on a write error (errno set);
 * *pending tells whether bytes remain. Never raises SIGPIPE on sockets. */
bool feed_outq_flush(feed_outq *q, int fd, bool socket, bool *pending);
/* Queues a line; false when the queue is over FEED_OUTQ_MAX. */
bool feed_outq_push(feed_outq *q, const char *line, size_t len);
bool feed_outq_empty(const feed_outq *q);

/* Sets O_NONBLOCK and FD_CLOEXEC; false on failure. */
bool feed_fd_nonblock(int fd);

extern const feed_ops feed_stdin_ops, feed_file_ops, feed_unix_ops, feed_exec_ops,
    feed_chatwoot_ops;

#endif
