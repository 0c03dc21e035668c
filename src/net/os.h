/* os: what the edges ask the system for: a monotonic clock, the local UTC offset, mkdir -p. */
#ifndef HUASHU_OS_H
#define HUASHU_OS_H

#include <stdbool.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds (and microseconds): for timing, never for timestamps. */
int64_t os_mono_ms(void);
int64_t os_mono_us(void);
/* Minutes east of UTC of the local time zone at unix_ms (0 when unknown). */
int os_local_offset(int64_t unix_ms);
/* mkdir -p path, each missing directory created 0700; false (errno set) when one cannot be. */
bool os_make_dirs(const char *path);

#endif
