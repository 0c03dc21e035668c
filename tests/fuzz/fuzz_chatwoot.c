/* Fuzzes the Chatwoot response mapper: any body parses as a conversation list and as a messages
 * page or yields a message, never a crash or a leak; names and texts are valid UTF-8 within
 * their bounds, messages come sorted, and each message's event survives a format round trip. */
#include <string.h>

#include "core/chatwoot_map.h"
#include "core/text.h"
#include "fuzz.h"

/* The conversation list: positive ids, names cut on a character boundary. */
static void check_conversations(const char *body, size_t size)
{
    char err[256] = "";
    size_t n = 99;
    long mine = 0;
    chatwoot_conv_info *list = chatwoot_parse_conversations(body, size, &n, &mine, err, sizeof err);
    FUZZ_ASSERT(list != NULL || (n == 0 && err[0] != '\0'));
    for (size_t i = 0; list && i < n; i++) {
        FUZZ_ASSERT(list[i].id > 0);
        size_t len = strnlen(list[i].name, sizeof list[i].name);
        FUZZ_ASSERT(len < sizeof list[i].name);
        FUZZ_ASSERT(text_valid_utf8(list[i].name, len));
    }
    free(list);
}

/* A message's event formats to one record that parses back to the same message. */
static void check_event(const chatwoot_message *m)
{
    event ev;
    if (!chatwoot_message_event(m, "cw-7", 480, &ev)) {
        FUZZ_ASSERT(m->private || m->kind < 0);
        return;
    }
    FUZZ_ASSERT(ev.type == EVENT_MESSAGE && ev.text == m->text);
    buf out;
    buf_init(&out);
    event_format(&out, &ev);
    FUZZ_ASSERT(out.len > 0 && out.data[out.len - 1] == '\n');
    event back;
    char err[256];
    bool ok = event_parse(&back, out.data, out.len - 1, err, sizeof err);
    FUZZ_ASSERT(ok);
    FUZZ_ASSERT(back.type == EVENT_MESSAGE && back.from == ev.from && back.ts_ms == ev.ts_ms);
    FUZZ_ASSERT(back.text && strcmp(back.text, m->text) == 0);
    FUZZ_ASSERT(back.conv && strcmp(back.conv, "cw-7") == 0);
    event_release(&back);
    buf_free(&out);
}

/* A messages page: ids positive and ascending, texts valid UTF-8, each event round-trips.
 * Returns whether the body was a JSON object. */
static bool check_messages(const char *body, size_t size)
{
    char err[256] = "";
    size_t n = 99, skipped = 99;
    chatwoot_message *m = chatwoot_parse_messages(body, size, &n, &skipped, err, sizeof err);
    FUZZ_ASSERT(m != NULL || (n == 0 && err[0] != '\0'));
    for (size_t i = 0; m && i < n; i++) {
        FUZZ_ASSERT(m[i].id > 0 && (i == 0 || m[i - 1].id <= m[i].id));
        FUZZ_ASSERT(m[i].kind >= -1 && m[i].kind <= CW_TEMPLATE);
        FUZZ_ASSERT(m[i].text && text_valid_utf8(m[i].text, strlen(m[i].text)));
        check_event(&m[i]);
    }
    bool parsed = m != NULL;
    chatwoot_messages_free(m, n);
    return parsed || !(strncmp(err, "invalid JSON", 12) == 0 || strstr(err, "not a JSON object"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    check_conversations(body, size);
    bool object = check_messages(body, size);
    FUZZ_ASSERT(object || chatwoot_parse_posted_id(body, size) == 0);
    return 0;
}
