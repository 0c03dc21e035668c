/* eventscan: fast path of event_parse for flat records (see eventscan.c). */
#ifndef HUASHU_EVENTSCAN_H
#define HUASHU_EVENTSCAN_H

#include <stdbool.h>
#include <stddef.h>

#define SCAN_MAX_KEYS   24
#define SCAN_MAX_NESTED 24

typedef enum scan_status {
    SCAN_OK,
    SCAN_INVALID,     /* not valid JSON: jansson is asked for the wording */
    SCAN_UNSUPPORTED, /* valid or not, outside the fast path: use jansson */
} scan_status;

enum { SCAN_CUSTOMER = 1, SCAN_FIELDS = 2 };

typedef struct scan_pair {
    const char *key;
    size_t key_len;
    const char *value; /* decoded string, NULL when the value was not a string */
} scan_pair;

typedef struct scan_nested {
    int object; /* SCAN_CUSTOMER or SCAN_FIELDS */
    const char *key, *value;
    size_t key_len;
} scan_nested;

typedef struct scan_result {
    scan_pair top[SCAN_MAX_KEYS];
    size_t top_count;
    scan_nested nested[SCAN_MAX_NESTED];
    size_t nested_count;
    unsigned has_object; /* bits 1 << SCAN_CUSTOMER, 1 << SCAN_FIELDS */
} scan_result;

/* Scans one record. Decoded strings go to scratch, which needs len + 1 bytes (decoding never
 * grows a string, and each string's quotes make room for its terminator). */
scan_status eventscan(const char *line, size_t len, char *scratch, scan_result *r);

#endif
