/* demo: plays a JSON Lines file of events (data/demo/shift.jsonl) as a live feed. Each event
 * is re-timed relative to the start (first event at start + its offset from the file's first
 * timestamp) and delivered by a timer of the one poll() loop. */
#ifndef HUASHU_DEMO_H
#define HUASHU_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "net/loop.h"

typedef struct demo demo;

/* Receives each event when its time comes; the event is released after the call. */
typedef void (*demo_sink)(void *ctx, event *ev);
/* Told about a line that could not be used (1-based line number). */
typedef void (*demo_problem)(void *ctx, unsigned long line, const char *message);

/* Reads path; NULL with a message in err when it cannot be read. */
demo *demo_open(const char *path, char *err, size_t errlen);
void demo_free(demo *d);
/* Starts playing on l: the file's first event happens at start; events are stamped at UTC
 * offset tz (minutes), the console's own, so times of day agree with its clock. */
bool demo_start(demo *d, loop *l, int64_t start, int tz, demo_sink sink, demo_problem problem,
                void *ctx);
/* True once every line has been delivered or skipped. */
bool demo_done(const demo *d);
unsigned long demo_delivered(const demo *d);
unsigned long demo_skipped(const demo *d);

#endif
