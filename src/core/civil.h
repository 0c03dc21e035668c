/* civil: calendar time without the C library's time zone state.
 * Timestamps are Unix milliseconds plus the UTC offset they were written with. */
#ifndef HUASHU_CIVIL_H
#define HUASHU_CIVIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct civil_time {
    int year, month, day; /* month 1-12, day 1-31 */
    int hour, minute, second, millisecond;
    int weekday; /* 0 = Sunday */
} civil_time;

/* Parses an RFC 3339 timestamp ("2026-11-23T10:02:11.250+08:00", "...Z").
 * Returns true and sets *ms (Unix ms) and *offset_min; false when malformed. */
bool civil_parse_iso(const char *s, size_t len, int64_t *ms, int *offset_min);
/* Writes RFC 3339 with milliseconds in the given offset; returns bytes written (29 or 24). */
size_t civil_format_iso(int64_t ms, int offset_min, char out[32]);
/* Breaks Unix ms down into local civil time at the given UTC offset. */
civil_time civil_from_ms(int64_t ms, int offset_min);
/* A deadline as the desk reads it: "HH:MM:SS" at offset_min, with "YYYY-MM-DD " before it
 * when it falls on another day than now there. Returns bytes written. */
size_t civil_format_deadline(int64_t ms, int64_t now, int offset_min, char out[32]);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t civil_days_from_date(int year, int month, int day);

#endif
