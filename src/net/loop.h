/* loop: the one poll() loop of the console. Descriptors with callbacks, timers on the loop's
 * clock, and a self-pipe that turns signals into ordinary callbacks. Single-threaded; nothing
 * here waits except poll() itself. Feeds (net/feed*) and lookups (libcurl multi, net/http)
 * plug in with loop_watch() and loop_timer_at(). */
#ifndef HUASHU_LOOP_H
#define HUASHU_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOP_NEVER INT64_MAX

typedef struct loop loop;
typedef void (*loop_fd_fn)(void *ctx, int fd, short revents);
typedef void (*loop_timer_fn)(void *ctx, unsigned id, int64_t now);
typedef void (*loop_signal_fn)(void *ctx, int signo);

loop *loop_new(void);
/* Frees the loop, restoring the default action of every signal it caught. */
void loop_free(loop *l);

/* The loop's clock in Unix milliseconds. It follows the real clock unless loop_set_clock made
 * it start elsewhere or run faster (a documented test and training option). */
int64_t loop_now(const loop *l);
/* From now on the clock reads start_ms and advances scale times faster than real time. */
void loop_set_clock(loop *l, int64_t start_ms, double scale);
double loop_clock_scale(const loop *l);

/* Calls fn when fd is ready for events (POLLIN, POLLOUT); changes them when fd is watched
 * already. False when out of memory. */
bool loop_watch(loop *l, int fd, short events, loop_fd_fn fn, void *ctx);
void loop_unwatch(loop *l, int fd);

/* Calls fn once when the clock reaches at. Returns the timer's id (never 0), 0 when out of
 * memory. */
unsigned loop_timer_at(loop *l, int64_t at, loop_timer_fn fn, void *ctx);
void loop_timer_cancel(loop *l, unsigned id);
/* The earliest pending timer, LOOP_NEVER when there is none. */
int64_t loop_next_timer(const loop *l);

/* Delivers signals to fn from inside the loop; their handlers only write to a self-pipe.
 * Several deliveries of one signal between two polls are reported once. */
bool loop_catch_signals(loop *l, const int *signals, size_t n, loop_signal_fn fn, void *ctx);

/* Waits until a descriptor is ready, a signal arrives, the earliest timer is due or the clock
 * reaches deadline (LOOP_NEVER: no limit), then runs the callbacks of what is ready.
 * Returns false only when poll() fails with something other than EINTR. */
bool loop_run_once(loop *l, int64_t deadline);

#endif
