/* lookup: order and stock lookups over HTTP (or file:// for the demo), configured by the
 * `lookup:` section of config.yaml (core/lookup_config.h parses it). Here ${ENV} references
 * and 0600 token files are resolved and the requests made.
 *
 * Lookups run asynchronously on the console's loop through http.h; results come back to a
 * callback, successful ones cached per (endpoint, id). A finished lookup becomes a lookup
 * event ({"type":"lookup","kind":"order","fields":{...}}) for the engine. */
#ifndef HUASHU_LOOKUP_H
#define HUASHU_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/event.h"
#include "core/fieldmap.h"
#include "core/lookup_config.h"
#include "net/http.h"
#include "net/loop.h"

typedef enum lookup_status {
    LOOKUP_OK,
    LOOKUP_NOT_FOUND,    /* 404, an empty result, no such file: 订单不存在 */
    LOOKUP_AUTH,         /* 401/403: check the token */
    LOOKUP_RATE_LIMITED, /* 429 (after honouring Retry-After) */
    LOOKUP_SERVER,       /* 5xx after retries, other HTTP errors, redirects not followed */
    LOOKUP_NETWORK,      /* DNS, connection refused, TLS, connection closed early */
    LOOKUP_TIMEOUT,      /* no (whole) answer in time */
    LOOKUP_BAD_RESPONSE, /* invalid JSON, body over the limit, missing fields, API error */
    LOOKUP_CONFIG,       /* no endpoint, bad id, unset ${ENV}, token file readable by others */
} lookup_status;

typedef struct lookup_result {
    uint64_t id;       /* what lookup_start returned */
    const char *kind;  /* "order" */
    const char *key;   /* the order number or SKU asked for */
    const char *owner; /* the conversation that asked, may be NULL */
    lookup_status status;
    const fieldmap_result *fields; /* values when status is LOOKUP_OK */
    long http_status;              /* 0 when no answer came */
    const char *method;            /* "GET" */
    const char *url;               /* credentials redacted; NULL for config errors */
    const char *message; /* plain words, credentials redacted ("订单不存在 (HTTP 404 Not
                            Found)", "HTTP 401 Unauthorized: check the token ...") */
    bool cached;         /* served from the cache */
    int attempts;
    long elapsed_ms;
} lookup_result;

typedef void (*lookup_done_fn)(void *ctx, const lookup_result *r);

typedef struct lookup lookup;

/* Lookups on loop l with the endpoints of lc (which must outlive it). NULL when out of memory
 * or when libcurl fails. */
lookup *lookup_new(loop *l, const lookup_config *lc);
/* Cancels everything (no callbacks) and frees. Not from inside a callback. */
void lookup_free(lookup *lk);
/* Verbose traces (headers, redacted) and retry notes go to fn. */
void lookup_set_log(lookup *lk, http_log_fn fn, void *ctx, bool verbose);
/* At most n requests at once (default 32). */
void lookup_set_parallel(lookup *lk, size_t n);

enum { LOOKUP_REFRESH = 1u << 0 /* skip the cache (the refresh key) */ };

/* Starts looking up kind/key for owner (a conversation id, may be NULL). fn is called once
 * from the loop, never from inside lookup_start, unless the lookup is cancelled. Returns its
 * id (never 0), 0 when out of memory. */
uint64_t lookup_start(lookup *lk, const char *kind, const char *key, const char *owner,
                      unsigned flags, lookup_done_fn fn, void *ctx);
void lookup_cancel(lookup *lk, uint64_t id);
/* Cancels every lookup owner started (its conversation closed); returns how many. */
size_t lookup_cancel_owner(lookup *lk, const char *owner);
size_t lookup_in_flight(const lookup *lk);

/* Builds the lookup event of a successful result for conversation conv: ev's strings point
 * into r, so use it (engine_feed, sessionlog_write) before the callback returns. */
void lookup_event(const lookup_result *r, const char *conv, int64_t ts_ms, int tz_offset,
                  event *ev);

/* Plain name of a status ("not found", "authentication"...). */
const char *lookup_status_name(lookup_status s);

#endif
