#include "config.h"

#include "net/http.h"

#include "core/text.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "net/curlapi.h"
#include "net/os.h"

#define DEFAULT_TIMEOUT_MS         10000
#define DEFAULT_CONNECT_TIMEOUT_MS 5000
#define DEFAULT_MAX_BODY           (1024 * 1024)
#define DEFAULT_RETRIES            2
#define DEFAULT_RETRY_BASE_MS      500
#define DEFAULT_RETRY_MAX_MS       30000
#define DEFAULT_PARALLEL           32
#define MAX_SECRETS                32
#define REDACTED                   "***"

typedef enum transfer_state {
    T_QUEUED,  /* waiting for a free slot */
    T_RUNNING, /* an easy handle in the multi */
    T_WAITING, /* a retry's backoff, or a failure to report from the loop */
} transfer_state;

typedef struct transfer {
    uint64_t id;
    http_client *client;
    transfer_state state;
    struct transfer *prev, *next;
    http_done_fn fn;
    void *ctx;
    CURL *easy;
    struct curl_slist *header_list;
    unsigned timer; /* retry wait or deferred failure */

    /* the request, copied */
    char *method, *url, *body, *username, *password, *protocols, *ca_file;
    size_t body_len;
    char **headers;
    size_t header_count;
    bool secret_headers, secrets_dropped;
    char *secrets[MAX_SECRETS + 1];
    long timeout_ms, connect_timeout_ms, retry_base_ms, retry_max_ms;
    size_t max_body;
    int max_redirects, max_retries;
    bool verbose;

    /* progress */
    buf body_buf;
    bool too_big;
    int attempts, redirects;
    int64_t started_ms;
    http_error error;
    long status, retry_after_ms;
    char *location;
    char message[512];
    char errbuf[CURL_ERROR_SIZE];
} transfer;

struct http_client {
    loop *loop;
    CURLM *multi;
    unsigned curl_timer;
    transfer *head, *tail;
    size_t running, max_parallel, count;
    uint64_t next_id;
    uint64_t rng;
    int *fds; /* sockets watched for libcurl */
    size_t fd_count, fd_cap;
    bool closing;
    http_log_fn log;
    void *log_ctx;
};

static void pump(http_client *c);
static int timer_cb(CURLM *multi, long timeout_ms, void *userp);
static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp);

/* ---- small helpers -------------------------------------------------------------------- */

/* A loop timer firing after ms of real time (the loop's clock may run faster in drills). */
static unsigned timer_after(http_client *c, long ms, loop_timer_fn fn, void *ctx)
{
    double scaled = (double)ms * loop_clock_scale(c->loop);
    return loop_timer_at(c->loop, loop_now(c->loop) + (int64_t)scaled, fn, ctx);
}

/* xorshift64*: the jitter of backoffs; the state lives in the client. */
static uint64_t next_random(http_client *c)
{
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return c->rng * 2685821657736338717ull;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void logf_line(http_client *c, const char *text)
{
    char shown[2048]; /* what the server sent (headers, messages) with its controls escaped */
    if (c->log)
        c->log(c->log_ctx, text_escape_into(shown, sizeof shown, text));
}

/* ---- redaction ------------------------------------------------------------------------ */

void http_redact_text(const char *text, const char *const *secrets, char *out, size_t outlen)
{
    buf b;
    buf_init(&b);
    for (const char *t = text; *t;) {
        size_t hit = 0;
        for (size_t i = 0; secrets && secrets[i]; i++) {
            size_t n = strlen(secrets[i]);
            if (n >= 4 && !strncmp(t, secrets[i], n) && n > hit)
                hit = n;
        }
        if (hit) {
            buf_puts(&b, REDACTED);
            t += hit;
        } else {
            buf_putc(&b, *t++);
        }
    }
    snprintf(out, outlen, "%s", buf_str(&b));
    buf_free(&b);
}

/* True when a query parameter called name (n bytes) probably carries a credential. */
static bool secret_param(const char *name, size_t n)
{
    static const char *const words[] = {"token", "key",        "secret",  "pass", "sig",
                                        "auth",  "credential", "session", "code", NULL};
    char lower[64];
    if (n >= sizeof lower)
        n = sizeof lower - 1;
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    lower[n] = '\0';
    for (size_t i = 0; words[i]; i++)
        if (strstr(lower, words[i]))
            return true;
    return false;
}

/* Appends a query string with the values of credential-like parameters replaced. */
static void redact_query(buf *b, const char *q, size_t len)
{
    const char *end = q + len;
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(stop - q));
        if (eq && secret_param(q, (size_t)(eq - q))) {
            buf_append(b, q, (size_t)(eq - q + 1));
            buf_puts(b, REDACTED);
        } else {
            buf_append(b, q, (size_t)(stop - q));
        }
        if (amp)
            buf_putc(b, '&');
        q = amp ? amp + 1 : end;
    }
}

void http_redact_url(const char *url, const char *const *secrets, char *out, size_t outlen)
{
    buf b;
    buf_init(&b);
    const char *p = url;
    const char *scheme_end = strstr(p, "://");
    if (scheme_end) {
        buf_append(&b, p, (size_t)(scheme_end + 3 - p));
        p = scheme_end + 3;
        size_t auth_len = strcspn(p, "/?#");
        const char *at = memchr(p, '@', auth_len);
        if (at) {
            buf_puts(&b, REDACTED "@");
            p = at + 1;
        }
    }
    size_t path_len = strcspn(p, "?#");
    buf_append(&b, p, path_len);
    p += path_len;
    if (*p == '?') {
        size_t q_len = strcspn(p + 1, "#");
        buf_putc(&b, '?');
        redact_query(&b, p + 1, q_len);
        p += 1 + q_len;
    }
    buf_puts(&b, p);
    http_redact_text(buf_str(&b), secrets, out, outlen);
    buf_free(&b);
}

static const char *const *transfer_secrets(const transfer *t)
{
    return (const char *const *)t->secrets;
}

/* True for header names that always carry credentials. */
static bool auth_header(const char *line, size_t name_len)
{
    static const char *const names[] = {
        "authorization", "proxy-authorization",    "cookie",
        "set-cookie",    "x-shopify-access-token", "api_access_token",
        "x-api-key",     "x-auth-token",           NULL};
    for (size_t i = 0; names[i]; i++)
        if (strlen(names[i]) == name_len && !strncasecmp(line, names[i], name_len))
            return true;
    return false;
}

/* Logs header lines of a verbose trace with credential values replaced. */
static void log_headers(transfer *t, const char *prefix, const char *data, size_t size)
{
    const char *end = data + size;
    while (data < end) {
        const char *nl = memchr(data, '\n', (size_t)(end - data));
        size_t len = nl ? (size_t)(nl - data) : (size_t)(end - data);
        if (len && data[len - 1] == '\r')
            len--;
        buf line;
        buf_init(&line);
        buf_puts(&line, prefix);
        const char *colon = memchr(data, ':', len);
        const char *space = memchr(data, ' ', len);
        if (colon && (!space || colon < space) &&
            (auth_header(data, (size_t)(colon - data)) || (t->secret_headers && *prefix == '>'))) {
            buf_append(&line, data, (size_t)(colon - data + 1));
            buf_puts(&line, " " REDACTED);
        } else if (len) {
            char tmp[2048];
            snprintf(tmp, sizeof tmp, "%.*s", (int)len, data);
            char red[2048];
            http_redact_url(tmp, transfer_secrets(t), red, sizeof red);
            buf_puts(&line, red);
        }
        if (len)
            logf_line(t->client, buf_str(&line));
        buf_free(&line);
        data = nl ? nl + 1 : end;
    }
}

/* CURLOPT_DEBUGFUNCTION: the verbose trace, redacted, to the client's log. */
static int debug_cb(CURL *easy, curl_infotype type, char *data, size_t size, void *userp)
{
    transfer *t = userp;
    char tmp[1024], red[1024];
    switch (type) {
    case CURLINFO_TEXT:
        snprintf(tmp, sizeof tmp, "* %.*s", (int)(size && data[size - 1] == '\n' ? size - 1 : size),
                 data);
        http_redact_text(tmp, transfer_secrets(t), red, sizeof red);
        logf_line(t->client, red);
        break;
    case CURLINFO_HEADER_OUT:
        log_headers(t, "> ", data, size);
        break;
    case CURLINFO_HEADER_IN:
        log_headers(t, "< ", data, size);
        break;
    case CURLINFO_DATA_IN:
        snprintf(tmp, sizeof tmp, "< [%zu bytes of body]", size);
        logf_line(t->client, tmp);
        break;
    default:
        break;
    }
    return 0;
}

/* ---- transfers ------------------------------------------------------------------------ */

static void link_transfer(http_client *c, transfer *t)
{
    t->prev = c->tail;
    if (c->tail)
        c->tail->next = t;
    else
        c->head = t;
    c->tail = t;
    c->count++;
}

/* Takes t out of the client's list. */
static void unlink_transfer(http_client *c, transfer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        c->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        c->tail = t->prev;
    t->prev = t->next = NULL;
    c->count--;
}

static transfer *find_transfer(http_client *c, uint64_t id)
{
    for (transfer *t = c->head; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

/* Removes the easy handle (if any) from the multi and frees it. */
static void stop_easy(transfer *t)
{
    if (!t->easy)
        return;
    curl_fn.multi_remove_handle(t->client->multi, t->easy);
    curl_fn.easy_cleanup(t->easy);
    t->easy = NULL;
    curl_fn.slist_free_all(t->header_list);
    t->header_list = NULL;
    t->client->running--;
}

/* Stops and frees a transfer: its easy handle, its timer, its copies of the request. */
static void free_transfer(transfer *t)
{
    stop_easy(t);
    if (t->timer)
        loop_timer_cancel(t->client->loop, t->timer);
    free(t->method);
    free(t->url);
    free(t->body);
    free(t->username);
    free(t->password);
    free(t->protocols);
    free(t->ca_file);
    for (size_t i = 0; i < t->header_count; i++)
        free(t->headers[i]);
    free(t->headers);
    for (size_t i = 0; t->secrets[i]; i++)
        free(t->secrets[i]);
    free(t->location);
    buf_free(&t->body_buf);
    free(t);
}

static void add_secret(transfer *t, const char *s)
{
    size_t n = 0;
    while (t->secrets[n])
        n++;
    if (s && *s && n < MAX_SECRETS)
        t->secrets[n] = strdup(s);
}

/* Copies the headers of rq; their values become secrets when rq says so. */
static bool copy_headers(transfer *t, const http_request *rq)
{
    size_t n = 0;
    while (rq->headers && rq->headers[n])
        n++;
    t->headers = calloc(n + 1, sizeof *t->headers);
    if (!t->headers)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!(t->headers[i] = strdup(rq->headers[i])))
            return false;
        t->header_count++;
        const char *colon = strchr(rq->headers[i], ':');
        bool secret = colon && (rq->secret_headers ||
                                auth_header(rq->headers[i], (size_t)(colon - rq->headers[i])));
        if (secret) {
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            add_secret(t, v);
        }
    }
    return true;
}

/* Copies a request into a new transfer; NULL when out of memory. */
static transfer *new_transfer(http_client *c, const http_request *rq)
{
    transfer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->client = c;
    buf_init(&t->body_buf);
    t->method = strdup(rq->method ? rq->method : "GET");
    t->url = strdup(rq->url ? rq->url : "");
    t->username = dup_or_null(rq->username);
    t->password = dup_or_null(rq->password);
    t->protocols = strdup(rq->protocols ? rq->protocols : "https");
    t->ca_file = dup_or_null(rq->ca_file);
    if (rq->body && (t->body = malloc(rq->body_len + 1))) {
        memcpy(t->body, rq->body, rq->body_len);
        t->body[rq->body_len] = '\0';
        t->body_len = rq->body_len;
    }
    add_secret(t, rq->username);
    add_secret(t, rq->password);
    for (size_t i = 0; rq->secrets && rq->secrets[i]; i++)
        add_secret(t, rq->secrets[i]);
    bool ok = t->method && t->url && t->protocols && (!rq->username || t->username) &&
              (!rq->password || t->password) && (!rq->ca_file || t->ca_file) &&
              (!rq->body || t->body) && copy_headers(t, rq);
    if (!ok) {
        free_transfer(t);
        return NULL;
    }
    t->secret_headers = rq->secret_headers;
    t->timeout_ms = rq->timeout_ms;
    t->connect_timeout_ms = rq->connect_timeout_ms;
    t->max_body = rq->max_body;
    t->max_redirects = rq->max_redirects;
    t->max_retries = rq->max_retries;
    t->retry_base_ms = rq->retry_base_ms;
    t->retry_max_ms = rq->retry_max_ms;
    t->verbose = rq->verbose;
    return t;
}

static bool idempotent(const transfer *t)
{
    return !strcmp(t->method, "GET") || !strcmp(t->method, "HEAD");
}

/* CURLOPT_WRITEFUNCTION: keeps the body, refusing more than max_body bytes. */
static size_t write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
    transfer *t = userp;
    size_t n = size * nmemb;
    if (t->body_buf.len + n > t->max_body) {
        t->too_big = true;
        return 0;
    }
    buf_append(&t->body_buf, data, n);
    return t->body_buf.failed ? 0 : n;
}

#if LIBCURL_VERSION_NUM < 0x075500
/* Turns "https,file" into libcurl's bit mask (libcurl before 7.85 has no _STR options). */
static long protocol_mask(const char *list)
{
    static const struct {
        const char *name;
        long bit;
    } table[] = {{"http", CURLPROTO_HTTP}, {"https", CURLPROTO_HTTPS}, {"file", CURLPROTO_FILE}};
    long mask = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        size_t n = strlen(table[i].name);
        for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
            if (!strncmp(p, table[i].name, n) && (p[n] == ',' || p[n] == '\0'))
                mask |= table[i].bit;
    }
    return mask;
}
#endif

/* Allows only the listed schemes, for the URL and for any redirect. */
static void set_protocols(CURL *e, const char *list)
{
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_fn.easy_setopt(e, CURLOPT_PROTOCOLS_STR, list);
    curl_fn.easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, list);
#else
    curl_fn.easy_setopt(e, CURLOPT_PROTOCOLS, protocol_mask(list));
    curl_fn.easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, protocol_mask(list));
#endif
}

/* Sets the method, headers, credentials and body of the easy handle. */
static bool set_request(transfer *t, CURL *e)
{
    for (size_t i = 0; i < t->header_count; i++) {
        if (!t->headers[i])
            continue;
        struct curl_slist *l = curl_fn.slist_append(t->header_list, t->headers[i]);
        if (!l)
            return false;
        t->header_list = l;
    }
    curl_fn.easy_setopt(e, CURLOPT_HTTPHEADER, t->header_list);
    if (t->username && !t->secrets_dropped) {
        curl_fn.easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_fn.easy_setopt(e, CURLOPT_USERNAME, t->username);
        curl_fn.easy_setopt(e, CURLOPT_PASSWORD, t->password ? t->password : "");
    }
    if (!strcmp(t->method, "HEAD")) {
        curl_fn.easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (!strcmp(t->method, "POST")) {
        curl_fn.easy_setopt(e, CURLOPT_POST, 1L);
        curl_fn.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
        curl_fn.easy_setopt(e, CURLOPT_POSTFIELDS, t->body ? t->body : "");
    } else if (strcmp(t->method, "GET")) {
        curl_fn.easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->method);
        if (t->body) {
            curl_fn.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
            curl_fn.easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
        }
    }
    return true;
}

/* Makes the easy handle of one attempt and hands it to the multi. */
static bool start_attempt(transfer *t)
{
    CURL *e = curl_fn.easy_init();
    if (!e)
        return false;
    buf_clear(&t->body_buf);
    t->too_big = false;
    t->errbuf[0] = '\0';
    curl_fn.easy_setopt(e, CURLOPT_URL, t->url);
    curl_fn.easy_setopt(e, CURLOPT_PRIVATE, t);
    curl_fn.easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_fn.easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_fn.easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_fn.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_fn.easy_setopt(e, CURLOPT_TIMEOUT_MS, t->timeout_ms);
    curl_fn.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
    curl_fn.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_fn.easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_fn.easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max_body);
    curl_fn.easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
    set_protocols(e, t->protocols);
    if (t->ca_file)
        curl_fn.easy_setopt(e, CURLOPT_CAINFO, t->ca_file);
    if (t->verbose && t->client->log) {
        curl_fn.easy_setopt(e, CURLOPT_DEBUGFUNCTION, debug_cb);
        curl_fn.easy_setopt(e, CURLOPT_DEBUGDATA, t);
        curl_fn.easy_setopt(e, CURLOPT_VERBOSE, 1L);
    }
    t->easy = e;
    t->client->running++;
    t->state = T_RUNNING;
    t->attempts++;
    if (!set_request(t, e) || curl_fn.multi_add_handle(t->client->multi, e) != CURLM_OK) {
        curl_fn.easy_cleanup(e);
        t->easy = NULL;
        t->client->running--;
        return false;
    }
    return true;
}

/* ---- finishing ------------------------------------------------------------------------ */

static const char *reason_phrase(long status)
{
    switch (status) {
    case 300:
        return "Multiple Choices";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Content Too Large";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "";
    }
}

const char *http_error_name(http_error e)
{
    switch (e) {
    case HTTP_OK:
        return "ok";
    case HTTP_ERR_STATUS:
        return "HTTP error";
    case HTTP_ERR_REDIRECT:
        return "redirect not followed";
    case HTTP_ERR_DNS:
        return "DNS failure";
    case HTTP_ERR_CONNECT:
        return "connection failed";
    case HTTP_ERR_TIMEOUT:
        return "timeout";
    case HTTP_ERR_TLS:
        return "TLS failure";
    case HTTP_ERR_TOO_BIG:
        return "response too large";
    case HTTP_ERR_PROTOCOL:
        return "URL not allowed";
    case HTTP_ERR_TRUNCATED:
        return "connection closed early";
    case HTTP_ERR_NOT_FOUND:
        return "no such file";
    case HTTP_ERR_OTHER:
        return "transfer failed";
    }
    return "?";
}

/* The host and port of the current URL, for messages ("127.0.0.1 port 8080"). */
static void describe_peer(transfer *t, char *out, size_t outlen)
{
    char *ip = NULL;
    long port = 0;
    CURLU *u = curl_fn.url();
    char *host = NULL, *port_text = NULL;
    if (u && curl_fn.url_set(u, CURLUPART_URL, t->url, 0) == CURLUE_OK) {
        curl_fn.url_get(u, CURLUPART_HOST, &host, 0);
        curl_fn.url_get(u, CURLUPART_PORT, &port_text, CURLU_DEFAULT_PORT);
    }
    curl_fn.easy_getinfo(t->easy, CURLINFO_PRIMARY_IP, &ip);
    curl_fn.easy_getinfo(t->easy, CURLINFO_PRIMARY_PORT, &port);
    if (host && port_text)
        snprintf(out, outlen, "%s port %s", host, port_text);
    else if (ip && *ip)
        snprintf(out, outlen, "%s port %ld", ip, port);
    else
        snprintf(out, outlen, "the server");
    curl_fn.free(host);
    curl_fn.free(port_text);
    curl_fn.url_cleanup(u);
}

/* True for the libcurl codes of certificate and handshake failures. */
static bool is_tls_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        return true;
    default:
        return false;
    }
}

/* Sets error and message for a transfer libcurl ended with rc (not CURLE_OK). */
static void classify_failure(transfer *t, CURLcode rc)
{
    char peer[300];
    describe_peer(t, peer, sizeof peer);
    const char *detail = t->errbuf[0] ? t->errbuf : curl_fn.easy_strerror(rc);
    long os_errno = 0;
    curl_fn.easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os_errno);
    double connect_time = 0;
    curl_fn.easy_getinfo(t->easy, CURLINFO_CONNECT_TIME, &connect_time);
    if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY) {
        t->error = HTTP_ERR_DNS;
        snprintf(t->message, sizeof t->message, "could not find the server %s (DNS failure)", peer);
    } else if (rc == CURLE_COULDNT_CONNECT) {
        t->error = HTTP_ERR_CONNECT;
        snprintf(t->message, sizeof t->message, "%s %s",
                 os_errno == ECONNREFUSED ? "connection refused by" : "could not connect to", peer);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        t->error = HTTP_ERR_TIMEOUT;
        if (connect_time <= 0)
            snprintf(t->message, sizeof t->message,
                     "timeout: could not connect to %s within %ld ms", peer, t->connect_timeout_ms);
        else
            snprintf(t->message, sizeof t->message,
                     "timeout: no complete answer from %s within %ld ms", peer, t->timeout_ms);
    } else if (is_tls_error(rc)) {
        t->error = HTTP_ERR_TLS;
        snprintf(t->message, sizeof t->message, "TLS failure with %.200s: %.200s", peer, detail);
    } else if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        t->error = HTTP_ERR_TOO_BIG;
        snprintf(t->message, sizeof t->message,
                 "the response is larger than the %zu-byte limit (max_body)", t->max_body);
    } else if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT) {
        t->error = HTTP_ERR_PROTOCOL;
        snprintf(t->message, sizeof t->message, "URL not allowed (protocols: %.100s): %.300s",
                 t->protocols, detail);
    } else if (rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING ||
               rc == CURLE_BAD_CONTENT_ENCODING) {
        t->error = HTTP_ERR_TRUNCATED;
        snprintf(t->message, sizeof t->message,
                 "%s closed the connection before the whole answer arrived", peer);
    } else if (rc == CURLE_FILE_COULDNT_READ_FILE) {
        t->error = HTTP_ERR_NOT_FOUND;
        snprintf(t->message, sizeof t->message, "no such file");
    } else {
        t->error = HTTP_ERR_OTHER;
        snprintf(t->message, sizeof t->message, "transfer failed: %.300s", detail);
    }
}

/* True for a redirect target that may be followed (http or https). */
static bool redirect_target_ok(const char *url)
{
    return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

/* Sets error and message from the status of a completed exchange. */
static void classify_status(transfer *t)
{
    if (t->status < 300) {
        t->error = HTTP_OK;
        snprintf(t->message, sizeof t->message, "HTTP %ld %s", t->status, reason_phrase(t->status));
        return;
    }
    t->error = t->status < 400 && t->location ? HTTP_ERR_REDIRECT : HTTP_ERR_STATUS;
    int n =
        snprintf(t->message, sizeof t->message, "HTTP %ld %s", t->status, reason_phrase(t->status));
    if (t->error == HTTP_ERR_REDIRECT && n > 0 && (size_t)n < sizeof t->message) {
        char red[400];
        http_redact_url(t->location, transfer_secrets(t), red, sizeof red);
        const char *why = t->max_redirects <= 0 ? "redirects are off"
                          : t->redirects >= t->max_redirects
                              ? "too many redirects: a loop, or more than max_redirects"
                          : !redirect_target_ok(t->location) ? "only http and https are followed"
                                                             : "only GET and HEAD are redirected";
        snprintf(t->message + n, sizeof t->message - (size_t)n,
                 ": redirect to %s not followed (%s)", red, why);
    }
}

/* True when this outcome may be retried: connect errors, timeouts, 5xx and 429. */
static bool retryable(const transfer *t)
{
    if (t->error == HTTP_ERR_CONNECT || t->error == HTTP_ERR_TIMEOUT)
        return true;
    return t->error == HTTP_ERR_STATUS && (t->status >= 500 || t->status == 429);
}

/* Milliseconds to wait before the next attempt: Retry-After, or exponential backoff with
 * jitter (uniform over the upper half). Negative when the server asks for too long. */
static long retry_delay(transfer *t)
{
    if (t->retry_after_ms > 0)
        return t->retry_after_ms <= t->retry_max_ms ? t->retry_after_ms : -1;
    long delay = t->retry_base_ms;
    for (int i = 1; i < t->attempts && delay < t->retry_max_ms; i++)
        delay *= 2;
    if (delay > t->retry_max_ms)
        delay = t->retry_max_ms;
    long half = delay / 2;
    return half + (half > 0 ? (long)(next_random(t->client) % (uint64_t)(half + 1)) : 0);
}

/* Same scheme, host and port. */
static bool same_origin(const char *a, const char *b)
{
    bool same = false;
    CURLU *ua = curl_fn.url(), *ub = curl_fn.url();
    char *parts[6] = {NULL};
    static const CURLUPart which[3] = {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT};
    if (ua && ub && curl_fn.url_set(ua, CURLUPART_URL, a, 0) == CURLUE_OK &&
        curl_fn.url_set(ub, CURLUPART_URL, b, 0) == CURLUE_OK) {
        same = true;
        for (int i = 0; i < 3; i++) {
            curl_fn.url_get(ua, which[i], &parts[i], CURLU_DEFAULT_PORT);
            curl_fn.url_get(ub, which[i], &parts[3 + i], CURLU_DEFAULT_PORT);
            if (!parts[i] || !parts[3 + i] || strcasecmp(parts[i], parts[3 + i]))
                same = false;
        }
    }
    for (int i = 0; i < 6; i++)
        curl_fn.free(parts[i]);
    curl_fn.url_cleanup(ua);
    curl_fn.url_cleanup(ub);
    return same;
}

/* True when text contains one of the transfer's secrets (a header built from ${TOKEN}). */
static bool holds_secret(const transfer *t, const char *text)
{
    for (size_t i = 0; t->secrets[i]; i++)
        if (strlen(t->secrets[i]) >= 4 && strstr(text, t->secrets[i]))
            return true;
    return false;
}

/* True for http:// and https:// URLs: the only redirect targets followed (never file://). */
static bool web_url(const char *url)
{
    return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

/* Points the transfer at its redirect target; secrets stay behind on another origin. */
static bool follow_redirect(transfer *t)
{
    char *next = strdup(t->location);
    if (!next)
        return false;
    if (!same_origin(t->url, next)) {
        t->secrets_dropped = true;
        for (size_t i = 0; i < t->header_count; i++) {
            const char *colon = t->headers[i] ? strchr(t->headers[i], ':') : NULL;
            if (colon && (t->secret_headers || holds_secret(t, colon + 1) ||
                          auth_header(t->headers[i], (size_t)(colon - t->headers[i])))) {
                free(t->headers[i]);
                t->headers[i] = NULL;
            }
        }
    }
    free(t->url);
    t->url = next;
    t->redirects++;
    t->attempts--; /* a redirect is not a retry */
    return true;
}

static void deliver(transfer *t);

static void on_retry_timer(void *ctx, unsigned id, int64_t now)
{
    transfer *t = ctx;
    t->timer = 0;
    t->state = T_QUEUED;
    pump(t->client);
}

static void on_deferred_failure(void *ctx, unsigned id, int64_t now)
{
    transfer *t = ctx;
    t->timer = 0;
    deliver(t);
}

/* Reads what the finished attempt got and decides: deliver, follow, or retry later. */
static void finish_attempt(transfer *t, CURLcode rc)
{
    http_client *c = t->client;
    char *location = NULL;
    curl_off_t retry_after = 0;
    curl_fn.easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
    curl_fn.easy_getinfo(t->easy, CURLINFO_REDIRECT_URL, &location);
#if LIBCURL_VERSION_NUM >= 0x074200
    curl_fn.easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &retry_after);
#endif
    t->retry_after_ms =
        retry_after > 0 ? (long)(retry_after > 86400 ? 86400000 : retry_after * 1000) : 0;
    free(t->location);
    t->location = dup_or_null(location);
    if (rc != CURLE_OK)
        classify_failure(t, rc);
    else
        classify_status(t);
    stop_easy(t);
    if (t->error == HTTP_ERR_REDIRECT && t->redirects < t->max_redirects && idempotent(t) &&
        web_url(t->location) && follow_redirect(t)) {
        t->state = T_QUEUED;
        return;
    }
    long delay = -1;
    if (retryable(t) && idempotent(t) && t->attempts <= t->max_retries)
        delay = retry_delay(t);
    if (delay >= 0 && (t->timer = timer_after(c, delay, on_retry_timer, t))) {
        char note[700];
        snprintf(note, sizeof note, "retrying in %ld ms after: %s", delay, t->message);
        logf_line(c, note);
        t->state = T_WAITING;
        return;
    }
    deliver(t);
}

/* Calls the transfer's callback with its response, then frees it. */
static void deliver(transfer *t)
{
    http_client *c = t->client;
    unlink_transfer(c, t);
    char url[2048], message[1024];
    http_redact_url(t->url, transfer_secrets(t), url, sizeof url);
    buf m;
    buf_init(&m);
    buf_puts(&m, t->message);
    if (t->retry_after_ms > t->retry_max_ms && retryable(t))
        buf_printf(&m, " (the server asks to wait %ld s)", t->retry_after_ms / 1000);
    if (t->attempts > 1 && t->error != HTTP_OK)
        buf_printf(&m, " after %d attempts", t->attempts);
    http_redact_text(buf_str(&m), transfer_secrets(t), message, sizeof message);
    buf_free(&m);
    char location[2048];
    if (t->location)
        http_redact_url(t->location, transfer_secrets(t), location, sizeof location);
    http_response r = {
        .id = t->id,
        .error = t->error,
        .status = t->status,
        .body = buf_str(&t->body_buf),
        .body_len = t->body_buf.len,
        .url = url,
        .location = t->error == HTTP_ERR_REDIRECT && t->location ? location : NULL,
        .message = message,
        .attempts = t->attempts,
        .retry_after_ms = t->retry_after_ms,
        .elapsed_ms = (long)(os_mono_ms() - t->started_ms),
    };
    if (t->fn)
        t->fn(t->ctx, &r);
    free_transfer(t);
}

/* Handles every transfer libcurl reports finished, then starts queued ones. */
static void check_done(http_client *c)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_fn.multi_info_read(c->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_fn.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        if (priv)
            finish_attempt((transfer *)priv, msg->data.result);
    }
    pump(c);
}

static long max_connects(const http_client *c)
{
    return (long)(c->max_parallel > 4 ? c->max_parallel : 4);
}

/* Loads libcurl and makes the multi handle; false with err when either fails. */
static bool ensure_multi(http_client *c, char *err, size_t errlen)
{
    if (!curlapi_load(err, errlen))
        return false;
    if (curl_fn.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "libcurl cannot start (curl_global_init failed)");
        return false;
    }
    if (!(c->multi = curl_fn.multi_init())) {
        curl_fn.global_cleanup();
        snprintf(err, errlen, "libcurl cannot make a multi handle (out of memory?)");
        return false;
    }
    curl_fn.multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_fn.multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_fn.multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_fn.multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    curl_fn.multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, max_connects(c));
    return true;
}

/* Fails a queued transfer from the loop (never from inside http_start) with message. */
static void fail_later(transfer *t, const char *message)
{
    t->error = HTTP_ERR_OTHER;
    snprintf(t->message, sizeof t->message, "%s", message);
    t->state = T_WAITING;
    t->timer = timer_after(t->client, 0, on_deferred_failure, t);
}

/* Starts queued transfers while there are free slots. libcurl is loaded, and the multi handle
 * made, for the first one: a client nobody asks anything costs nothing. */
static void pump(http_client *c)
{
    char err[512];
    for (transfer *t = c->head; t && c->running < c->max_parallel; t = t->next) {
        if (t->state != T_QUEUED)
            continue;
        if (!c->multi && !ensure_multi(c, err, sizeof err))
            fail_later(t, err);
        else if (!start_attempt(t))
            fail_later(t, "out of memory starting the transfer");
    }
}

/* ---- libcurl <-> loop ----------------------------------------------------------------- */

static void on_curl_timer(void *ctx, unsigned id, int64_t now)
{
    http_client *c = ctx;
    int running;
    c->curl_timer = 0;
    curl_fn.multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(c);
}

/* CURLMOPT_TIMERFUNCTION: one loop timer mirrors libcurl's single timeout. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    http_client *c = userp;
    if (c->curl_timer)
        loop_timer_cancel(c->loop, c->curl_timer);
    c->curl_timer = 0;
    if (timeout_ms >= 0 && !c->closing)
        c->curl_timer = timer_after(c, timeout_ms, on_curl_timer, c);
    return 0;
}

/* A libcurl socket is ready: lets libcurl act on it, then reaps what finished. */
static void on_socket(void *ctx, int fd, short revents)
{
    http_client *c = ctx;
    int flags = 0, running;
    if (revents & (POLLIN | POLLHUP))
        flags |= CURL_CSELECT_IN;
    if (revents & POLLOUT)
        flags |= CURL_CSELECT_OUT;
    if (revents & (POLLERR | POLLNVAL))
        flags |= CURL_CSELECT_ERR;
    curl_fn.multi_socket_action(c->multi, fd, flags, &running);
    check_done(c);
}

static void forget_fd(http_client *c, int fd)
{
    for (size_t i = 0; i < c->fd_count; i++)
        if (c->fds[i] == fd) {
            c->fds[i] = c->fds[--c->fd_count];
            return;
        }
}

/* Records a socket watched for libcurl (unwatched when the client is freed). */
static bool remember_fd(http_client *c, int fd)
{
    for (size_t i = 0; i < c->fd_count; i++)
        if (c->fds[i] == fd)
            return true;
    if (c->fd_count == c->fd_cap) {
        size_t cap = c->fd_cap ? c->fd_cap * 2 : 16;
        int *grown = realloc(c->fds, cap * sizeof *grown);
        if (!grown)
            return false;
        c->fds = grown;
        c->fd_cap = cap;
    }
    c->fds[c->fd_count++] = fd;
    return true;
}

/* CURLMOPT_SOCKETFUNCTION: watches (or stops watching) one of libcurl's sockets. */
static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    http_client *c = userp;
    if (what == CURL_POLL_REMOVE) {
        loop_unwatch(c->loop, s);
        forget_fd(c, s);
        return 0;
    }
    if (c->closing)
        return 0;
    short events = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        events |= POLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        events |= POLLOUT;
    if (!remember_fd(c, s) || !loop_watch(c->loop, s, events, on_socket, c))
        return -1;
    return 0;
}

/* ---- public --------------------------------------------------------------------------- */

http_client *http_client_new(loop *l)
{
    http_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->loop = l;
    c->max_parallel = DEFAULT_PARALLEL;
    c->next_id = 1;
    c->rng = (uint64_t)os_mono_ms() * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)c;
    if (!c->rng)
        c->rng = 1;
    return c;
}

void http_client_free(http_client *c)
{
    if (!c)
        return;
    c->closing = true;
    while (c->head) {
        transfer *t = c->head;
        unlink_transfer(c, t);
        free_transfer(t);
    }
    if (c->multi) {
        curl_fn.multi_cleanup(c->multi);
        curl_fn.global_cleanup();
    }
    for (size_t i = 0; i < c->fd_count; i++)
        loop_unwatch(c->loop, c->fds[i]);
    if (c->curl_timer)
        loop_timer_cancel(c->loop, c->curl_timer);
    free(c->fds);
    free(c);
}

void http_client_set_max_parallel(http_client *c, size_t n)
{
    c->max_parallel = n ? n : 1;
    if (c->multi)
        curl_fn.multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, max_connects(c));
}

void http_client_set_log(http_client *c, http_log_fn fn, void *ctx)
{
    c->log = fn;
    c->log_ctx = ctx;
}

void http_request_init(http_request *rq, const char *method, const char *url)
{
    memset(rq, 0, sizeof *rq);
    rq->method = method;
    rq->url = url;
    rq->timeout_ms = DEFAULT_TIMEOUT_MS;
    rq->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    rq->protocols = "https";
    rq->max_body = DEFAULT_MAX_BODY;
    rq->max_retries = DEFAULT_RETRIES;
    rq->retry_base_ms = DEFAULT_RETRY_BASE_MS;
    rq->retry_max_ms = DEFAULT_RETRY_MAX_MS;
}

uint64_t http_start(http_client *c, const http_request *rq, http_done_fn fn, void *ctx)
{
    transfer *t = new_transfer(c, rq);
    if (!t)
        return 0;
    t->id = c->next_id++;
    t->fn = fn;
    t->ctx = ctx;
    t->started_ms = os_mono_ms();
    t->state = T_QUEUED;
    if (t->timeout_ms <= 0)
        t->timeout_ms = DEFAULT_TIMEOUT_MS;
    if (t->connect_timeout_ms <= 0)
        t->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    if (t->max_body == 0)
        t->max_body = DEFAULT_MAX_BODY;
    link_transfer(c, t);
    pump(c);
    return t->id;
}

void http_cancel(http_client *c, uint64_t id)
{
    transfer *t = find_transfer(c, id);
    if (!t)
        return;
    unlink_transfer(c, t);
    free_transfer(t);
    pump(c);
}

size_t http_in_flight(const http_client *c)
{
    return c->count;
}
