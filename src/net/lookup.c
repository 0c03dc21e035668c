#include "net/lookup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/text.h"
#include "net/os.h"

#define MAX_SECRETS    8
#define CACHE_MAX      256
#define TOKEN_FILE_MAX 4096

typedef lookup_endpoint endpoint;

/* Reads a token file: it must be the user's own and unreadable by others (0600 or 0400). */
static char *read_token_file(const char *path, char *err, size_t errlen)
{
    char full[1024];
    const char *home = getenv("HOME");
    if (!strncmp(path, "~/", 2) && home)
        snprintf(full, sizeof full, "%s/%s", home, path + 2);
    else
        snprintf(full, sizeof full, "%s", path);
    int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot read token_file %.300s: %s", full, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) || st.st_uid != getuid()) {
        snprintf(
            err, errlen,
            "token_file %.200s must be a file of yours that only you can read (mode %04o): run "
            "chmod 600 %.200s",
            full, (unsigned)(st.st_mode & 07777), full);
        close(fd);
        return NULL;
    }
    char data[TOKEN_FILE_MAX + 1];
    ssize_t n = read(fd, data, TOKEN_FILE_MAX);
    close(fd);
    if (n <= 0) {
        snprintf(err, errlen, "token_file %.300s is empty", full);
        return NULL;
    }
    data[n] = '\0';
    data[strcspn(data, "\r\n")] = '\0';
    return strdup(data);
}

typedef struct secrets {
    char *values[MAX_SECRETS + 1];
    size_t count;
} secrets;

static void secrets_free(secrets *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->values[i]);
    s->count = 0;
    s->values[0] = NULL;
}

static void secrets_add(secrets *s, const char *v)
{
    if (v && strlen(v) >= 4 && s->count < MAX_SECRETS && (s->values[s->count] = strdup(v)))
        s->values[++s->count] = NULL;
}

/* Expands ${NAME} from the environment and ${token} from token; every value becomes a
 * secret. NULL with a message in err when a variable is unset or holds a line break. */
static char *expand_refs(const char *tmpl, const char *token, secrets *s, char *err, size_t errlen)
{
    buf b;
    buf_init(&b);
    for (const char *t = tmpl; *t;) {
        const char *ref = strstr(t, "${");
        const char *close = ref ? strchr(ref, '}') : NULL;
        if (!ref || !close) {
            buf_puts(&b, t);
            break;
        }
        buf_append(&b, t, (size_t)(ref - t));
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(close - ref - 2), ref + 2);
        const char *value = !strcmp(name, "token") ? token : getenv(name);
        if (!value || !*value || strpbrk(value, "\r\n")) {
            if (!strcmp(name, "token"))
                snprintf(err, errlen, "no token: set token or token_file");
            else
                snprintf(err, errlen, "environment variable %s %s", name,
                         value && *value ? "holds a line break" : "is not set");
            buf_free(&b);
            return NULL;
        }
        secrets_add(s, value);
        buf_puts(&b, value);
        t = close + 1;
    }
    if (b.failed) {
        buf_free(&b);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    return b.data ? buf_take(&b) : strdup("");
}

/* Everything one request of an endpoint needs, built for one id. */
typedef struct request_parts {
    char *url, *body, *username, *password;
    char *headers[LOOKUP_MAX_HEADERS + 1];
    secrets secrets;
} request_parts;

/* Frees the parts of one request. */
static void parts_free(request_parts *p)
{
    free(p->url);
    free(p->body);
    free(p->username);
    free(p->password);
    for (size_t i = 0; p->headers[i]; i++)
        free(p->headers[i]);
    secrets_free(&p->secrets);
    memset(p, 0, sizeof *p);
}

/* Resolves the token (file or ${ENV}); *token stays NULL when the endpoint has none. */
static bool resolve_token(const endpoint *ep, secrets *s, char **token, char *err, size_t errlen)
{
    *token = NULL;
    if (ep->token_file)
        *token = read_token_file(ep->token_file, err, errlen);
    else if (ep->token)
        *token = expand_refs(ep->token, NULL, s, err, errlen);
    else
        return true;
    secrets_add(s, *token);
    return *token != NULL;
}

static bool build_parts(const endpoint *ep, const char *key, request_parts *p, char *err,
                        size_t errlen)
{
    memset(p, 0, sizeof *p);
    char *token = NULL;
    bool ok = resolve_token(ep, &p->secrets, &token, err, errlen) &&
              (p->url = lookup_expand_url(ep->url, key, err, errlen)) != NULL;
    if (ok && ep->body && !(p->body = lookup_expand_body(ep->body, key))) {
        snprintf(err, errlen, "out of memory");
        ok = false;
    }
    for (size_t i = 0; ok && i < ep->header_count; i++)
        ok = (p->headers[i] = expand_refs(ep->headers[i], token, &p->secrets, err, errlen)) != NULL;
    if (ok && ep->username)
        ok = (p->username = expand_refs(ep->username, token, &p->secrets, err, errlen)) != NULL;
    if (ok && ep->password)
        ok = (p->password = expand_refs(ep->password, token, &p->secrets, err, errlen)) != NULL;
    if (token) {
        memset(token, 0, strlen(token));
        free(token);
    }
    if (!ok)
        parts_free(p);
    return ok;
}

/* ---- the cache ------------------------------------------------------------------------ */

typedef struct cache_entry {
    char *kind, *key;
    fieldmap_result result;
    int64_t expires;
} cache_entry;

/* ---- lookups -------------------------------------------------------------------------- */

typedef struct pending {
    uint64_t id, http_id;
    lookup *lk;
    const endpoint *ep;
    char *kind, *key, *owner;
    lookup_done_fn fn;
    void *ctx;
    unsigned timer; /* a cached result or an early error, delivered from the loop */
    lookup_status early_status;
    char early_message[512];
    fieldmap_result cached;
    struct pending *next;
} pending;

struct lookup {
    loop *loop;
    const lookup_config *cfg;
    http_client *http;
    pending *pending;
    uint64_t next_id;
    cache_entry cache[CACHE_MAX];
    size_t cache_count;
    bool verbose;
};

lookup *lookup_new(loop *l, const lookup_config *lc)
{
    lookup *lk = calloc(1, sizeof *lk);
    if (!lk)
        return NULL;
    lk->loop = l;
    lk->cfg = lc;
    lk->next_id = 1;
    if (!(lk->http = http_client_new(l))) {
        free(lk);
        return NULL;
    }
    return lk;
}

/* Deep-copies a result's values (names and labels stay the map's). */
static void copy_result(fieldmap_result *to, const fieldmap_result *from)
{
    memset(to, 0, sizeof *to);
    to->status = from->status;
    for (size_t i = 0; i < from->count; i++) {
        char *v = strdup(from->values[i].value);
        if (!v)
            continue;
        to->values[to->count] = from->values[i];
        to->values[to->count++].value = v;
    }
}

static void cache_drop(lookup *lk, size_t i)
{
    cache_entry *e = &lk->cache[i];
    free(e->kind);
    free(e->key);
    fieldmap_result_free(&e->result);
    lk->cache[i] = lk->cache[--lk->cache_count];
}

/* The unexpired cache entry of (kind, key), dropping it when expired; NULL when none. */
static cache_entry *cache_find(lookup *lk, const char *kind, const char *key)
{
    int64_t now = os_mono_ms();
    for (size_t i = 0; i < lk->cache_count; i++) {
        cache_entry *e = &lk->cache[i];
        if (!strcmp(e->kind, kind) && !strcmp(e->key, key)) {
            if (e->expires > now)
                return e;
            cache_drop(lk, i);
            return NULL;
        }
    }
    return NULL;
}

/* Keeps a successful result for the endpoint's TTL, evicting the entry expiring first. */
static void cache_put(lookup *lk, const endpoint *ep, const char *key, const fieldmap_result *r)
{
    if (ep->cache_ttl_ms <= 0)
        return;
    for (size_t i = 0; i < lk->cache_count; i++)
        if (!strcmp(lk->cache[i].kind, ep->kind) && !strcmp(lk->cache[i].key, key)) {
            cache_drop(lk, i);
            break;
        }
    if (lk->cache_count == CACHE_MAX) {
        size_t oldest = 0;
        for (size_t i = 1; i < lk->cache_count; i++)
            if (lk->cache[i].expires < lk->cache[oldest].expires)
                oldest = i;
        cache_drop(lk, oldest);
    }
    cache_entry *e = &lk->cache[lk->cache_count];
    e->kind = strdup(ep->kind);
    e->key = strdup(key);
    if (!e->kind || !e->key) {
        free(e->kind);
        free(e->key);
        return;
    }
    copy_result(&e->result, r);
    e->expires = os_mono_ms() + ep->cache_ttl_ms;
    lk->cache_count++;
}

static void pending_unlink(lookup *lk, pending *p)
{
    for (pending **pp = &lk->pending; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            return;
        }
}

/* Stops a lookup (its transfer or its timer) and frees it. */
static void pending_free(pending *p)
{
    if (p->timer)
        loop_timer_cancel(p->lk->loop, p->timer);
    if (p->http_id)
        http_cancel(p->lk->http, p->http_id);
    fieldmap_result_free(&p->cached);
    free(p->kind);
    free(p->key);
    free(p->owner);
    free(p);
}

void lookup_free(lookup *lk)
{
    if (!lk)
        return;
    while (lk->pending) {
        pending *p = lk->pending;
        lk->pending = p->next;
        pending_free(p);
    }
    while (lk->cache_count)
        cache_drop(lk, 0);
    http_client_free(lk->http);
    free(lk);
}

void lookup_set_log(lookup *lk, http_log_fn fn, void *ctx, bool verbose)
{
    http_client_set_log(lk->http, fn, ctx);
    lk->verbose = verbose;
}

void lookup_set_parallel(lookup *lk, size_t n)
{
    http_client_set_max_parallel(lk->http, n);
}

const char *lookup_status_name(lookup_status s)
{
    static const char *const names[] = {"ok",           "not_found",    "auth",
                                        "rate_limited", "server",       "network",
                                        "timeout",      "bad_response", "config"};
    return (size_t)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* Calls the callback and forgets the lookup. */
static void finish(pending *p, lookup_result *r)
{
    lookup *lk = p->lk;
    pending_unlink(lk, p);
    p->http_id = 0;
    p->timer = 0;
    r->id = p->id;
    r->kind = p->kind;
    r->key = p->key;
    r->owner = p->owner;
    if (p->fn)
        p->fn(p->ctx, r);
    pending_free(p);
}

/* Delivers a cached result or an error found before any request, from the loop. */
static void on_early(void *ctx, unsigned id, int64_t now)
{
    pending *p = ctx;
    p->timer = 0;
    lookup_result r = {.status = p->early_status,
                       .message = p->early_message,
                       .method = p->ep ? p->ep->method : NULL,
                       .cached = p->early_status == LOOKUP_OK,
                       .fields = p->early_status == LOOKUP_OK ? &p->cached : NULL};
    finish(p, &r);
}

/* What to tell the agent when the server refused the credentials. */
static void auth_hint(const endpoint *ep, char *out, size_t outlen)
{
    if (ep->username) {
        snprintf(out, outlen,
                 "check the user name and password (for WooCommerce: the consumer "
                 "key and secret)");
        return;
    }
    for (size_t i = 0; i < ep->header_count; i++) {
        if (strstr(ep->headers[i], "${")) {
            snprintf(out, outlen, "check the token (header %.*s)",
                     (int)strcspn(ep->headers[i], ":"), ep->headers[i]);
            return;
        }
    }
    snprintf(out, outlen, "the server wants credentials: add a token header to the lookup section");
}

/* Maps an HTTP-level failure to a lookup status and plain words. */
static lookup_status classify_http(const endpoint *ep, const http_response *h, char *msg,
                                   size_t msglen)
{
    char hint[200];
    switch (h->error) {
    case HTTP_ERR_STATUS:
        if (h->status == 401 || h->status == 403) {
            auth_hint(ep, hint, sizeof hint);
            snprintf(msg, msglen, "%s: %s", h->message, hint);
            return LOOKUP_AUTH;
        }
        if (h->status == 404 || h->status == 410) {
            snprintf(msg, msglen, "%s (%s)", ep->not_found, h->message);
            return LOOKUP_NOT_FOUND;
        }
        if (h->status == 429) {
            snprintf(msg, msglen, "%s: the shop's API rate limit; try again later", h->message);
            return LOOKUP_RATE_LIMITED;
        }
        snprintf(msg, msglen, "%s%s", h->message,
                 h->status >= 500 ? ": the shop's server has a problem" : "");
        return LOOKUP_SERVER;
    case HTTP_ERR_REDIRECT:
        snprintf(msg, msglen, "%s", h->message);
        return LOOKUP_SERVER;
    case HTTP_ERR_NOT_FOUND:
        snprintf(msg, msglen, "%s (%s)", ep->not_found, h->message);
        return LOOKUP_NOT_FOUND;
    case HTTP_ERR_TIMEOUT:
        snprintf(msg, msglen, "%s", h->message);
        return LOOKUP_TIMEOUT;
    case HTTP_ERR_TOO_BIG:
        snprintf(msg, msglen, "%s", h->message);
        return LOOKUP_BAD_RESPONSE;
    default:
        snprintf(msg, msglen, "%s", h->message);
        return LOOKUP_NETWORK;
    }
}

/* Adds the asked-for id under id_field when the response did not name it. */
static void add_key_field(const endpoint *ep, const char *key, fieldmap_result *fr)
{
    if (!ep->id_field || !*ep->id_field || fieldmap_result_get(fr, ep->id_field) ||
        fr->count == FIELDMAP_MAX_FIELDS)
        return;
    const fieldmap_field *f = fieldmap_field_find(ep->map, ep->id_field);
    char *v = strdup(key);
    if (v)
        fr->values[fr->count++] =
            (fieldmap_value){f ? f->name : ep->id_field, f ? f->label : NULL, v};
}

/* The HTTP answer of a lookup: mapped to fields (and cached) or told as an error. */
static void on_http_done(void *ctx, const http_response *h)
{
    pending *p = ctx;
    p->http_id = 0;
    const endpoint *ep = p->ep;
    char msg[1024];
    fieldmap_result fr;
    memset(&fr, 0, sizeof fr);
    lookup_status st;
    if (h->error != HTTP_OK) {
        st = classify_http(ep, h, msg, sizeof msg);
    } else {
        switch (fieldmap_apply(ep->map, h->body, h->body_len, &fr)) {
        case FIELDMAP_OK:
            st = LOOKUP_OK;
            add_key_field(ep, p->key, &fr);
            snprintf(msg, sizeof msg, "%s", h->message);
            cache_put(p->lk, ep, p->key, &fr);
            break;
        case FIELDMAP_NOT_FOUND:
            st = LOOKUP_NOT_FOUND;
            snprintf(msg, sizeof msg, "%s (%s)", ep->not_found, fr.message);
            break;
        default:
            st = LOOKUP_BAD_RESPONSE;
            snprintf(msg, sizeof msg, "%s", fr.message);
            break;
        }
    }
    lookup_result r = {.status = st,
                       .fields = st == LOOKUP_OK ? &fr : NULL,
                       .http_status = h->status,
                       .method = ep->method,
                       .url = h->url,
                       .message = msg,
                       .attempts = h->attempts,
                       .elapsed_ms = h->elapsed_ms};
    finish(p, &r);
    fieldmap_result_free(&fr);
}

/* Delivers status and message (or a cached result) from the loop, not from lookup_start. */
static bool defer(lookup *lk, pending *p, lookup_status st, const char *message)
{
    p->early_status = st;
    snprintf(p->early_message, sizeof p->early_message, "%s", message);
    p->timer = loop_timer_at(lk->loop, loop_now(lk->loop), on_early, p);
    return p->timer != 0;
}

/* Fills an http request from an endpoint and the parts built for one id. */
static void fill_request(const endpoint *ep, request_parts *parts, bool verbose, http_request *rq)
{
    http_request_init(rq, ep->method, parts->url);
    rq->headers = (const char *const *)parts->headers;
    rq->username = parts->username;
    rq->password = parts->password;
    rq->body = parts->body;
    rq->body_len = parts->body ? strlen(parts->body) : 0;
    rq->secrets = (const char *const *)parts->secrets.values;
    rq->timeout_ms = ep->timeout_ms;
    rq->connect_timeout_ms = ep->connect_timeout_ms;
    rq->protocols = ep->protocols;
    rq->ca_file = ep->ca_file;
    rq->max_body = ep->max_body;
    rq->max_redirects = ep->redirects;
    rq->max_retries = ep->retries;
    rq->retry_base_ms = ep->retry_delay_ms;
    rq->retry_max_ms = ep->retry_max_ms;
    rq->verbose = verbose;
}

/* Starts the HTTP request of p, or defers the error that prevents it. */
static bool start_request(lookup *lk, pending *p)
{
    char err[512];
    request_parts parts;
    if (!build_parts(p->ep, p->key, &parts, err, sizeof err))
        return defer(lk, p, LOOKUP_CONFIG, err);
    http_request rq;
    fill_request(p->ep, &parts, lk->verbose, &rq);
    p->http_id = http_start(lk->http, &rq, on_http_done, p);
    parts_free(&parts);
    return p->http_id != 0;
}

uint64_t lookup_start(lookup *lk, const char *kind, const char *key, const char *owner,
                      unsigned flags, lookup_done_fn fn, void *ctx)
{
    pending *p = calloc(1, sizeof *p);
    if (!p)
        return 0;
    p->lk = lk;
    p->fn = fn;
    p->ctx = ctx;
    p->id = lk->next_id++;
    p->ep = lookup_config_endpoint(lk->cfg, kind);
    p->kind = strdup(kind ? kind : "");
    p->key = strdup(key ? key : "");
    p->owner = owner ? strdup(owner) : NULL;
    p->next = lk->pending;
    lk->pending = p;
    bool ok = p->kind && p->key && (!owner || p->owner);
    char err[200];
    cache_entry *hit = ok && p->ep && !(flags & LOOKUP_REFRESH) ? cache_find(lk, kind, key) : NULL;
    if (!ok) {
    } else if (!p->ep) {
        snprintf(err, sizeof err,
                 "no %s lookup is configured: add lookup: %s: to config.yaml (huashu-config(5))",
                 p->kind, p->kind);
        ok = defer(lk, p, LOOKUP_CONFIG, err);
    } else if (!lookup_key_valid(p->key, err, sizeof err))
        ok = defer(lk, p, LOOKUP_CONFIG, err);
    else if (hit) {
        copy_result(&p->cached, &hit->result);
        ok = defer(lk, p, LOOKUP_OK, "from the cache");
    } else
        ok = start_request(lk, p);
    if (!ok) {
        pending_unlink(lk, p);
        pending_free(p);
        return 0;
    }
    return p->id;
}

void lookup_cancel(lookup *lk, uint64_t id)
{
    for (pending *p = lk->pending; p; p = p->next) {
        if (p->id == id) {
            pending_unlink(lk, p);
            pending_free(p);
            return;
        }
    }
}

size_t lookup_cancel_owner(lookup *lk, const char *owner)
{
    size_t n = 0;
    for (pending **pp = &lk->pending; *pp;) {
        pending *p = *pp;
        if (p->owner && owner && !strcmp(p->owner, owner)) {
            *pp = p->next;
            pending_free(p);
            n++;
        } else {
            pp = &p->next;
        }
    }
    return n;
}

size_t lookup_in_flight(const lookup *lk)
{
    size_t n = 0;
    for (const pending *p = lk->pending; p; p = p->next)
        n++;
    return n;
}

void lookup_event(const lookup_result *r, const char *conv, int64_t ts_ms, int tz_offset, event *ev)
{
    event_init(ev, EVENT_LOOKUP, conv, ts_ms, tz_offset);
    ev->kind = r->kind;
    for (size_t i = 0; r->fields && i < r->fields->count && i < EVENT_MAX_FIELDS; i++) {
        ev->fields[i].name = r->fields->values[i].name;
        ev->fields[i].value = r->fields->values[i].value;
        ev->field_count = i + 1;
    }
}
