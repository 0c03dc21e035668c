#include "net/loop.h"
#include "net/os.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIGNALS 16

typedef struct watch {
    int fd;
    short events;
    loop_fd_fn fn;
    void *ctx;
} watch;

typedef struct timer {
    unsigned id;
    int64_t at;
    loop_timer_fn fn;
    void *ctx;
} timer;

struct loop {
    watch *watches;
    size_t watch_count, watch_cap;
    struct pollfd *pfds;
    timer *timers;
    size_t timer_count, timer_cap;
    unsigned next_id;
    int64_t clock_start, mono_start;
    double scale;
    int signals[MAX_SIGNALS];
    size_t signal_count;
    loop_signal_fn signal_fn;
    void *signal_ctx;
};

/* The write end of the signal self-pipe: the one global, as handlers can reach nothing else. */
static volatile sig_atomic_t signal_pipe_write = -1;
static int signal_pipe_read = -1;

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

loop *loop_new(void)
{
    loop *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->next_id = 1;
    l->scale = 1.0;
    l->clock_start = real_ms();
    l->mono_start = os_mono_ms();
    return l;
}

static void signal_handler(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    if (signal_pipe_write >= 0 && write(signal_pipe_write, &b, 1) < 0) {
        /* pipe full: a delivery of this signal is pending already */
    }
    errno = saved;
}

void loop_free(loop *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->signal_count; i++)
        signal(l->signals[i], SIG_DFL);
    if (l->signal_count) {
        close(signal_pipe_read);
        close(signal_pipe_write);
        signal_pipe_read = -1;
        signal_pipe_write = -1;
    }
    free(l->watches);
    free(l->pfds);
    free(l->timers);
    free(l);
}

int64_t loop_now(const loop *l)
{
    int64_t elapsed = os_mono_ms() - l->mono_start;
    return l->clock_start + (int64_t)((double)elapsed * l->scale);
}

void loop_set_clock(loop *l, int64_t start_ms, double scale)
{
    l->clock_start = start_ms;
    l->mono_start = os_mono_ms();
    l->scale = scale > 0 ? scale : 1.0;
}

double loop_clock_scale(const loop *l)
{
    return l->scale;
}

static watch *find_watch(loop *l, int fd)
{
    for (size_t i = 0; i < l->watch_count; i++)
        if (l->watches[i].fd == fd)
            return &l->watches[i];
    return NULL;
}

bool loop_watch(loop *l, int fd, short events, loop_fd_fn fn, void *ctx)
{
    watch *w = find_watch(l, fd);
    if (!w) {
        if (l->watch_count == l->watch_cap) {
            size_t cap = l->watch_cap ? l->watch_cap * 2 : 8;
            watch *grown = realloc(l->watches, cap * sizeof *grown);
            if (!grown)
                return false;
            l->watches = grown;
            struct pollfd *pf = realloc(l->pfds, cap * sizeof *pf);
            if (!pf)
                return false;
            l->pfds = pf;
            l->watch_cap = cap;
        }
        w = &l->watches[l->watch_count++];
    }
    *w = (watch){fd, events, fn, ctx};
    return true;
}

void loop_unwatch(loop *l, int fd)
{
    watch *w = find_watch(l, fd);
    if (w)
        *w = l->watches[--l->watch_count];
}

unsigned loop_timer_at(loop *l, int64_t at, loop_timer_fn fn, void *ctx)
{
    if (l->timer_count == l->timer_cap) {
        size_t cap = l->timer_cap ? l->timer_cap * 2 : 8;
        timer *grown = realloc(l->timers, cap * sizeof *grown);
        if (!grown)
            return 0;
        l->timers = grown;
        l->timer_cap = cap;
    }
    unsigned id = l->next_id++;
    if (l->next_id == 0)
        l->next_id = 1;
    l->timers[l->timer_count++] = (timer){id, at, fn, ctx};
    return id;
}

void loop_timer_cancel(loop *l, unsigned id)
{
    for (size_t i = 0; i < l->timer_count; i++) {
        if (l->timers[i].id == id) {
            l->timers[i] = l->timers[--l->timer_count];
            return;
        }
    }
}

int64_t loop_next_timer(const loop *l)
{
    int64_t best = LOOP_NEVER;
    for (size_t i = 0; i < l->timer_count; i++)
        if (l->timers[i].at < best)
            best = l->timers[i].at;
    return best;
}

static bool set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 &&
           fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

/* Reads the self-pipe and reports each signal found once. */
static void drain_signals(void *ctx, int fd, short revents)
{
    loop *l = ctx;
    bool seen[256] = {false};
    unsigned char b[64];
    ssize_t n;
    while ((n = read(fd, b, sizeof b)) > 0)
        for (ssize_t i = 0; i < n; i++)
            seen[b[i]] = true;
    for (size_t i = 0; i < l->signal_count; i++)
        if (seen[l->signals[i] & 0xFF] && l->signal_fn)
            l->signal_fn(l->signal_ctx, l->signals[i]);
}

bool loop_catch_signals(loop *l, const int *signals, size_t n, loop_signal_fn fn, void *ctx)
{
    if (signal_pipe_read < 0) {
        int p[2];
        if (pipe(p) != 0)
            return false;
        if (!set_flags(p[0]) || !set_flags(p[1])) {
            close(p[0]);
            close(p[1]);
            return false;
        }
        signal_pipe_read = p[0];
        signal_pipe_write = p[1];
        if (!loop_watch(l, p[0], POLLIN, drain_signals, l))
            return false;
    }
    l->signal_fn = fn;
    l->signal_ctx = ctx;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = signal_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        for (size_t k = 0; k < l->signal_count; k++)
            known = known || l->signals[k] == signals[i];
        if (!known && l->signal_count == MAX_SIGNALS)
            return false;
        if (sigaction(signals[i], &sa, NULL) != 0)
            return false;
        if (!known)
            l->signals[l->signal_count++] = signals[i];
    }
    return true;
}

/* Milliseconds of real time poll() may wait before the clock reaches deadline. */
static int poll_timeout(const loop *l, int64_t deadline)
{
    if (deadline == LOOP_NEVER)
        return -1;
    int64_t left = deadline - loop_now(l);
    if (left <= 0)
        return 0;
    double real = (double)left / l->scale + 0.999;
    return real > INT_MAX ? INT_MAX : (int)real;
}

static void run_timers(loop *l)
{
    int64_t now = loop_now(l);
    for (size_t budget = l->timer_count; budget > 0; budget--) { /* never spin on re-arms */
        size_t due = l->timer_count;
        for (size_t i = 0; i < l->timer_count; i++)
            if (l->timers[i].at <= now &&
                (due == l->timer_count || l->timers[i].at < l->timers[due].at))
                due = i;
        if (due == l->timer_count)
            return;
        timer t = l->timers[due];
        l->timers[due] = l->timers[--l->timer_count];
        t.fn(t.ctx, t.id, now);
    }
}

static void run_ready(loop *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!l->pfds[i].revents)
            continue;
        watch *w = find_watch(l, l->pfds[i].fd); /* a callback may have removed it */
        if (w)
            w->fn(w->ctx, l->pfds[i].fd, l->pfds[i].revents);
    }
}

bool loop_run_once(loop *l, int64_t deadline)
{
    int64_t next = loop_next_timer(l);
    if (next < deadline)
        deadline = next;
    size_t n = l->watch_count;
    for (size_t i = 0; i < n; i++)
        l->pfds[i] = (struct pollfd){l->watches[i].fd, l->watches[i].events, 0};
    int rc = poll(l->pfds, (nfds_t)n, poll_timeout(l, deadline));
    if (rc < 0 && errno != EINTR)
        return false;
    if (rc > 0)
        run_ready(l, n);
    run_timers(l);
    return true;
}
