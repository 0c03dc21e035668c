#include "net/feed.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/civil.h"
#include "core/text.h"
#include "net/feed_impl.h"
#include "net/paths.h"
#include "net/os.h"

#define EXCERPT_COLUMNS 80

static const char *const bad_names[FEED_BAD_KINDS] = {
    "invalid JSON", "invalid UTF-8", "line too long", "unknown type", "missing field"};

const char *feed_bad_name(feed_bad b)
{
    return b < FEED_BAD_KINDS ? bad_names[b] : "?";
}

typedef struct feed_prefix {
    const char *prefix;
    feed_kind kind;
    const feed_ops *ops;
} feed_prefix;

static const feed_prefix prefixes[] = {
    {"file:", FEED_FILE, &feed_file_ops},
    {"unix:", FEED_UNIX, &feed_unix_ops},
    {"exec:", FEED_EXEC, &feed_exec_ops},
    {"chatwoot:", FEED_CHATWOOT, &feed_chatwoot_ops},
};

/* Finds the kind a spec names; false when it names none. */
static bool parse_spec(feed *f, const char *spec)
{
    if (strcmp(spec, "-") == 0) {
        f->kind = FEED_STDIN;
        f->ops = &feed_stdin_ops;
        f->arg = f->spec;
        return true;
    }
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i].prefix);
        if (strncmp(spec, prefixes[i].prefix, n) == 0) {
            f->kind = prefixes[i].kind;
            f->ops = prefixes[i].ops;
            f->arg = f->spec + n;
            return true;
        }
    }
    return false;
}

feed *feed_open(const char *spec, loop *l, const feed_options *opt, const feed_callbacks *cb,
                char *err, size_t errlen)
{
    feed *f = calloc(1, sizeof *f);
    if (!f || !(f->spec = strdup(spec))) {
        free(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    f->loop = l;
    f->diag_fd = -1;
    if (opt)
        f->opt = *opt;
    f->opt.diag_path = NULL; /* the caller's string may not outlive this call */
    if (opt && opt->diag_path && !(f->diag_path = strdup(opt->diag_path))) {
        free(f->spec);
        free(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (cb)
        f->cb = *cb;
    buf_init(&f->scratch);
    if (!parse_spec(f, spec)) {
        snprintf(err, errlen,
                 "unknown feed \"%s\" (want -, file:PATH, unix:PATH, exec:COMMAND or chatwoot:)",
                 spec);
        feed_free(f);
        return NULL;
    }
    if (!f->ops->start(f, err, errlen)) {
        feed_free(f); /* stop() undoes whatever start() got done */
        return NULL;
    }
    return f;
}

void feed_free(feed *f)
{
    if (!f)
        return;
    if (f->ops)
        f->ops->stop(f);
    if (f->diag_fd >= 0) {
        fsync(f->diag_fd);
        close(f->diag_fd);
    }
    for (size_t i = 0; i < f->log_count; i++)
        free(f->log[(f->log_start + i) % FEED_LOG_LINES]);
    buf_free(&f->scratch);
    free(f->diag_path);
    free(f->spec);
    free(f);
}

const char *feed_kind_name(feed_kind k)
{
    static const char *const names[] = {"stdin", "file", "unix", "exec", "chatwoot"};
    return k <= FEED_CHATWOOT ? names[k] : "?";
}

feed_kind feed_get_kind(const feed *f)
{
    return f->kind;
}

const char *feed_spec(const feed *f)
{
    return f->spec;
}

bool feed_writable(const feed *f)
{
    return f->ops && f->ops->send != NULL;
}

feed_send_result feed_send(feed *f, const event *ev, char *err, size_t errlen)
{
    if (!feed_writable(f))
        return FEED_SEND_READ_ONLY;
    buf line;
    buf_init(&line);
    event_format(&line, ev);
    feed_send_result r;
    if (line.failed) {
        snprintf(err, errlen, "out of memory");
        r = FEED_SEND_FAILED;
    } else {
        r = f->ops->send(f, ev, line.data, line.len, err, errlen);
    }
    buf_free(&line);
    if (r == FEED_SEND_OK)
        f->stats.sent++;
    else if (r == FEED_SEND_FAILED)
        f->stats.send_failed++;
    return r;
}

bool feed_ended(const feed *f)
{
    return f->ended;
}

const char *feed_status(const feed *f)
{
    return f->status;
}

const feed_stats *feed_get_stats(const feed *f)
{
    return &f->stats;
}

const char *feed_diag_path(const feed *f)
{
    return f->diag_fd >= 0 ? f->diag_path : NULL;
}

void feed_describe(const feed *f, buf *out)
{
    buf_printf(out, "%s: %s", f->spec, f->status);
    buf_printf(out, " · %lu events", f->stats.events);
    if (f->stats.bad_total)
        buf_printf(out, " · %lu bad (%s)", f->stats.bad_total, f->stats.last_bad);
    if (f->stats.send_failed)
        buf_printf(out, " · %lu not sent", f->stats.send_failed);
}

size_t feed_log_count(const feed *f)
{
    return f->log_count;
}

const char *feed_log_at(const feed *f, size_t i)
{
    return i < f->log_count ? f->log[(f->log_start + i) % FEED_LOG_LINES] : NULL;
}

/* The default diagnostics log beside the session logs (malloc'd), NULL when out of memory. */
static char *default_diag_path(int64_t now)
{
    char *dir = paths_state_dir("sessions");
    if (!dir || !os_make_dirs(dir)) {
        free(dir);
        return NULL;
    }
    civil_time t = civil_from_ms(now, os_local_offset(now));
    size_t n = strlen(dir) + 64;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/%04d-%02d-%02d-%ld.feed.log", dir, t.year, t.month, t.day,
                 (long)getpid());
    free(dir);
    return path;
}

/* Opens the diagnostics log on first use; false (once reported) when it cannot be. */
static bool diag_open(feed *f, int64_t now)
{
    if (f->diag_fd >= 0)
        return true;
    if (f->diag_failed)
        return false;
    if (!f->diag_path)
        f->diag_path = default_diag_path(now);
    if (f->diag_path)
        f->diag_fd = open(f->diag_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (f->diag_fd < 0)
        f->diag_failed = true;
    return f->diag_fd >= 0;
}

/* Appends one timestamped line to the diagnostics log (best effort: the feed goes on). */
static void diag_write(feed *f, const char *msg)
{
    int64_t now = loop_now(f->loop);
    if (!diag_open(f, now))
        return;
    char ts[32];
    civil_format_iso(now, os_local_offset(now), ts);
    buf line;
    buf_init(&line);
    buf_printf(&line, "%s %s %s\n", ts, f->spec, msg);
    if (!line.failed && write(f->diag_fd, line.data, line.len) < 0)
        f->diag_failed = true;
    buf_free(&line);
}

/* Keeps msg in the ring of recent log lines. */
static void ring_push(feed *f, const char *msg)
{
    char *copy = strdup(msg);
    if (!copy)
        return;
    if (f->log_count == FEED_LOG_LINES) {
        free(f->log[f->log_start]);
        f->log[f->log_start] = copy;
        f->log_start = (f->log_start + 1) % FEED_LOG_LINES;
    } else {
        f->log[(f->log_start + f->log_count++) % FEED_LOG_LINES] = copy;
    }
}

void feed_vlog(feed *f, const char *fmt, va_list ap)
{
    char raw[1024];
    vsnprintf(raw, sizeof raw, fmt, ap);
    buf clean;
    buf_init(&clean);
    text_sanitize(&clean, raw, strlen(raw), false);
    const char *msg = buf_str(&clean);
    diag_write(f, msg);
    ring_push(f, msg);
    if (f->cb.log)
        f->cb.log(f->cb.ctx, msg);
    buf_free(&clean);
}

void feed_log(feed *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    feed_vlog(f, fmt, ap);
    va_end(ap);
}

void feed_set_status(feed *f, const char *fmt, ...)
{
    char raw[sizeof f->status];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    buf clean; /* server reason phrases and bridge names reach the screen: no controls */
    buf_init(&clean);
    text_sanitize(&clean, raw, strlen(raw), false);
    size_t cols;
    size_t n = text_fit(buf_str(&clean), clean.len, sizeof f->status - 1, false, &cols);
    memcpy(f->status, buf_str(&clean), n);
    f->status[n] = '\0';
    buf_free(&clean);
    if (f->cb.status)
        f->cb.status(f->cb.ctx);
}

/* Which kind of bad line an event_parse message describes. */
static feed_bad classify(const char *msg)
{
    if (strncmp(msg, "invalid JSON", 12) == 0 || strncmp(msg, "a record must be", 16) == 0)
        return FEED_BAD_JSON;
    if (strncmp(msg, "unknown type", 12) == 0)
        return FEED_BAD_TYPE;
    if (strncmp(msg, "line longer", 11) == 0)
        return FEED_BAD_LONG;
    return FEED_BAD_FIELDS;
}

/* Counts a skipped line and reports it with a printable excerpt. */
static void report_bad(feed *f, feed_bad kind, const char *where, unsigned long lineno,
                       const char *msg, const char *line, size_t len)
{
    f->stats.bad[kind]++;
    f->stats.bad_total++;
    snprintf(f->stats.last_bad, sizeof f->stats.last_bad, "%s %lu: %s", where, lineno, msg);
    buf_clear(&f->scratch);
    if (line && len) {
        size_t cols;
        size_t cut = text_fit(line, len, EXCERPT_COLUMNS, false, &cols);
        text_sanitize(&f->scratch, line, cut, false);
        if (cut < len)
            buf_puts(&f->scratch, "...");
    }
    if (f->scratch.len)
        feed_log(f, "%s %lu: %s: %s", where, lineno, msg, buf_str(&f->scratch));
    else
        feed_log(f, "%s %lu: %s", where, lineno, msg);
    if (f->cb.status)
        f->cb.status(f->cb.ctx);
}

void feed_take_line(feed *f, linereader_status st, const char *line, size_t len, const char *where,
                    unsigned long lineno)
{
    if (st == LINE_TOO_LONG) {
        report_bad(f, FEED_BAD_LONG, where, lineno, "line longer than 64 KiB", NULL, 0);
        return;
    }
    if (len == 0)
        return; /* blank lines separate nothing and mean nothing */
    if (!text_valid_utf8(line, len)) {
        report_bad(f, FEED_BAD_UTF8, where, lineno, "invalid UTF-8", line, len);
        return;
    }
    char msg[160];
    event ev;
    if (!event_parse(&ev, line, len, msg, sizeof msg)) {
        report_bad(f, classify(msg), where, lineno, msg, line, len);
        return;
    }
    f->stats.events++;
    if (f->cb.event)
        f->cb.event(f->cb.ctx, &ev);
    event_release(&ev);
}

/* linereader_next for a growing file: an unterminated last line, or the start of an over-long
 * one, is left in the reader for when the rest is written, and end of file means "no more yet". */
static linereader_status follow_next(linereader *r, const char **line, size_t *len)
{
    linereader_status st = linereader_next(r, line, len);
    if (!r->eof)
        return st;
    if (st == LINE_OK) { /* only the unterminated tail comes back with eof set */
        r->start = r->end - *len;
        r->line_number--;
    } else if (st == LINE_TOO_LONG) {
        r->skipping = true;
        r->line_number--;
    }
    r->eof = false;
    return LINE_AGAIN;
}

linereader_status feed_drain(feed *f, linereader *r, bool follow, const char *where, bool *more)
{
    *more = false;
    int64_t until = os_mono_ms() + FEED_DRAIN_MS;
    for (int budget = FEED_DRAIN_BUDGET; budget > 0; budget--) {
        if ((budget & 31) == 0 && os_mono_ms() >= until)
            break; /* the keyboard and the screen get their turn */
        const char *line;
        size_t len;
        linereader_status st =
            follow ? follow_next(r, &line, &len) : linereader_next(r, &line, &len);
        if (st != LINE_OK && st != LINE_TOO_LONG)
            return st;
        feed_take_line(f, st, line, len, where, r->line_number);
    }
    *more = true;
    return LINE_AGAIN;
}

void feed_backoff_init(feed_backoff *b, const feed_options *opt)
{
    b->min_ms = opt->retry_min_ms > 0 ? opt->retry_min_ms : 500;
    b->max_ms = opt->retry_max_ms > 0 ? opt->retry_max_ms : 30000;
    if (b->max_ms < b->min_ms)
        b->max_ms = b->min_ms;
    b->next_ms = b->min_ms;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    b->seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15u;
}

int64_t feed_backoff_next(feed_backoff *b)
{
    b->seed ^= b->seed << 13;
    b->seed ^= b->seed >> 7;
    b->seed ^= b->seed << 17;
    int64_t base = b->next_ms;
    int64_t jitter = base / 5 > 0 ? (int64_t)(b->seed % (uint64_t)(base / 5)) : 0;
    b->next_ms = base * 2 > b->max_ms ? b->max_ms : base * 2;
    return base - base / 10 + jitter; /* within -10 % .. +10 % of base */
}

void feed_backoff_reset(feed_backoff *b)
{
    b->next_ms = b->min_ms;
}

void feed_outq_init(feed_outq *q)
{
    buf_init(&q->data);
    q->done = 0;
}

void feed_outq_free(feed_outq *q)
{
    buf_free(&q->data);
    q->done = 0;
}

bool feed_outq_empty(const feed_outq *q)
{
    return q->done >= q->data.len;
}

bool feed_outq_push(feed_outq *q, const char *line, size_t len)
{
    if (q->data.len - q->done + len > FEED_OUTQ_MAX)
        return false;
    if (q->done > 0 && q->done == q->data.len) {
        buf_clear(&q->data);
        q->done = 0;
    }
    buf_append(&q->data, line, len);
    return !q->data.failed;
}

/* write() to a pipe whose reader is gone fails with EPIPE instead of killing the process:
 * SIGPIPE is blocked around the call and a SIGPIPE it raised is consumed. */
static ssize_t write_nosigpipe(int fd, const char *p, size_t n)
{
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t r = write(fd, p, n);
    int saved = errno;
    if (r < 0 && saved == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return r;
}

bool feed_outq_flush(feed_outq *q, int fd, bool socket, bool *pending)
{
    while (q->done < q->data.len) {
        const char *p = q->data.data + q->done;
        size_t left = q->data.len - q->done;
        ssize_t n = socket ? send(fd, p, left, MSG_NOSIGNAL) : write_nosigpipe(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0) {
            *pending = true;
            return false;
        }
        q->done += (size_t)n;
    }
    if (q->done == q->data.len) {
        buf_clear(&q->data);
        q->done = 0;
    }
    *pending = !feed_outq_empty(q);
    return true;
}

bool feed_fd_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 &&
           fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}
