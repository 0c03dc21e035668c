/* feed_exec: "exec:COMMAND", a bridge program started without a shell. Its stdout is read as
 * events, the agent's lines are written to its stdin as events, its stderr goes to the log view
 * and the diagnostics log. When it dies it is restarted with exponential backoff; writes to a
 * bridge that stopped reading fail with EPIPE instead of killing huashu. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net/feed_impl.h"

#define STABLE_MS   10000 /* a run that lasted this long resets the backoff */
#define WATCH_MS    1000  /* how often a running bridge is checked for having exited */
#define GRACE_MS    1000  /* after its stdout closes, time to exit before SIGTERM */
#define TERM_MS     2000  /* after SIGTERM, time to exit before SIGKILL */
#define STDERR_LINE 4096

extern char **environ;

typedef struct exec_feed {
    char **argv;
    pid_t pid; /* 0 while not running; also its process group */
    int in_fd, out_fd, err_fd;
    bool have_out, have_err;
    linereader out, err;
    feed_outq in;
    feed_backoff backoff;
    unsigned timer;  /* watchdog or reaping while running, restart while not */
    unsigned resume; /* more stdout lines already buffered */
    unsigned long runs;
    int64_t started_at, ended_at;
    int signal_sent; /* 0, SIGTERM or SIGKILL */
    char where[48];
} exec_feed;

static exec_feed *impl(feed *f)
{
    return f->impl;
}

static void spawn_now(void *ctx, unsigned id, int64_t now);
static void watchdog(void *ctx, unsigned id, int64_t now);

/* The bridge's name for messages (its argv[0]). */
static const char *name(feed *f)
{
    return impl(f)->argv[0];
}

static void close_fd(feed *f, int *fd)
{
    if (*fd >= 0) {
        loop_unwatch(f->loop, *fd);
        close(*fd);
    }
    *fd = -1;
}

/* Closes every pipe to the bridge and frees its readers and queue. */
static void close_pipes(feed *f)
{
    exec_feed *s = impl(f);
    close_fd(f, &s->in_fd);
    close_fd(f, &s->out_fd);
    close_fd(f, &s->err_fd);
    if (s->have_out)
        linereader_free(&s->out);
    if (s->have_err)
        linereader_free(&s->err);
    s->have_out = s->have_err = false;
    feed_outq_free(&s->in);
    if (s->resume)
        loop_timer_cancel(f->loop, s->resume);
    s->resume = 0;
}

/* Sends the lines the bridge wrote to stderr to the log. */
static void read_stderr(feed *f)
{
    exec_feed *s = impl(f);
    for (int budget = 200; budget > 0 && s->err_fd >= 0; budget--) {
        const char *line;
        size_t len;
        linereader_status st = linereader_next(&s->err, &line, &len);
        if (st == LINE_OK && len)
            feed_log(f, "%s: %.*s", name(f), (int)len, line);
        else if (st == LINE_TOO_LONG)
            feed_log(f, "%s: (a stderr line over %d bytes)", name(f), STDERR_LINE);
        else if (st == LINE_AGAIN)
            return;
        else if (st == LINE_EOF || st == LINE_ERROR)
            close_fd(f, &s->err_fd);
    }
}

static void on_stderr(void *ctx, int fd, short revents)
{
    read_stderr(ctx);
}

/* Words for how the bridge ended, from its wait status. */
static void describe_exit(int status, char *out, size_t n)
{
    if (WIFEXITED(status))
        snprintf(out, n, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, n, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out, n, "ended");
}

/* The bridge is gone: closes what is left, reports it and schedules the restart. */
static void reaped(feed *f, int status)
{
    exec_feed *s = impl(f);
    if (s->err_fd >= 0)
        read_stderr(f);
    close_pipes(f);
    s->pid = 0;
    int64_t now = loop_now(f->loop);
    if (now - s->started_at >= STABLE_MS)
        feed_backoff_reset(&s->backoff);
    char how[96];
    describe_exit(status, how, sizeof how);
    if (f->opt.once) {
        feed_log(f, "%s %s", name(f), how);
        f->ended = true;
        feed_set_status(f, "input ended: %s", how);
        return;
    }
    int64_t delay = feed_backoff_next(&s->backoff);
    feed_log(f, "%s (run %lu) %s", name(f), s->runs, how);
    feed_set_status(f, "%s; restarting in %.1f s", how, (double)delay / 1000);
    if (s->timer)
        loop_timer_cancel(f->loop, s->timer);
    s->timer = loop_timer_at(f->loop, now + delay, spawn_now, f);
}

/* Checks whether the bridge has exited; after its stdout closed, hurries it along. */
static void watchdog(void *ctx, unsigned id, int64_t now)
{
    feed *f = ctx;
    exec_feed *s = impl(f);
    s->timer = 0;
    int status;
    pid_t r = waitpid(s->pid, &status, WNOHANG);
    if (r == s->pid || (r < 0 && errno == ECHILD)) {
        if (s->signal_sent == 0 && s->out_fd >= 0)
            kill(-s->pid, SIGTERM); /* the leader died; its group may hold our pipes */
        reaped(f, r == s->pid ? status : 0);
        return;
    }
    int64_t t = loop_now(f->loop);
    int64_t next = WATCH_MS;
    if (s->ended_at) { /* stdout closed: give it a moment, then SIGTERM, then SIGKILL */
        next = 50;
        if (s->signal_sent == 0 && t - s->ended_at >= GRACE_MS) {
            kill(-s->pid, SIGTERM);
            s->signal_sent = SIGTERM;
        } else if (s->signal_sent == SIGTERM && t - s->ended_at >= GRACE_MS + TERM_MS) {
            kill(-s->pid, SIGKILL);
            s->signal_sent = SIGKILL;
        }
    }
    s->timer = loop_timer_at(f->loop, t + next, watchdog, f);
}

static void on_stdout(void *ctx, int fd, short revents);

static void resume_stdout(void *ctx, unsigned id, int64_t now)
{
    feed *f = ctx;
    impl(f)->resume = 0;
    if (impl(f)->out_fd >= 0)
        on_stdout(f, impl(f)->out_fd, POLLIN);
}

/* Takes the events the bridge printed; when its output ends, starts reaping it. */
static void on_stdout(void *ctx, int fd, short revents)
{
    feed *f = ctx;
    exec_feed *s = impl(f);
    bool more;
    linereader_status st = feed_drain(f, &s->out, false, s->where, &more);
    if (more && !s->resume)
        s->resume = loop_timer_at(f->loop, loop_now(f->loop), resume_stdout, f);
    if (st != LINE_EOF && st != LINE_ERROR)
        return;
    close_fd(f, &s->out_fd); /* it is ending (or closed its stdout): reap it soon */
    s->ended_at = loop_now(f->loop);
    if (s->timer)
        loop_timer_cancel(f->loop, s->timer);
    s->timer = loop_timer_at(f->loop, s->ended_at, watchdog, f);
}

static void flush_stdin(feed *f);

static void on_stdin(void *ctx, int fd, short revents)
{
    flush_stdin(ctx);
}

/* Writes queued lines to the bridge's stdin; a bridge that stopped reading loses its stdin. */
static void flush_stdin(feed *f)
{
    exec_feed *s = impl(f);
    bool pending;
    if (!feed_outq_flush(&s->in, s->in_fd, false, &pending)) {
        feed_log(f, "%s stopped reading its input: %s", name(f), strerror(errno));
        close_fd(f, &s->in_fd);
        feed_outq_free(&s->in);
        return;
    }
    if (pending)
        loop_watch(f->loop, s->in_fd, POLLOUT, on_stdin, f);
    else
        loop_unwatch(f->loop, s->in_fd);
}

/* Makes a pipe with both ends close-on-exec (the child gets its ends through dup2). */
static bool make_pipe(int p[2])
{
    if (pipe(p) != 0)
        return false;
    return fcntl(p[0], F_SETFD, FD_CLOEXEC) == 0 && fcntl(p[1], F_SETFD, FD_CLOEXEC) == 0;
}

/* Makes the three pipes; huashu's ends are non-blocking. */
static bool make_pipes(int in[2], int out[2], int err[2])
{
    in[0] = in[1] = out[0] = out[1] = err[0] = err[1] = -1;
    if (!make_pipe(in) || !make_pipe(out) || !make_pipe(err))
        return false;
    return feed_fd_nonblock(in[1]) && feed_fd_nonblock(out[0]) && feed_fd_nonblock(err[0]);
}

static void close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* Starts the program in its own process group with default signal handling; returns its pid
 * or -1 with errno set. */
static pid_t spawn_child(char **argv, int in, int out, int err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    posix_spawn_file_actions_adddup2(&fa, err, 2);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETPGROUP);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return pid;
}

/* Starts a run of the bridge (the restart timer); a failure schedules the next try. */
static void spawn_now(void *ctx, unsigned id, int64_t now)
{
    feed *f = ctx;
    exec_feed *s = impl(f);
    s->timer = 0;
    int in[2], out[2], err[2];
    pid_t pid = -1;
    if (make_pipes(in, out, err))
        pid = spawn_child(s->argv, in[0], out[1], err[1]);
    int e = errno;
    int child_ends[3] = {in[0], out[1], err[1]};
    close_all(child_ends, 3);
    if (pid < 0) {
        int ours[3] = {in[1], out[0], err[0]};
        close_all(ours, 3);
        int64_t delay = feed_backoff_next(&s->backoff);
        feed_log(f, "cannot start %s: %s", name(f), strerror(e));
        feed_set_status(f, "cannot start (%s); retrying in %.1f s", strerror(e),
                        (double)delay / 1000);
        s->timer = loop_timer_at(f->loop, loop_now(f->loop) + delay, spawn_now, f);
        return;
    }
    s->pid = pid;
    s->in_fd = in[1];
    s->out_fd = out[0];
    s->err_fd = err[0];
    s->have_out = linereader_init(&s->out, s->out_fd, EVENT_MAX_LINE);
    s->have_err = linereader_init(&s->err, s->err_fd, STDERR_LINE);
    s->started_at = loop_now(f->loop);
    s->ended_at = 0;
    s->signal_sent = 0;
    if (s->runs++)
        f->stats.restarts++;
    snprintf(s->where, sizeof s->where, "run %lu line", s->runs);
    if (!s->have_out || !s->have_err || !loop_watch(f->loop, s->out_fd, POLLIN, on_stdout, f) ||
        !loop_watch(f->loop, s->err_fd, POLLIN, on_stderr, f))
        close_fd(f, &s->out_fd); /* out of memory: let the watchdog end this run */
    s->timer = loop_timer_at(f->loop, s->started_at + WATCH_MS, watchdog, f);
    feed_set_status(f, "running (pid %ld)", (long)pid);
}

static feed_send_result exec_send(feed *f, const event *ev, const char *line, size_t len, char *err,
                                  size_t errlen)
{
    exec_feed *s = impl(f);
    if (!s->pid || s->in_fd < 0) {
        snprintf(err, errlen, "%s is not taking input (%s)", name(f), f->status);
        return FEED_SEND_FAILED;
    }
    if (!feed_outq_push(&s->in, line, len)) {
        snprintf(err, errlen, "%s is not reading: %u bytes wait already", name(f), FEED_OUTQ_MAX);
        return FEED_SEND_FAILED;
    }
    flush_stdin(f);
    if (s->in_fd < 0) {
        snprintf(err, errlen, "%s stopped reading its input", name(f));
        return FEED_SEND_FAILED;
    }
    return FEED_SEND_OK;
}

/* Ends a running bridge at shutdown: EOF on its stdin, SIGTERM, and SIGKILL after 500 ms. */
static void end_child(feed *f)
{
    exec_feed *s = impl(f);
    close_fd(f, &s->in_fd);
    kill(-s->pid, SIGTERM);
    for (int i = 0; i < 50; i++) {
        if (waitpid(s->pid, NULL, WNOHANG) != 0)
            return;
        struct timespec ten_ms = {0, 10 * 1000 * 1000};
        nanosleep(&ten_ms, NULL);
    }
    kill(-s->pid, SIGKILL);
    while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

/* Ends the bridge (if running) and frees everything. */
static void exec_stop(feed *f)
{
    exec_feed *s = impl(f);
    if (!s)
        return;
    if (s->timer)
        loop_timer_cancel(f->loop, s->timer);
    if (s->pid > 0)
        end_child(f);
    close_pipes(f);
    free(s->argv);
    free(s);
    f->impl = NULL;
}

/* Splits the command and starts the first run on the loop, at once. */
static bool exec_start(feed *f, char *err, size_t errlen)
{
    exec_feed *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    f->impl = s;
    s->in_fd = s->out_fd = s->err_fd = -1;
    feed_outq_init(&s->in);
    feed_backoff_init(&s->backoff, &f->opt);
    char why[128];
    s->argv = feed_split_command(f->arg, why, sizeof why);
    if (!s->argv) {
        snprintf(err, errlen, "exec: %s", why);
        return false;
    }
    feed_set_status(f, "starting");
    s->timer = loop_timer_at(f->loop, loop_now(f->loop), spawn_now, f);
    return true;
}

const feed_ops feed_exec_ops = {exec_start, exec_send, exec_stop};

/* Appends the rest of a '...' or "..." word at *p to *out; false when the quote is not closed. */
static bool split_quoted(const char **p, char **out)
{
    char quote = *(*p)++;
    while (**p && **p != quote) {
        if (quote == '"' && **p == '\\' && (*p)[1] && strchr("\"\\$`", (*p)[1]))
            (*p)++;
        *(*out)++ = *(*p)++;
    }
    if (!**p)
        return false;
    (*p)++;
    return true;
}

/* Appends the word that starts at *p to *out (quotes and escapes resolved, then a NUL);
 * returns a problem in words, NULL when the word is fine. */
static const char *split_word(const char **p, char **out)
{
    while (**p && **p != ' ' && **p != '\t' && **p != '\n') {
        if (**p == '\'' || **p == '"') {
            if (!split_quoted(p, out))
                return "a quote is not closed";
        } else if (**p == '\\') {
            if (!*++*p)
                return "the command ends with a backslash";
            *(*out)++ = *(*p)++;
        } else {
            *(*out)++ = *(*p)++;
        }
    }
    *(*out)++ = '\0';
    return NULL;
}

char **feed_split_command(const char *command, char *err, size_t errlen)
{
    size_t n = strlen(command), max_words = n / 2 + 2;
    char **argv = malloc(max_words * sizeof *argv + n + max_words);
    if (!argv) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    char *out = (char *)(argv + max_words);
    size_t words = 0;
    const char *problem = NULL;
    for (const char *p = command; *p && !problem;) {
        if (*p == ' ' || *p == '\t' || *p == '\n') {
            p++;
            continue;
        }
        argv[words++] = out;
        problem = split_word(&p, &out);
    }
    if (!problem && words == 0)
        problem = "the command is empty";
    if (problem) {
        snprintf(err, errlen, "%s", problem);
        free(argv);
        return NULL;
    }
    argv[words] = NULL;
    return argv;
}
