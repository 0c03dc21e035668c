/* http: an asynchronous HTTP client on libcurl's multi interface, driven by the console's one
 * poll() loop (loop.h). It never blocks: libcurl's sockets are watched with loop_watch() and
 * its timeouts are loop timers, so keys, feeds and timers keep running while transfers are in
 * flight, and any number of transfers run at once (up to max_parallel, the rest queued).
 *
 * Safe defaults, each overridable per request:
 *   - a total timeout (10 s) and a connect timeout (5 s); libcurl's own are none and 300 s;
 *   - https only (CURLOPT_PROTOCOLS_STR); redirects off: custom auth headers such as
 *     X-Shopify-Access-Token would follow them to another host. When turned on, redirects are
 *     followed by this module, and to another origin without the secret headers and password;
 *   - the body is limited in the write callback (libcurl 7.88 only checks Content-Length), also
 *     after gzip/deflate decoding;
 *   - retries only for GET and HEAD, only on connect errors, timeouts, 5xx and 429, with
 *     exponential backoff and jitter, honouring Retry-After. A POST is never repeated (it may
 *     have sent a chat message);
 *   - every message, URL and verbose trace this module produces has credentials redacted: the
 *     userinfo of URLs, the values of query parameters that look like keys (token, key,
 *     secret, password, signature...), secret headers and every string listed in
 *     http_request.secrets.
 *
 * Use for a lookup (GET), the Chatwoot feed's polling (GET, retried) and its replies (POST,
 * never retried): fill an http_request, call http_start with a callback, keep running the
 * loop; the callback gets an http_response once, unless the transfer was cancelled.
 *
 *     http_request rq;
 *     http_request_init(&rq, "GET", url);
 *     const char *headers[] = {"api_access_token: ...", NULL};
 *     rq.headers = headers;
 *     rq.secret_headers = true;               // header values never shown
 *     uint64_t id = http_start(client, &rq, on_done, ctx);
 *     ...
 *     http_cancel(client, id);                // e.g. the conversation closed
 *
 * Single-threaded; callbacks run from loop_run_once(). A callback may start and cancel
 * transfers, but must not free the client. */
#ifndef HUASHU_HTTP_H
#define HUASHU_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/loop.h"

typedef struct http_client http_client;

typedef struct http_request {
    const char *method;              /* "GET" (default), "POST", "PUT", "HEAD", ... */
    const char *url;                 /* the whole URL, query included */
    const char *const *headers;      /* "Name: value" lines, NULL-terminated; may be NULL */
    bool secret_headers;             /* every header value is a credential: never shown */
    const char *username, *password; /* HTTP Basic; NULL for none; never shown */
    const char *body;                /* request body (POST/PUT), body_len bytes */
    size_t body_len;
    const char *const *secrets; /* more strings never to show, NULL-terminated */
    long timeout_ms;            /* whole transfer, each attempt (default 10000) */
    long connect_timeout_ms;    /* default 5000 */
    const char *protocols;      /* CURLOPT_PROTOCOLS_STR list (default "https") */
    const char *ca_file;        /* CA bundle; NULL: the system's */
    size_t max_body;            /* bytes of response body kept (default 1 MiB) */
    int max_redirects;          /* 0 (default): a 3xx is the answer */
    int max_retries;            /* GET/HEAD only (default 2); -1 never */
    long retry_base_ms;         /* first backoff (default 500), doubling each time */
    long retry_max_ms;          /* longest wait, Retry-After included (default 30 s) */
    bool verbose;               /* trace to the client's log function, redacted */
} http_request;

typedef enum http_error {
    HTTP_OK,            /* a 2xx answer */
    HTTP_ERR_STATUS,    /* an answer with status >= 400 (status and body are set) */
    HTTP_ERR_REDIRECT,  /* a 3xx not followed (location is set) */
    HTTP_ERR_DNS,       /* the host name did not resolve */
    HTTP_ERR_CONNECT,   /* connection refused or unreachable */
    HTTP_ERR_TIMEOUT,   /* no (whole) answer in time */
    HTTP_ERR_TLS,       /* certificate or handshake failure */
    HTTP_ERR_TOO_BIG,   /* the body passed max_body */
    HTTP_ERR_PROTOCOL,  /* the URL's scheme is not allowed, or the URL is malformed */
    HTTP_ERR_TRUNCATED, /* the connection closed before the whole answer */
    HTTP_ERR_NOT_FOUND, /* file:// only: no such file */
    HTTP_ERR_OTHER,     /* anything else libcurl reports */
} http_error;

typedef struct http_response {
    uint64_t id; /* what http_start returned */
    http_error error;
    long status;      /* HTTP status, 0 when no answer came */
    const char *body; /* NUL-terminated, body_len bytes (may be partial on errors) */
    size_t body_len;
    const char *url;      /* the URL asked last (after redirects), credentials redacted */
    const char *location; /* HTTP_ERR_REDIRECT: where it pointed, redacted; else NULL */
    const char *message;  /* plain words: "HTTP 503 Service Unavailable", "connection refused
                             by 127.0.0.1 port 8080"; redacted */
    int attempts;         /* 1 + retries made */
    long retry_after_ms;  /* the last Retry-After the server sent, 0 when none */
    long elapsed_ms;      /* from http_start to the answer, waits included */
} http_response;

typedef void (*http_done_fn)(void *ctx, const http_response *r);
typedef void (*http_log_fn)(void *ctx, const char *line);

/* A client on loop l; NULL when out of memory. libcurl is loaded (curlapi.h) and initialised
 * when the first transfer starts; when it cannot be, every transfer fails with a message
 * naming the library. */
http_client *http_client_new(loop *l);
/* Cancels every transfer (no callbacks) and frees the client. Not from inside a callback. */
void http_client_free(http_client *c);
/* At most n transfers at once (default 32); more wait in a queue. */
void http_client_set_max_parallel(http_client *c, size_t n);
/* Receives verbose traces and retry notes, redacted, one line per call. */
void http_client_set_log(http_client *c, http_log_fn fn, void *ctx);

/* Fills rq with the defaults listed above. */
void http_request_init(http_request *rq, const char *method, const char *url);
/* Starts a transfer; everything in rq is copied. Returns its id (never 0); 0 when out of
 * memory. fn is called exactly once from the loop, never from inside http_start. */
uint64_t http_start(http_client *c, const http_request *rq, http_done_fn fn, void *ctx);
/* Stops a transfer or its pending retry; its callback will not be called. Unknown ids (done
 * already) are ignored. */
void http_cancel(http_client *c, uint64_t id);
/* Transfers started and not finished or cancelled, queued ones and retry waits included. */
size_t http_in_flight(const http_client *c);

/* Appends url to out with credentials replaced by "***": userinfo, values of query
 * parameters named like keys, and any of secrets (NULL-terminated, may be NULL). */
void http_redact_url(const char *url, const char *const *secrets, char *out, size_t outlen);
/* Replaces every occurrence of each secret (of 4 bytes or more) in text with "***". */
void http_redact_text(const char *text, const char *const *secrets, char *out, size_t outlen);
/* Plain words for an error kind ("timeout", "connection refused"...). */
const char *http_error_name(http_error e);

#endif
