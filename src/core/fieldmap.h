/* fieldmap: turns a JSON response (an order, a stock record) into named display values.
 *
 * Paths are dotted ("fulfillments[0].tracking_number", "line_items.0.name", "items[-1]") or
 * JSON pointers (RFC 6901: "/fulfillments/0/tracking_number"); numbers index arrays, negative
 * ones from the end, and the empty path is the node itself. A field takes the first of its
 * paths that is present (so stock_quantity can fall back to stock_status), or fills a format
 * ("{shipping.city} {shipping.address_1}"), optionally once per element of an array joined
 * by a separator; then a value map ("processing" -> "处理中") and, for quantities, the stock
 * wording 有现货 / 仅剩N件 / 暂时缺货. Values come back sanitised for display. Pure: no I/O. */
#ifndef HUASHU_FIELDMAP_H
#define HUASHU_FIELDMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/event.h"

#define FIELDMAP_MAX_FIELDS EVENT_MAX_FIELDS /* a lookup event carries at most this many */
#define FIELDMAP_MAX_PATHS  4
#define FIELDMAP_MAX_VALUE  1024 /* bytes of one value; longer ones are cut */

typedef struct fieldmap_path fieldmap_path;
typedef struct fieldmap_format fieldmap_format;

typedef struct fieldmap_field {
    char *name;  /* "status": becomes {order.status} */
    char *label; /* display label; NULL: the caller picks one (the playbook's) */
    fieldmap_path *paths[FIELDMAP_MAX_PATHS];
    size_t path_count;
    fieldmap_format *format; /* instead of paths */
    fieldmap_path *each;     /* the path or format applies to each element of this array */
    char *join;              /* between elements of each or of an array value; default "、" */
    char **map_from, **map_to;
    size_t map_count;
    char *fallback; /* the value when nothing is present */
    bool required;  /* absent (and no fallback): the lookup fails with "missing field" */
    bool stock;     /* a number becomes the stock wording */
} fieldmap_field;

typedef struct fieldmap {
    fieldmap_path *record; /* where the record sits (orders[0]); absent: not found */
    fieldmap_path *error;  /* an API error message inside a 200 (GraphQL errors[0].message) */
    fieldmap_field fields[FIELDMAP_MAX_FIELDS];
    size_t count;
    char *in_stock, *low_stock, *out_of_stock; /* "有现货", "仅剩{n}件", "暂时缺货" */
    long low_at;                               /* quantities 1..low_at get the low wording */
} fieldmap;

typedef enum fieldmap_status {
    FIELDMAP_OK,
    FIELDMAP_BAD_JSON,  /* the body is not JSON */
    FIELDMAP_NOT_FOUND, /* the record path is absent (an empty result list) */
    FIELDMAP_MISSING,   /* a required field is absent */
    FIELDMAP_API_ERROR, /* the error path is present */
    FIELDMAP_NO_MEMORY, /* an allocation failed */
} fieldmap_status;

typedef struct fieldmap_value {
    const char *name, *label; /* the field's (label may be NULL) */
    char *value;              /* malloc'd, sanitised */
} fieldmap_value;

typedef struct fieldmap_result {
    fieldmap_status status;
    fieldmap_value values[FIELDMAP_MAX_FIELDS]; /* the present fields, in map order */
    size_t count;
    char message[256]; /* plain words when status is not FIELDMAP_OK */
} fieldmap_result;

/* An empty map with the default stock wording (low_at 5). NULL when out of memory. */
fieldmap *fieldmap_new(void);
void fieldmap_free(fieldmap *m);

/* Compiles a path; NULL with a message in err when it is malformed. */
fieldmap_path *fieldmap_path_compile(const char *text, char *err, size_t errlen);
void fieldmap_path_free(fieldmap_path *p);
/* The path as written. */
const char *fieldmap_path_text(const fieldmap_path *p);

/* Sets a map-level key: "record", "error", "in_stock", "low_stock" ({n} is the quantity),
 * "out_of_stock", "low_at". False with a message in err for a bad key or value. */
bool fieldmap_set(fieldmap *m, const char *key, const char *value, char *err, size_t errlen);

/* The field called name, added (empty) when new. NULL when the map is full or out of memory. */
fieldmap_field *fieldmap_field_get(fieldmap *m, const char *name);
/* The field called name, NULL when absent. */
const fieldmap_field *fieldmap_field_find(const fieldmap *m, const char *name);
/* Sets one key of a field: "path" (adds an alternative), "format", "each", "join", "label",
 * "default", "required" and "stock" (true/false). False with a message in err. */
bool fieldmap_field_set(fieldmap_field *f, const char *key, const char *value, char *err,
                        size_t errlen);
/* Forgets the field's paths and format (before a user's own replace a preset's). */
void fieldmap_field_clear_source(fieldmap_field *f);
/* Adds or replaces a value mapping: the JSON value from (its text) is shown as to. */
bool fieldmap_field_map(fieldmap_field *f, const char *from, const char *to);

/* Parses json and fills r. Returns r->status; on anything but FIELDMAP_OK r->message says
 * what was wrong in plain words. Always call fieldmap_result_free afterwards. */
fieldmap_status fieldmap_apply(const fieldmap *m, const char *json, size_t len, fieldmap_result *r);
void fieldmap_result_free(fieldmap_result *r);
/* The value of the field called name in r, NULL when absent. */
const char *fieldmap_result_get(const fieldmap_result *r, const char *name);

/* The stock wording for a quantity. Appends to out. */
void fieldmap_stock_words(const fieldmap *m, long long qty, buf *out);

#endif
