/* chatwoot_map: the Chatwoot application API in huashu's terms. Reads the `chatwoot:` config
 * section, builds request URLs and the reply body, and turns the JSON of the conversation list
 * and of a conversation's messages into events. Pure: no I/O; the time zone is passed in.
 *
 * API (https://www.chatwoot.com/developers/api/):
 *   GET  {url}/api/v1/accounts/{account}/conversations?status=open&assignee_type=me&page=N
 *        → data.meta.mine_count, data.payload[]{id, meta.sender.name, last_activity_at, ...}
 *   GET  {url}/api/v1/accounts/{account}/conversations/{id}/messages[?before=ID]
 *        → payload[]{id, content, message_type 0 incoming 1 outgoing 2 activity 3 template,
 *                    private, created_at (Unix seconds), attachments[]{file_type}}
 *   POST {url}/api/v1/accounts/{account}/conversations/{id}/messages
 *        {"content": ..., "message_type": "outgoing", "private": false}
 * Conversation ids become event conversation ids "cw-ID". */
#ifndef HUASHU_CHATWOOT_MAP_H
#define HUASHU_CHATWOOT_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/yamldoc.h"

#define CHATWOOT_TOKEN_ENV "CHATWOOT_API_ACCESS_TOKEN"
#define CHATWOOT_PAGE_SIZE 25 /* conversations per page of the list */

typedef struct chatwoot_config {
    char *url; /* base URL without a trailing slash */
    long account_id;
    char *token_env;  /* variable holding the api_access_token */
    char *token_file; /* or a file (mode 0600) holding it; NULL when none */
    char *ca_file;    /* NULL: the system's CA bundle */
    int64_t poll_ms;  /* how often the conversation list is fetched (default 5 s) */
    int64_t timeout_ms;
    int max_pages; /* pages of the conversation list read per poll (default 20) */
} chatwoot_config;

/* Reads the section at node (a mapping); problems are reported at their YAML positions through
 * y. Returns false when the section cannot be used. An absent node gives false with a message
 * at the document root. */
bool chatwoot_config_parse(yamldoc *y, yaml_node_t *node, chatwoot_config *out);
void chatwoot_config_free(chatwoot_config *c);

/* The request URLs (malloc'd; NULL when out of memory). before = 0 for the latest page. */
char *chatwoot_conversations_url(const chatwoot_config *c, int page);
char *chatwoot_messages_url(const chatwoot_config *c, long conv, long before);
char *chatwoot_post_url(const chatwoot_config *c, long conv);
/* The JSON body of a reply (malloc'd). */
char *chatwoot_post_body(const char *text);

/* "cw-ID" for a conversation id, and back (false when conv is not of that form). */
void chatwoot_conv_name(long id, char out[32]);
bool chatwoot_conv_number(const char *conv, long *id);

/* One entry of the conversation list. */
typedef struct chatwoot_conv_info {
    long id;
    int64_t last_activity; /* Unix seconds; changes when a message arrives */
    int64_t created_at;    /* Unix seconds, 0 when absent */
    long last_message_id;  /* of the latest message listed with it, 0 when none */
    char name[97];         /* the contact's name, "" when unknown */
} chatwoot_conv_info;

/* Parses a conversation list page. Returns the entries (malloc'd, *n of them; free()) and the
 * total assigned to me in *mine_count (-1 when absent); NULL with a message when the body is
 * not of that shape (an empty list is a non-NULL pointer with *n = 0). */
chatwoot_conv_info *chatwoot_parse_conversations(const char *body, size_t len, size_t *n,
                                                 long *mine_count, char *err, size_t errlen);

typedef enum chatwoot_kind {
    CW_INCOMING = 0,
    CW_OUTGOING = 1,
    CW_ACTIVITY = 2,
    CW_TEMPLATE = 3,
} chatwoot_kind;

/* One message, with its text already chosen (content, or a note about attachments). */
typedef struct chatwoot_message {
    long id;
    int kind;     /* chatwoot_kind, -1 when unknown */
    bool private; /* an agents' note, never shown to the customer */
    int64_t created_ms;
    char *text; /* malloc'd */
} chatwoot_message;

/* Parses a messages page into messages sorted by ascending id (malloc'd array, *n entries;
 * free with chatwoot_messages_free). NULL with a message when the body has another shape;
 * entries without a numeric id are left out and counted in *skipped. */
chatwoot_message *chatwoot_parse_messages(const char *body, size_t len, size_t *n, size_t *skipped,
                                          char *err, size_t errlen);
void chatwoot_messages_free(chatwoot_message *m, size_t n);
/* Parses the answer to a POST: the new message's id, 0 when absent. */
long chatwoot_parse_posted_id(const char *body, size_t len);

/* Fills ev (a built event pointing into m and conv) for a message: incoming → from customer,
 * outgoing → from agent, activity and template → from system. False for messages that are not
 * part of the conversation with the customer (private notes, unknown kinds). */
bool chatwoot_message_event(const chatwoot_message *m, const char *conv, int tz_offset, event *ev);

#endif
