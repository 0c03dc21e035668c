/* feed_chatwoot: "chatwoot:", the built-in adapter for a Chatwoot server. Polls the open
 * conversations assigned to the agent and the messages of those that changed, over http.h on
 * the one loop (it never blocks the keyboard); turns them into events, each message once (by
 * id); posts the agent's replies, never repeating a POST on its own. The api_access_token comes
 * from the environment or a 0600 file and is given to http.h as a secret, so it appears in no
 * message, log or screen. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/chatwoot_map.h"
#include "core/person_name.h"
#include "core/text.h"
#include "net/feed_impl.h"
#include "net/http.h"
#include "net/os.h"

#define MESSAGES_PAGE  20 /* Chatwoot's page of messages */
#define MAX_BACK_PAGES 5  /* pages fetched back to close a gap after a long absence */
#define MAX_TOKEN      512
#define OWN_IDS        16 /* ids of replies posted here, whose echo is not delivered again */

typedef struct cw_conv {
    long id;
    char conv[32];
    char name[97];
    int64_t last_activity; /* as last fetched */
    long max_seen;         /* messages with ids up to this one were delivered */
    bool fetched_once;
    bool present; /* in the conversation list of the current round */
    uint64_t fetch;
    bool refetch; /* changed again while a fetch was running */
    int back_pages;
    chatwoot_message *batch; /* pages gathered before delivery, sorted by id */
    size_t batch_n;
    long own[OWN_IDS]; /* ring of ids of replies posted from here */
    size_t own_next;
} cw_conv;

typedef struct cw_post {
    uint64_t id;
    char conv[32];
    long conv_id;
    char *text;
} cw_post;

typedef struct cw_feed {
    chatwoot_config cfg;
    http_client *http;
    bool own_http;
    char token[MAX_TOKEN];
    char *header;
    const char *headers[2];
    const char *secrets[2];
    cw_conv *convs;
    size_t count, cap;
    cw_post *posts;
    size_t post_count, post_cap;
    unsigned timer;
    uint64_t list_request;
    int page;
    unsigned long rounds;
    feed_backoff backoff;
    bool failing;
} cw_feed;

static cw_feed *impl(feed *f)
{
    return f->impl;
}

static void poll_now(void *ctx, unsigned id, int64_t now);

/* A request to the server with the token header and the configured limits. */
static void request_init(cw_feed *s, http_request *rq, const char *method, const char *url)
{
    http_request_init(rq, method, url);
    rq->headers = s->headers;
    rq->secret_headers = true;
    rq->secrets = s->secrets;
    rq->timeout_ms = (long)s->cfg.timeout_ms;
    rq->max_body = 8u << 20;
    rq->ca_file = s->cfg.ca_file;
    if (strncmp(s->cfg.url, "http://", 7) == 0)
        rq->protocols = "http,https"; /* written explicitly in the config */
}

/* --- conversations ----------------------------------------------------------------------- */

static cw_conv *find_conv(cw_feed *s, long id)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->convs[i].id == id)
            return &s->convs[i];
    return NULL;
}

/* A new entry for a conversation seen for the first time; NULL when out of memory. */
static cw_conv *add_conv(cw_feed *s, const chatwoot_conv_info *ci)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        cw_conv *grown = realloc(s->convs, cap * sizeof *grown);
        if (!grown)
            return NULL;
        s->convs = grown;
        s->cap = cap;
    }
    cw_conv *c = &s->convs[s->count++];
    memset(c, 0, sizeof *c);
    c->id = ci->id;
    chatwoot_conv_name(ci->id, c->conv);
    memcpy(c->name, ci->name, sizeof c->name);
    return c;
}

static void drop_batch(cw_conv *c)
{
    chatwoot_messages_free(c->batch, c->batch_n);
    c->batch = NULL;
    c->batch_n = 0;
}

/* Delivers an "open" event for a conversation seen for the first time. */
static void emit_open(feed *f, cw_conv *c, const chatwoot_conv_info *ci)
{
    int64_t now = loop_now(f->loop);
    int64_t at = ci->created_at > 0 ? ci->created_at * 1000 : now;
    event ev;
    event_init(&ev, EVENT_OPEN, c->conv, at, os_local_offset(at));
    ev.channel = "chat";
    person_name pn; /* 王芳 gives the surname 王, so lines can address her as 王女士 */
    if (c->name[0] && person_name_parse(c->name, &pn)) {
        ev.name = pn.name;
        ev.surname = pn.surname[0] ? pn.surname : NULL;
        ev.title = pn.title[0] ? pn.title : NULL;
    }
    f->stats.events++;
    if (f->cb.event)
        f->cb.event(f->cb.ctx, &ev);
}

/* Delivers "close" for a conversation that left the list (resolved, snoozed, reassigned). */
static void emit_close(feed *f, cw_conv *c)
{
    int64_t now = loop_now(f->loop);
    event ev;
    event_init(&ev, EVENT_CLOSE, c->conv, now, os_local_offset(now));
    f->stats.events++;
    if (f->cb.event)
        f->cb.event(f->cb.ctx, &ev);
}

static bool is_own_id(const cw_conv *c, long id)
{
    for (size_t i = 0; i < OWN_IDS; i++)
        if (c->own[i] == id)
            return true;
    return false;
}

/* True when a message is the echo of a reply posted from here (already logged when it went)
 * or being posted right now. */
static bool is_own_reply(cw_feed *s, const cw_conv *c, const chatwoot_message *m)
{
    if (m->kind != CW_OUTGOING)
        return false;
    if (is_own_id(c, m->id))
        return true;
    for (size_t i = 0; i < s->post_count; i++)
        if (s->posts[i].conv_id == c->id && strcmp(s->posts[i].text, m->text) == 0)
            return true;
    return false;
}

/* Delivers the gathered messages not delivered before, oldest first. */
static void deliver_batch(feed *f, cw_conv *c)
{
    cw_feed *s = impl(f);
    chatwoot_message *m = c->batch;
    size_t n = c->batch_n;
    long max_seen = c->max_seen;
    for (size_t i = 0; i < n; i++) {
        if (m[i].id <= c->max_seen || (i > 0 && m[i].id == m[i - 1].id))
            continue;
        if (m[i].id > max_seen)
            max_seen = m[i].id;
        event ev;
        if (is_own_reply(s, c, &m[i]) ||
            !chatwoot_message_event(&m[i], c->conv, os_local_offset(m[i].created_ms), &ev))
            continue;
        f->stats.events++;
        if (f->cb.event)
            f->cb.event(f->cb.ctx, &ev);
    }
    c->max_seen = max_seen;
    c->fetched_once = true;
    drop_batch(c);
}

/* Adds a page to the conversation's batch, kept sorted by id. */
static bool merge_page(cw_conv *c, chatwoot_message *page, size_t n)
{
    chatwoot_message *all = realloc(c->batch, (c->batch_n + n + 1) * sizeof *all);
    if (!all) {
        chatwoot_messages_free(page, n);
        return false;
    }
    memmove(all + n, all, c->batch_n * sizeof *all); /* older pages go in front */
    memcpy(all, page, n * sizeof *all);
    free(page);
    c->batch = all;
    c->batch_n += n;
    return true;
}

static void fetch_messages(feed *f, cw_conv *c, long before);

/* Messages of one conversation arrived: page back over a gap, or deliver. */
static void on_messages(void *ctx, const http_response *r)
{
    feed *f = ctx;
    cw_feed *s = impl(f);
    cw_conv *c = NULL;
    for (size_t i = 0; i < s->count && !c; i++)
        if (s->convs[i].fetch == r->id)
            c = &s->convs[i];
    if (!c)
        return;
    c->fetch = 0;
    if (r->error != HTTP_OK) {
        feed_log(f, "messages of %s: %s", c->conv, r->message);
        drop_batch(c);
        c->last_activity = 0; /* fetch again next round */
        return;
    }
    char err[192];
    size_t n, skipped;
    chatwoot_message *page =
        chatwoot_parse_messages(r->body, r->body_len, &n, &skipped, err, sizeof err);
    if (!page) {
        feed_log(f, "messages of %s: %s", c->conv, err);
        f->stats.bad[FEED_BAD_JSON]++;
        f->stats.bad_total++;
        c->last_activity = 0;
        return;
    }
    long oldest = n ? page[0].id : 0;
    if (!merge_page(c, page, n))
        return;
    bool gap = c->fetched_once && n >= MESSAGES_PAGE && oldest > c->max_seen + 1;
    if (gap && c->back_pages++ < MAX_BACK_PAGES) {
        fetch_messages(f, c, oldest);
        return;
    }
    deliver_batch(f, c);
    if (c->refetch) {
        c->refetch = false;
        fetch_messages(f, c, 0);
    }
}

/* Asks for a page of a conversation's messages (the latest, or those before an id); a
 * conversation already being fetched is fetched again once that ends. */
static void fetch_messages(feed *f, cw_conv *c, long before)
{
    cw_feed *s = impl(f);
    if (c->fetch && before == 0) {
        c->refetch = true;
        return;
    }
    if (before == 0)
        c->back_pages = 0;
    char *url = chatwoot_messages_url(&s->cfg, c->id, before);
    if (!url)
        return;
    http_request rq;
    request_init(s, &rq, "GET", url);
    c->fetch = http_start(s->http, &rq, on_messages, f);
    free(url);
}

/* --- the conversation list --------------------------------------------------------------- */

static void schedule_poll(feed *f, int64_t delay)
{
    cw_feed *s = impl(f);
    if (s->timer)
        loop_timer_cancel(f->loop, s->timer);
    s->timer = loop_timer_at(f->loop, loop_now(f->loop) + delay, poll_now, f);
}

/* Words for a failed poll; the token is never in them (http.h redacts it). */
static void poll_failed(feed *f, const http_response *r, const char *what)
{
    cw_feed *s = impl(f);
    int64_t delay = feed_backoff_next(&s->backoff);
    char hint[96] = "";
    if (r && (r->status == 401 || r->status == 403))
        snprintf(hint, sizeof hint, " (check the api_access_token in $%s or token_file)",
                 s->cfg.token_env);
    feed_log(f, "conversation list: %s%s", what, hint);
    feed_set_status(f, "%s%s; retrying in %.0f s", what, hint, (double)delay / 1000);
    s->failing = true;
    s->list_request = 0;
    schedule_poll(f, delay);
}

/* A list round is complete: conversations no longer listed are closed. */
static void finish_round(feed *f)
{
    cw_feed *s = impl(f);
    size_t kept = 0;
    for (size_t i = 0; i < s->count; i++) {
        cw_conv *c = &s->convs[i];
        if (!c->present) {
            if (c->fetch)
                http_cancel(s->http, c->fetch);
            drop_batch(c);
            emit_close(f, c);
            continue;
        }
        s->convs[kept++] = *c;
    }
    s->count = kept;
    if (s->failing)
        feed_log(f, "Chatwoot answers again");
    s->failing = false;
    feed_backoff_reset(&s->backoff);
    s->rounds++;
    feed_set_status(f, "%zu open conversation%s", s->count, s->count == 1 ? "" : "s");
    s->list_request = 0;
    schedule_poll(f, s->cfg.poll_ms);
}

static void request_page(feed *f, int page);

/* Takes one listed conversation: opens it when new, fetches its messages when it changed. */
static void take_listed(feed *f, const chatwoot_conv_info *ci)
{
    cw_feed *s = impl(f);
    cw_conv *c = find_conv(s, ci->id);
    if (!c) {
        if (!(c = add_conv(s, ci)))
            return;
        emit_open(f, c, ci);
    }
    c->present = true;
    bool newer = ci->last_message_id > c->max_seen && !is_own_id(c, ci->last_message_id);
    if (ci->last_activity != c->last_activity || !c->fetched_once || newer) {
        c->last_activity = ci->last_activity;
        fetch_messages(f, c, 0);
    }
}

/* A page of the conversation list: takes its entries, then asks for the next page or ends the
 * round. */
static void on_list(void *ctx, const http_response *r)
{
    feed *f = ctx;
    cw_feed *s = impl(f);
    if (r->error != HTTP_OK) {
        poll_failed(f, r, r->message);
        return;
    }
    char err[192];
    size_t n;
    long mine;
    chatwoot_conv_info *list =
        chatwoot_parse_conversations(r->body, r->body_len, &n, &mine, err, sizeof err);
    if (!list) {
        poll_failed(f, NULL, err);
        return;
    }
    for (size_t i = 0; i < n; i++)
        take_listed(f, &list[i]);
    free(list);
    bool more = n >= CHATWOOT_PAGE_SIZE && s->page < s->cfg.max_pages &&
                (mine < 0 || (long)s->page * CHATWOOT_PAGE_SIZE < mine);
    if (more)
        request_page(f, s->page + 1);
    else
        finish_round(f);
}

/* Asks for one page of the open conversations assigned to me. */
static void request_page(feed *f, int page)
{
    cw_feed *s = impl(f);
    char *url = chatwoot_conversations_url(&s->cfg, page);
    if (!url) {
        schedule_poll(f, s->cfg.poll_ms);
        return;
    }
    http_request rq;
    request_init(s, &rq, "GET", url);
    s->page = page;
    s->list_request = http_start(s->http, &rq, on_list, f);
    free(url);
}

/* The poll timer: starts a round over the conversation list. */
static void poll_now(void *ctx, unsigned id, int64_t now)
{
    feed *f = ctx;
    cw_feed *s = impl(f);
    s->timer = 0;
    if (s->list_request)
        return;
    for (size_t i = 0; i < s->count; i++)
        s->convs[i].present = false;
    request_page(f, 1);
}

/* --- replies ----------------------------------------------------------------------------- */

static void remove_post(cw_feed *s, size_t i)
{
    free(s->posts[i].text);
    s->posts[i] = s->posts[--s->post_count];
}

/* A reply went through: its id is remembered so the poll does not deliver it again. */
static void posted_ok(feed *f, const cw_post *p, const http_response *r)
{
    cw_feed *s = impl(f);
    long id = chatwoot_parse_posted_id(r->body, r->body_len);
    cw_conv *c = find_conv(s, p->conv_id);
    if (c && id > 0) {
        c->own[c->own_next] = id;
        c->own_next = (c->own_next + 1) % OWN_IDS;
    }
    f->stats.sent++;
    if (f->cb.sent)
        f->cb.sent(f->cb.ctx, p->conv, p->text, NULL);
}

/* A reply failed: shown and handed back, never posted again from here. */
static void posted_failed(feed *f, const cw_post *p, const http_response *r)
{
    f->stats.send_failed++;
    buf why; /* the message may quote the server: no controls reach a screen */
    buf_init(&why);
    text_sanitize(&why, r->message, strlen(r->message), false);
    feed_log(f, "reply to %s not sent: %s", p->conv, buf_str(&why));
    if (f->cb.sent)
        f->cb.sent(f->cb.ctx, p->conv, p->text, buf_str(&why));
    buf_free(&why);
}

/* The answer to a POST: which reply it was, and how it ended. */
static void on_posted(void *ctx, const http_response *r)
{
    feed *f = ctx;
    cw_feed *s = impl(f);
    size_t i = 0;
    while (i < s->post_count && s->posts[i].id != r->id)
        i++;
    if (i == s->post_count)
        return;
    cw_post p = s->posts[i];
    s->posts[i].text = NULL;
    remove_post(s, i);
    if (r->error == HTTP_OK)
        posted_ok(f, &p, r);
    else
        posted_failed(f, &p, r);
    free(p.text);
}

static feed_send_result cw_send(feed *f, const event *ev, const char *line, size_t len, char *err,
                                size_t errlen)
{
    cw_feed *s = impl(f);
    long conv_id;
    if (!ev->conv || !chatwoot_conv_number(ev->conv, &conv_id)) {
        snprintf(err, errlen, "%s is not a Chatwoot conversation (cw-ID)",
                 ev->conv ? ev->conv : "?");
        return FEED_SEND_FAILED;
    }
    if (s->post_count == s->post_cap) {
        size_t cap = s->post_cap ? s->post_cap * 2 : 8;
        cw_post *grown = realloc(s->posts, cap * sizeof *grown);
        if (!grown) {
            snprintf(err, errlen, "out of memory");
            return FEED_SEND_FAILED;
        }
        s->posts = grown;
        s->post_cap = cap;
    }
    char *url = chatwoot_post_url(&s->cfg, conv_id);
    char *body = chatwoot_post_body(ev->text ? ev->text : "");
    char *text = strdup(ev->text ? ev->text : "");
    uint64_t id = 0;
    if (url && body && text) {
        http_request rq;
        request_init(s, &rq, "POST", url);
        const char *headers[] = {s->header, "Content-Type: application/json", NULL};
        rq.headers = headers;
        rq.body = body;
        rq.body_len = strlen(body);
        rq.max_retries = -1; /* a chat message is never sent twice by huashu */
        id = http_start(s->http, &rq, on_posted, f);
    }
    free(url);
    free(body);
    if (!id) {
        free(text);
        snprintf(err, errlen, "out of memory");
        return FEED_SEND_FAILED;
    }
    cw_post *p = &s->posts[s->post_count++];
    p->id = id;
    p->conv_id = conv_id;
    p->text = text;
    snprintf(p->conv, sizeof p->conv, "%s", ev->conv);
    return FEED_SEND_PENDING;
}

/* --- setup ------------------------------------------------------------------------------- */

/* Reads the token from a file that only its owner may read; false with a message. */
static bool read_token_file(const char *path, char *out, size_t cap, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "chatwoot token_file %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
        snprintf(err, errlen,
                 "chatwoot token_file %s must be a file only you can read "
                 "(chmod 600 %s)",
                 path, path);
        close(fd);
        return false;
    }
    ssize_t n = read(fd, out, cap - 1);
    close(fd);
    if (n < 0)
        n = 0;
    out[n] = '\0';
    return true;
}

/* Finds the api_access_token (environment first, then token_file); false with a message. */
static bool find_token(cw_feed *s, char *err, size_t errlen)
{
    const char *env = getenv(s->cfg.token_env);
    if (env && *env)
        snprintf(s->token, sizeof s->token, "%s", env);
    else if (s->cfg.token_file) {
        if (!read_token_file(s->cfg.token_file, s->token, sizeof s->token, err, errlen))
            return false;
    }
    size_t n = strlen(s->token);
    while (n > 0 && (s->token[n - 1] == '\n' || s->token[n - 1] == '\r' || s->token[n - 1] == ' '))
        s->token[--n] = '\0';
    if (n == 0 || strpbrk(s->token, "\r\n")) {
        snprintf(err, errlen,
                 "no Chatwoot api_access_token: set $%s, or name a 0600 file "
                 "with chatwoot.token_file",
                 s->cfg.token_env);
        return false;
    }
    return true;
}

/* Reads the chatwoot: section of the config; false with the located problems in err. */
static bool load_config(feed *f, cw_feed *s, char *err, size_t errlen)
{
    diagnostics d;
    diag_init(&d);
    yamldoc *y = NULL;
    yaml_node_t *node = config_section(f->opt.config, "chatwoot", &y, &d);
    bool ok = y && chatwoot_config_parse(y, node, &s->cfg);
    if (!ok)
        snprintf(err, errlen, "chatwoot: %s",
                 d.count ? buf_str(&d.text)
                         : "needs a chatwoot: section in the config "
                           "(url, account_id; see huashu-config(5))");
    diag_free(&d);
    size_t n = strlen(err);
    while (!ok && n > 0 && err[n - 1] == '\n')
        err[--n] = '\0';
    return ok;
}

/* Cancels every request this feed has in flight (a shared client lives on). */
static void cancel_requests(cw_feed *s)
{
    if (!s->http)
        return;
    if (s->list_request)
        http_cancel(s->http, s->list_request);
    for (size_t i = 0; i < s->count; i++)
        if (s->convs[i].fetch)
            http_cancel(s->http, s->convs[i].fetch);
    for (size_t i = 0; i < s->post_count; i++)
        http_cancel(s->http, s->posts[i].id);
}

/* Stops polling, cancels what is in flight, and wipes the token from memory. */
static void cw_stop(feed *f)
{
    cw_feed *s = impl(f);
    if (!s)
        return;
    if (s->timer)
        loop_timer_cancel(f->loop, s->timer);
    cancel_requests(s);
    if (s->own_http)
        http_client_free(s->http);
    for (size_t i = 0; i < s->count; i++)
        drop_batch(&s->convs[i]);
    while (s->post_count)
        remove_post(s, 0);
    free(s->posts);
    free(s->convs);
    if (s->header)
        memset(s->header, 0, strlen(s->header));
    free(s->header);
    memset(s->token, 0, sizeof s->token);
    chatwoot_config_free(&s->cfg);
    free(s);
    f->impl = NULL;
}

/* Uses the console's HTTP client when it gave one, else makes one on the loop. */
static bool make_client(feed *f, cw_feed *s, char *err, size_t errlen)
{
    if (f->opt.http) {
        s->http = f->opt.http;
        return true;
    }
    s->http = http_client_new(f->loop);
    s->own_http = s->http != NULL;
    if (!s->http)
        snprintf(err, errlen, "out of memory");
    return s->http != NULL;
}

/* The token's header, and the token as a secret http.h keeps out of every message. */
static bool make_header(cw_feed *s, char *err, size_t errlen)
{
    size_t n = strlen(s->token) + 32;
    if (!(s->header = malloc(n))) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    snprintf(s->header, n, "api_access_token: %s", s->token);
    s->headers[0] = s->header;
    s->secrets[0] = s->token;
    return true;
}

/* Reads the section and the token, and starts polling on the loop at once. */
static bool cw_start(feed *f, char *err, size_t errlen)
{
    cw_feed *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    f->impl = s;
    if (*f->arg) {
        snprintf(err, errlen,
                 "chatwoot: takes its settings from the chatwoot: section of the "
                 "config, not from the spec");
        return false;
    }
    if (!load_config(f, s, err, errlen) || !find_token(s, err, errlen) ||
        !make_header(s, err, errlen) || !make_client(f, s, err, errlen))
        return false;
    feed_backoff_init(&s->backoff, &f->opt);
    s->backoff.min_ms = s->cfg.poll_ms; /* errors slow polling down from its usual pace */
    s->backoff.next_ms = s->cfg.poll_ms;
    if (s->backoff.max_ms < s->cfg.poll_ms * 4)
        s->backoff.max_ms = s->cfg.poll_ms * 4;
    feed_set_status(f, "connecting to %s", s->cfg.url);
    schedule_poll(f, 0);
    return true;
}

const feed_ops feed_chatwoot_ops = {cw_start, cw_send, cw_stop};
