/* feed: where the console's events come from and where the agent's sent lines go. One
 * interface over standard input, a followed file, a UNIX socket, a bridge program and the
 * Chatwoot adapter, all driven by the one poll() loop. A bad line is skipped, counted, shown
 * and written to a diagnostics log; a feed that ends or drops is retried where that makes
 * sense; nothing here ever ends the program.
 *
 * Specs: "-", "file:PATH", "unix:PATH", "exec:COMMAND", "chatwoot:" (see huashu(1), FEEDS). */
#ifndef HUASHU_FEED_H
#define HUASHU_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/event.h"
#include "net/loop.h"

typedef enum feed_kind {
    FEED_STDIN,
    FEED_FILE,
    FEED_UNIX,
    FEED_EXEC,
    FEED_CHATWOOT,
} feed_kind;

/* Why a line was skipped. */
typedef enum feed_bad {
    FEED_BAD_JSON,   /* not JSON, or not an object */
    FEED_BAD_UTF8,   /* invalid UTF-8 */
    FEED_BAD_LONG,   /* longer than EVENT_MAX_LINE */
    FEED_BAD_TYPE,   /* unknown "type" */
    FEED_BAD_FIELDS, /* a missing or malformed field */
    FEED_BAD_KINDS,
} feed_bad;

typedef struct feed_stats {
    unsigned long events; /* good events delivered */
    unsigned long bad[FEED_BAD_KINDS];
    unsigned long bad_total;
    unsigned long sent, send_failed; /* agent lines written (or posted) and refused */
    unsigned long restarts;          /* reconnections, bridge restarts, file reopenings */
    char last_bad[192];              /* "line 12: invalid JSON at column 1: ..." */
} feed_stats;

typedef enum feed_send_result {
    FEED_SEND_OK,        /* written, or queued to be written in order */
    FEED_SEND_PENDING,   /* on its way (Chatwoot): the sent callback tells how it ended */
    FEED_SEND_READ_ONLY, /* this feed has no write side ("-", "file:") */
    FEED_SEND_FAILED,    /* not sent; err says why; never retried automatically */
} feed_send_result;

typedef struct feed_callbacks {
    /* A good event; it is released after the call. */
    void (*event)(void *ctx, event *ev);
    /* The status line text changed (feed_status()). */
    void (*status)(void *ctx);
    /* A line for the log view: a bad line, a bridge's stderr, a drop or a restart. */
    void (*log)(void *ctx, const char *line);
    /* How a FEED_SEND_PENDING send ended; error is NULL when it went through. */
    void (*sent)(void *ctx, const char *conv, const char *text, const char *error);
    void *ctx;
} feed_callbacks;

typedef struct feed_options {
    config *config;         /* for the chatwoot: section; may be NULL */
    bool keyboard_from_tty; /* "-": move the feed off fd 0 and put /dev/tty there */
    int64_t retry_min_ms;   /* backoff of reconnects and restarts; 0 = 500 ms */
    int64_t retry_max_ms;   /* 0 = 30 s */
    int64_t file_poll_ms;   /* how often file: looks for growth; 0 = 200 ms */
    const char *diag_path;  /* diagnostics log; NULL = sessions/YYYY-MM-DD-PID.feed.log */
    void *http;             /* the console's http client (net/http.h), for chatwoot: */
    bool once;              /* no restarts: the feed ends when the bridge exits or the socket
                               closes (huashu feed --once) */
} feed_options;

typedef struct feed feed;

/* Opens the feed named by spec and starts it on l. NULL with a message in err when the spec
 * is malformed or cannot work at all (no such command syntax, no /dev/tty); a feed that is
 * merely not there yet (missing file, refused socket) opens and keeps retrying. */
feed *feed_open(const char *spec, loop *l, const feed_options *opt, const feed_callbacks *cb,
                char *err, size_t errlen);
/* Stops the feed (ends a bridge program) and frees it. */
void feed_free(feed *f);

feed_kind feed_get_kind(const feed *f);
/* "stdin", "file", "unix", "exec" or "chatwoot". */
const char *feed_kind_name(feed_kind k);
/* The spec as given ("exec:bridge --x"). */
const char *feed_spec(const feed *f);
/* False for "-" and "file:": sent lines go to the clipboard instead. */
bool feed_writable(const feed *f);
/* Sends the agent's message event to the write side. */
feed_send_result feed_send(feed *f, const event *ev, char *err, size_t errlen);

/* True when the feed can bring nothing more (standard input ended). */
bool feed_ended(const feed *f);
/* What the feed is doing, for the status line ("following", "reconnecting in 4.0 s (...)"). */
const char *feed_status(const feed *f);
const feed_stats *feed_get_stats(const feed *f);
/* Appends a one-line summary: status, events and bad lines with the last bad one. */
void feed_describe(const feed *f, buf *out);
/* The diagnostics log's path, NULL until something was written to it. */
const char *feed_diag_path(const feed *f);
/* The most recent log lines (bad lines, bridge stderr, drops), oldest first. */
size_t feed_log_count(const feed *f);
const char *feed_log_at(const feed *f, size_t i);
const char *feed_bad_name(feed_bad b);

/* Splits an exec: command into words the way huashu(1) documents: blanks separate words,
 * '...' is literal, "..." allows \" \\ \$ \` escapes, a backslash outside quotes escapes the
 * next character; no variables, globbing, pipes or redirections. Returns a NULL-terminated
 * malloc'd vector (one allocation; free() it) or NULL with a message in err. */
char **feed_split_command(const char *command, char *err, size_t errlen);

#endif
