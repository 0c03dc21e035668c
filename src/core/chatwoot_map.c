#include "core/chatwoot_map.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

#define MAX_TEXT (32 * 1024) /* longer messages are cut so every event fits in one line */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void chatwoot_config_free(chatwoot_config *c)
{
    free(c->url);
    free(c->token_env);
    free(c->token_file);
    free(c->ca_file);
    memset(c, 0, sizeof *c);
}

/* Reads a scalar into a malloc'd string; false (reported) when it is not a non-empty scalar. */
static bool take_string(yamldoc *y, yaml_node_t *v, const char *key, char **out)
{
    if (!yamldoc_expect_scalar(y, v, key))
        return false;
    const char *s = yamldoc_scalar(v);
    if (!*s) {
        yamldoc_error(y, v, "chatwoot.%s must not be empty", key);
        return false;
    }
    char *copy = strdup(s);
    if (!copy) {
        yamldoc_error(y, v, "out of memory");
        return false;
    }
    free(*out);
    *out = copy;
    return true;
}

/* Checks the base URL and stores it without trailing slashes. */
static bool take_url(yamldoc *y, yaml_node_t *v, chatwoot_config *c)
{
    if (!take_string(y, v, "url", &c->url))
        return false;
    if (strncmp(c->url, "https://", 8) != 0 && strncmp(c->url, "http://", 7) != 0) {
        yamldoc_error(y, v, "chatwoot.url must start with https:// (or http:// for a local test)");
        return false;
    }
    if (strpbrk(c->url, "?# \t")) {
        yamldoc_error(y, v, "chatwoot.url is the server's base URL, without a query or fragment");
        return false;
    }
    size_t n = strlen(c->url);
    while (n > 8 && c->url[n - 1] == '/')
        c->url[--n] = '\0';
    return true;
}

/* Reads a whole number in [min, max]; false (reported) otherwise. */
static bool take_long(yamldoc *y, yaml_node_t *v, const char *key, long min, long max, long *out)
{
    if (!yamldoc_expect_scalar(y, v, key))
        return false;
    char *end;
    long n = strtol(yamldoc_scalar(v), &end, 10);
    if (*yamldoc_scalar(v) && !*end && n >= min && n <= max) {
        *out = n;
        return true;
    }
    yamldoc_error(y, v, "chatwoot.%s must be a whole number from %ld to %ld", key, min, max);
    return false;
}

/* Reads a duration of at least min_ms; false (reported) otherwise. */
static bool take_duration(yamldoc *y, yaml_node_t *v, const char *key, int64_t min_ms, int64_t *out)
{
    if (!yamldoc_expect_scalar(y, v, key))
        return false;
    int64_t ms;
    bool negative;
    if (duration_parse(yamldoc_scalar(v), &ms, &negative) && !negative && ms >= min_ms) {
        *out = ms;
        return true;
    }
    yamldoc_error(y, v, "chatwoot.%s must be a duration of at least %lld s (5, \"5s\", \"1m\")",
                  key, (long long)(min_ms / 1000));
    return false;
}

/* Applies one key of the section; false when its value was reported as wrong. */
static bool take_key(yamldoc *y, const char *key, yaml_node_t *k, yaml_node_t *v,
                     chatwoot_config *c)
{
    long n;
    if (!strcmp(key, "url"))
        return take_url(y, v, c);
    if (!strcmp(key, "account_id")) {
        bool ok = take_long(y, v, key, 1, 2000000000L, &n);
        c->account_id = ok ? n : 0;
        return ok;
    }
    if (!strcmp(key, "token_env"))
        return take_string(y, v, key, &c->token_env);
    if (!strcmp(key, "token_file"))
        return take_string(y, v, key, &c->token_file);
    if (!strcmp(key, "ca_file"))
        return take_string(y, v, key, &c->ca_file);
    if (!strcmp(key, "poll"))
        return take_duration(y, v, key, 1000, &c->poll_ms);
    if (!strcmp(key, "timeout"))
        return take_duration(y, v, key, 1000, &c->timeout_ms);
    if (!strcmp(key, "max_pages")) {
        bool ok = take_long(y, v, key, 1, 400, &n);
        c->max_pages = ok ? (int)n : c->max_pages;
        return ok;
    }
    if (!strcmp(key, "token") || !strcmp(key, "api_access_token")) {
        yamldoc_error(y, k,
                      "chatwoot: keep the token out of the config file: put it in $%s "
                      "(or name another variable with token_env), or in a 0600 file "
                      "named by token_file",
                      CHATWOOT_TOKEN_ENV);
        return false;
    }
    yamldoc_error(y, k,
                  "chatwoot: unknown key \"%s\" (url, account_id, token_env, token_file, "
                  "ca_file, poll, timeout, max_pages)",
                  key);
    return false;
}

bool chatwoot_config_parse(yamldoc *y, yaml_node_t *node, chatwoot_config *out)
{
    memset(out, 0, sizeof *out);
    out->poll_ms = 5000;
    out->timeout_ms = 10000;
    out->max_pages = 20;
    if (!node) {
        yamldoc_error(y, yamldoc_root(y),
                      "the chatwoot feed needs a chatwoot: section "
                      "(url, account_id; see huashu-config(5))");
        return false;
    }
    if (!yamldoc_expect_map(y, node, "chatwoot"))
        return false;
    bool ok = true;
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(y, node, i, &k, &v); i++) {
        const char *key = yamldoc_scalar(k);
        if (key && !take_key(y, key, k, v, out))
            ok = false;
    }
    if (!out->url || !out->account_id) {
        yamldoc_error(y, node, "chatwoot: needs %s", !out->url ? "url" : "account_id");
        ok = false;
    }
    if (ok && !out->token_env && !(out->token_env = dup_or_null(CHATWOOT_TOKEN_ENV))) {
        yamldoc_error(y, node, "out of memory");
        ok = false;
    }
    if (!ok)
        chatwoot_config_free(out);
    return ok && out->url;
}

/* The account's API prefix followed by the conversation path when conv > 0 (malloc'd). */
static char *account_url(const chatwoot_config *c, long conv, const char *tail)
{
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s/api/v1/accounts/%ld/conversations", c->url, c->account_id);
    if (conv > 0)
        buf_printf(&b, "/%ld", conv);
    buf_puts(&b, tail);
    return buf_take(&b);
}

char *chatwoot_conversations_url(const chatwoot_config *c, int page)
{
    char tail[80];
    snprintf(tail, sizeof tail, "?status=open&assignee_type=me&page=%d", page);
    return account_url(c, 0, tail);
}

char *chatwoot_messages_url(const chatwoot_config *c, long conv, long before)
{
    char tail[48] = "/messages";
    if (before > 0)
        snprintf(tail, sizeof tail, "/messages?before=%ld", before);
    return account_url(c, conv, tail);
}

char *chatwoot_post_url(const chatwoot_config *c, long conv)
{
    return account_url(c, conv, "/messages");
}

char *chatwoot_post_body(const char *text)
{
    json_t *o =
        json_pack("{s:s, s:s, s:b}", "content", text, "message_type", "outgoing", "private", 0);
    if (!o)
        return NULL;
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

void chatwoot_conv_name(long id, char out[32])
{
    snprintf(out, 32, "cw-%ld", id);
}

bool chatwoot_conv_number(const char *conv, long *id)
{
    if (strncmp(conv, "cw-", 3) != 0 || conv[3] < '1' || conv[3] > '9')
        return false;
    char *end;
    long n = strtol(conv + 3, &end, 10);
    if (*end || n <= 0)
        return false;
    *id = n;
    return true;
}

/* A JSON integer (or a whole real, or a digit string) as long; false otherwise. */
static bool json_long(json_t *v, long *out)
{
    if (json_is_integer(v)) {
        *out = (long)json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        *out = (long)json_real_value(v);
        return true;
    }
    if (json_is_string(v) && *json_string_value(v)) {
        char *end;
        *out = strtol(json_string_value(v), &end, 10);
        return *end == '\0';
    }
    return false;
}

/* Parses an answer that must be a JSON object; NULL with a message otherwise. */
static json_t *load(const char *body, size_t len, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, 0, &jerr);
    if (!root)
        snprintf(err, errlen, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
                 jerr.text);
    else if (!json_is_object(root)) {
        snprintf(err, errlen, "the answer is not a JSON object");
        json_decref(root);
        root = NULL;
    }
    return root;
}

/* Copies a JSON string into a fixed buffer, cut on a character boundary. */
static void copy_string(json_t *v, char *out, size_t size)
{
    out[0] = '\0';
    if (!json_is_string(v))
        return;
    const char *s = json_string_value(v);
    size_t n = strlen(s), cols;
    if (n >= size)
        n = text_fit(s, size - 1, size, false, &cols);
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Fills ci from one entry of the conversation list (id 0 when it has none). */
static void conv_info_from(json_t *item, chatwoot_conv_info *ci)
{
    memset(ci, 0, sizeof *ci);
    json_long(json_object_get(item, "id"), &ci->id);
    long t = 0;
    if (!json_long(json_object_get(item, "last_activity_at"), &t))
        json_long(json_object_get(item, "timestamp"), &t);
    ci->last_activity = t;
    if (json_long(json_object_get(item, "created_at"), &t))
        ci->created_at = t;
    json_t *last = json_array_get(json_object_get(item, "messages"), 0);
    if (!json_long(json_object_get(last, "id"), &ci->last_message_id))
        ci->last_message_id = 0;
    json_t *sender = json_object_get(json_object_get(item, "meta"), "sender");
    copy_string(json_object_get(sender, "name"), ci->name, sizeof ci->name);
}

chatwoot_conv_info *chatwoot_parse_conversations(const char *body, size_t len, size_t *n,
                                                 long *mine_count, char *err, size_t errlen)
{
    *n = 0;
    *mine_count = -1;
    json_t *root = load(body, len, err, errlen);
    if (!root)
        return NULL;
    json_t *data = json_object_get(root, "data");
    json_t *payload = json_object_get(data, "payload");
    if (!json_is_array(payload)) {
        snprintf(err, errlen, "no data.payload list in the conversations answer");
        json_decref(root);
        return NULL;
    }
    long count;
    if (json_long(json_object_get(json_object_get(data, "meta"), "mine_count"), &count))
        *mine_count = count;
    chatwoot_conv_info *out = calloc(json_array_size(payload) + 1, sizeof *out);
    size_t i;
    json_t *item;
    json_array_foreach(payload, i, item)
    {
        if (!out || !json_is_object(item))
            continue;
        conv_info_from(item, &out[*n]);
        if (out[*n].id > 0)
            (*n)++;
    }
    json_decref(root);
    if (!out)
        snprintf(err, errlen, "out of memory");
    return out;
}

/* message_type as a number; the webhook spelling ("incoming") is accepted too. */
static int message_kind(json_t *v)
{
    static const char *const names[] = {"incoming", "outgoing", "activity", "template"};
    long n;
    if (json_is_string(v))
        for (int i = 0; i < 4; i++)
            if (!strcmp(json_string_value(v), names[i]))
                return i;
    if (json_long(v, &n) && n >= 0 && n <= 3)
        return (int)n;
    return -1;
}

/* The text of a message: its content, or a note naming its attachments. Cut to MAX_TEXT. */
static char *message_text(json_t *item)
{
    json_t *content = json_object_get(item, "content");
    const char *s = json_is_string(content) ? json_string_value(content) : "";
    buf b;
    buf_init(&b);
    size_t n = strlen(s), cols;
    if (n > MAX_TEXT)
        n = text_fit(s, MAX_TEXT, MAX_TEXT, false, &cols);
    buf_append(&b, s, n);
    json_t *list = json_object_get(item, "attachments");
    json_t *one = json_object_get(item, "attachment");
    size_t count = json_is_array(list) ? json_array_size(list) : json_is_object(one) ? 1 : 0;
    if (count) {
        json_t *first = json_is_array(list) ? json_array_get(list, 0) : one;
        json_t *type = json_object_get(first, "file_type");
        buf_printf(&b, "%s[%s%s%s]", b.len ? " " : "",
                   json_is_string(type) ? json_string_value(type) : "file", count > 1 ? " +" : "",
                   count > 1 ? "more" : "");
    }
    return buf_take(&b);
}

static int by_id(const void *a, const void *b)
{
    long x = ((const chatwoot_message *)a)->id, y = ((const chatwoot_message *)b)->id;
    return (x > y) - (x < y);
}

/* Fills m from one payload item; false when it has no usable id, or (m->id set) when out of
 * memory. */
static bool message_from(json_t *item, chatwoot_message *m)
{
    memset(m, 0, sizeof *m);
    if (!json_is_object(item) || !json_long(json_object_get(item, "id"), &m->id) || m->id <= 0)
        return false;
    m->kind = message_kind(json_object_get(item, "message_type"));
    m->private = json_is_true(json_object_get(item, "private"));
    json_t *at = json_object_get(item, "created_at");
    double seconds = json_is_number(at) ? json_number_value(at) : 0;
    long whole;
    if (!json_is_number(at) && json_long(at, &whole))
        seconds = (double)whole;
    m->created_ms = (int64_t)(seconds * 1000.0);
    m->text = message_text(item);
    return m->text != NULL;
}

chatwoot_message *chatwoot_parse_messages(const char *body, size_t len, size_t *n, size_t *skipped,
                                          char *err, size_t errlen)
{
    *n = 0;
    *skipped = 0;
    json_t *root = load(body, len, err, errlen);
    if (!root)
        return NULL;
    json_t *payload = json_object_get(root, "payload");
    if (!json_is_array(payload)) {
        snprintf(err, errlen, "no payload list in the messages answer");
        json_decref(root);
        return NULL;
    }
    chatwoot_message *out = calloc(json_array_size(payload) + 1, sizeof *out);
    size_t i;
    json_t *item;
    json_array_foreach(payload, i, item)
    {
        if (out && message_from(item, &out[*n]))
            (*n)++;
        else if (out && out[*n].id > 0) { /* a usable message whose text could not be copied */
            chatwoot_messages_free(out, *n);
            out = NULL;
            *n = 0;
        } else
            (*skipped)++;
    }
    json_decref(root);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    qsort(out, *n, sizeof *out, by_id);
    return out;
}

void chatwoot_messages_free(chatwoot_message *m, size_t n)
{
    if (!m)
        return;
    for (size_t i = 0; i < n; i++)
        free(m[i].text);
    free(m);
}

long chatwoot_parse_posted_id(const char *body, size_t len)
{
    char err[8];
    json_t *root = load(body, len, err, sizeof err);
    long id = 0;
    if (root && !json_long(json_object_get(root, "id"), &id))
        id = 0;
    json_decref(root);
    return id;
}

bool chatwoot_message_event(const chatwoot_message *m, const char *conv, int tz_offset, event *ev)
{
    if (m->private || m->kind < 0)
        return false;
    event_init(ev, EVENT_MESSAGE, conv, m->created_ms, tz_offset);
    ev->from = m->kind == CW_INCOMING   ? FROM_CUSTOMER
               : m->kind == CW_OUTGOING ? FROM_AGENT
                                        : FROM_SYSTEM;
    ev->text = m->text;
    return true;
}
