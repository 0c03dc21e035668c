#include <jansson.h>
#include <string.h>

#include "core/chatwoot_map.h"
#include "core/config.h"
#include "core/text.h"
#include "unit.h"

static char *fixture(const char *rel, size_t *len)
{
    char path[512];
    unit_data(rel, path, sizeof path);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    static char data[1 << 16];
    *len = fread(data, 1, sizeof data - 1, f);
    data[*len] = '\0';
    fclose(f);
    return data;
}

/* Parses a config text's chatwoot: section; returns whether it was usable. */
static bool parse_section(const char *text, chatwoot_config *cw, diagnostics *d)
{
    diag_init(d);
    config *c = config_load("config.yaml", text, strlen(text), d);
    yamldoc *y = NULL;
    yaml_node_t *node = config_section(c, "chatwoot", &y, d);
    bool ok = y && chatwoot_config_parse(y, node, cw);
    config_free(c);
    return ok;
}

START_TEST(conversation_list)
{
    size_t len, n;
    long mine;
    char err[128];
    const char *body = fixture("chatwoot/conversations.json", &len);
    chatwoot_conv_info *c = chatwoot_parse_conversations(body, len, &n, &mine, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(mine, 2);
    ck_assert_int_eq(c[0].id, 1024);
    ck_assert_str_eq(c[0].name, "王芳");
    ck_assert_int_eq(c[0].last_activity, 1795400531);
    ck_assert_int_eq(c[0].created_at, 1795400500);
    ck_assert_int_eq(c[0].last_message_id, 5001);
    ck_assert_int_eq(c[1].last_message_id, 0);
    ck_assert_int_eq(c[1].id, 1025);
    ck_assert_str_eq(c[1].name, "John Smith");
    free(c);
}
END_TEST

START_TEST(messages_sorted_and_mapped)
{
    size_t len, n, skipped;
    char err[128];
    const char *body = fixture("chatwoot/messages.json", &len);
    chatwoot_message *m = chatwoot_parse_messages(body, len, &n, &skipped, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    ck_assert_uint_eq(n, 5);
    ck_assert_uint_eq(skipped, 1); /* the one without an id */
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(m[i].id, 5001 + (long)i);
    event ev;
    ck_assert(chatwoot_message_event(&m[0], "cw-1024", 480, &ev));
    ck_assert_int_eq(ev.type, EVENT_MESSAGE);
    ck_assert_int_eq(ev.from, FROM_CUSTOMER);
    ck_assert_str_eq(ev.text, "我的快递怎么还没到?");
    ck_assert_str_eq(ev.conv, "cw-1024");
    ck_assert_int_eq(ev.ts_ms, 1795400531000LL);
    ck_assert_int_eq(ev.tz_offset, 480);
    ck_assert(chatwoot_message_event(&m[1], "cw-1024", 0, &ev));
    ck_assert_int_eq(ev.from, FROM_SYSTEM); /* activity */
    ck_assert(chatwoot_message_event(&m[2], "cw-1024", 0, &ev));
    ck_assert_int_eq(ev.from, FROM_AGENT);
    ck_assert(!chatwoot_message_event(&m[3], "cw-1024", 0, &ev)); /* private note */
    ck_assert(chatwoot_message_event(&m[4], "cw-1024", 0, &ev));
    ck_assert_str_eq(ev.text, "[image]");
    chatwoot_messages_free(m, n);
}
END_TEST

START_TEST(mapped_event_survives_the_event_format)
{
    chatwoot_message m = {.id = 9,
                          .kind = CW_INCOMING,
                          .created_ms = 1795400531000LL,
                          .text = "引号\"和\\反斜杠 😀 \n换行"};
    event ev, back;
    ck_assert(chatwoot_message_event(&m, "cw-9", 480, &ev));
    buf b;
    buf_init(&b);
    event_format(&b, &ev);
    char err[160];
    ck_assert_msg(event_parse(&back, b.data, b.len - 1, err, sizeof err), "%s", err);
    ck_assert_str_eq(back.text, m.text);
    ck_assert_str_eq(back.conv, "cw-9");
    ck_assert_int_eq(back.ts_ms, m.created_ms);
    ck_assert_int_eq(back.from, FROM_CUSTOMER);
    event_release(&back);
    buf_free(&b);
}
END_TEST

START_TEST(message_type_spelled_out_and_unknown)
{
    const char *body = "{\"payload\":[{\"id\":3,\"content\":\"hi\",\"message_type\":\"outgoing\","
                       "\"created_at\":\"1795400531\"},{\"id\":4,\"content\":\"?\","
                       "\"message_type\":7,\"created_at\":1}]}";
    size_t n, skipped;
    char err[128];
    chatwoot_message *m =
        chatwoot_parse_messages(body, strlen(body), &n, &skipped, err, sizeof err);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(m[0].kind, CW_OUTGOING);
    ck_assert_int_eq(m[0].created_ms, 1795400531000LL);
    event ev;
    ck_assert(!chatwoot_message_event(&m[1], "cw-1", 0, &ev));
    chatwoot_messages_free(m, n);
}
END_TEST

START_TEST(bad_answers)
{
    size_t n, skipped;
    long mine;
    char err[128];
    ck_assert_ptr_null(chatwoot_parse_messages("{", 1, &n, &skipped, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "invalid JSON"));
    ck_assert_ptr_null(chatwoot_parse_messages("[1]", 3, &n, &skipped, err, sizeof err));
    ck_assert_ptr_null(
        chatwoot_parse_messages("{\"payload\":{}}", 14, &n, &skipped, err, sizeof err));
    ck_assert_ptr_null(
        chatwoot_parse_conversations("{\"payload\":[]}", 14, &n, &mine, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "data.payload"));
    chatwoot_conv_info *c =
        chatwoot_parse_conversations("{\"data\":{\"payload\":[]}}", 23, &n, &mine, err, sizeof err);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(mine, -1);
    free(c);
}
END_TEST

START_TEST(reply_body_and_urls)
{
    char *body = chatwoot_post_body("您好\"王女士\"");
    json_error_t jerr;
    json_t *o = json_loads(body, 0, &jerr);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(json_string_value(json_object_get(o, "content")), "您好\"王女士\"");
    ck_assert_str_eq(json_string_value(json_object_get(o, "message_type")), "outgoing");
    ck_assert(json_is_false(json_object_get(o, "private")));
    json_decref(o);
    free(body);
    chatwoot_config c = {.url = "https://chat.example.com", .account_id = 3};
    char *u = chatwoot_conversations_url(&c, 2);
    ck_assert_str_eq(u, "https://chat.example.com/api/v1/accounts/3/conversations"
                        "?status=open&assignee_type=me&page=2");
    free(u);
    u = chatwoot_messages_url(&c, 1024, 0);
    ck_assert_str_eq(u, "https://chat.example.com/api/v1/accounts/3/conversations/1024/messages");
    free(u);
    u = chatwoot_messages_url(&c, 1024, 5001);
    ck_assert_str_eq(u, "https://chat.example.com/api/v1/accounts/3/conversations/1024/messages"
                        "?before=5001");
    free(u);
    u = chatwoot_post_url(&c, 7);
    ck_assert_str_eq(u, "https://chat.example.com/api/v1/accounts/3/conversations/7/messages");
    free(u);
    const char *posted = "{\"id\":77,\"content\":\"x\"}";
    ck_assert_int_eq(chatwoot_parse_posted_id(posted, strlen(posted)), 77);
    ck_assert_int_eq(chatwoot_parse_posted_id("oops", 4), 0);
}
END_TEST

START_TEST(conversation_ids)
{
    char name[32];
    long id;
    chatwoot_conv_name(1024, name);
    ck_assert_str_eq(name, "cw-1024");
    ck_assert(chatwoot_conv_number("cw-1024", &id));
    ck_assert_int_eq(id, 1024);
    ck_assert(!chatwoot_conv_number("cw-", &id));
    ck_assert(!chatwoot_conv_number("cw-0", &id));
    ck_assert(!chatwoot_conv_number("cw-12x", &id));
    ck_assert(!chatwoot_conv_number("cw--3", &id));
    ck_assert(!chatwoot_conv_number("c-1024", &id));
}
END_TEST

START_TEST(config_is_read)
{
    chatwoot_config cw;
    diagnostics d;
    ck_assert(parse_section("chatwoot:\n  url: https://chat.example.com/\n  account_id: 3\n"
                            "  token_file: /run/secrets/cw\n  poll: 2s\n",
                            &cw, &d));
    ck_assert_msg(d.count == 0, "%s", buf_str(&d.text));
    ck_assert_str_eq(cw.url, "https://chat.example.com");
    ck_assert_int_eq(cw.account_id, 3);
    ck_assert_str_eq(cw.token_env, CHATWOOT_TOKEN_ENV);
    ck_assert_str_eq(cw.token_file, "/run/secrets/cw");
    ck_assert_int_eq(cw.poll_ms, 2000);
    ck_assert_int_eq(cw.timeout_ms, 10000);
    chatwoot_config_free(&cw);
    diag_free(&d);
}
END_TEST

START_TEST(config_problems_are_located)
{
    chatwoot_config cw;
    diagnostics d;
    ck_assert(
        !parse_section("chatwoot:\n  url: https://x\n  account_id: 3\n  token: abc123\n", &cw, &d));
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "config.yaml:4:3:"));
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "keep the token out"));
    ck_assert_ptr_null(strstr(buf_str(&d.text), "abc123"));
    diag_free(&d);
    ck_assert(!parse_section("chatwoot:\n  url: ftp://x\n  account_id: 0\n  pol: 3\n", &cw, &d));
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "must start with https://"));
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "account_id must be"));
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "unknown key \"pol\""));
    diag_free(&d);
    ck_assert(!parse_section("chatwoot:\n  account_id: 3\n", &cw, &d));
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "needs url"));
    diag_free(&d);
    ck_assert(!parse_section("ui: {bell: true}\n", &cw, &d));
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "needs a chatwoot: section"));
    diag_free(&d);
    ck_assert(!parse_section("chatwoot:\n  url: https://x\n  account_id: 1\n  poll: 0\n", &cw, &d));
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "chatwoot.poll"));
    diag_free(&d);
}
END_TEST

/* Found by fuzz_chatwoot: times and ids beyond long (1e300) were cast with undefined behaviour
 * (LONG_MIN on x86), and a time in milliseconds where seconds belong made an event past the year
 * 9999 that the session log cannot hold (it wrote year 0000); now they count as absent. */
START_TEST(out_of_range_numbers_are_absent)
{
    size_t n, skipped;
    long mine;
    char err[128];
    const char *list = "{\"data\":{\"meta\":{\"mine_count\":1e300},\"payload\":["
                       "{\"id\":7,\"last_activity_at\":1e300,\"timestamp\":1795400531},"
                       "{\"id\":1e300}]}}";
    chatwoot_conv_info *c =
        chatwoot_parse_conversations(list, strlen(list), &n, &mine, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(mine, -1);
    ck_assert_int_eq(c[0].id, 7);
    ck_assert_int_eq(c[0].last_activity, 1795400531);
    free(c);
    const char *page =
        "{\"payload\":[{\"id\":5,\"content\":\"hi\",\"message_type\":0,"
        "\"created_at\":1e300},{\"id\":-1e300},{\"id\":6,\"created_at\":-1e17},"
        "{\"id\":7,\"created_at\":1795400400532},{\"id\":8,\"created_at\":1795400400}]}";
    chatwoot_message *m =
        chatwoot_parse_messages(page, strlen(page), &n, &skipped, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(skipped, 1);
    ck_assert_int_eq(m[0].id, 5);
    ck_assert_int_eq(m[0].created_ms, 0);
    ck_assert_int_eq(m[1].created_ms, 0);
    ck_assert_int_eq(m[2].created_ms, 0);
    ck_assert_int_eq(m[3].created_ms, 1795400400000LL);
    chatwoot_messages_free(m, n);
}
END_TEST

/* Found by fuzz_chatwoot: a contact name longer than its 97-byte buffer, and a message longer
 * than 32 KiB, were cut by byte count through text_fit, which kept the first byte of a split
 * character; they now end on a whole character. */
START_TEST(long_names_and_texts_are_cut_on_a_character)
{
    buf body;
    buf_init(&body);
    buf_puts(&body, "{\"data\":{\"payload\":[{\"id\":5,\"meta\":{\"sender\":{\"name\":\"王");
    for (int i = 0; i < 92; i++)
        buf_putc(&body, 'a');
    buf_puts(&body, "芳\"}}}]}}");
    size_t n, skipped;
    long mine;
    char err[128];
    chatwoot_conv_info *c =
        chatwoot_parse_conversations(body.data, body.len, &n, &mine, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(strlen(c[0].name), 95); /* 王 and 92 a: 芳 did not fit in 96 bytes */
    ck_assert(text_valid_utf8(c[0].name, strlen(c[0].name)));
    free(c);
    buf_clear(&body);
    buf_puts(&body, "{\"payload\":[{\"id\":5,\"message_type\":0,\"content\":\"");
    for (int i = 0; i < 32 * 1024 - 1; i++)
        buf_putc(&body, 'a');
    buf_puts(&body, "芳\"}]}");
    chatwoot_message *m =
        chatwoot_parse_messages(body.data, body.len, &n, &skipped, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(strlen(m[0].text), 32 * 1024 - 1);
    ck_assert(text_valid_utf8(m[0].text, strlen(m[0].text)));
    chatwoot_messages_free(m, n);
    buf_free(&body);
}
END_TEST

static Suite *chatwoot_suite(void)
{
    Suite *s = suite_create("chatwoot_map");
    TCase *tc = tcase_create("map");
    tcase_add_test(tc, conversation_list);
    tcase_add_test(tc, messages_sorted_and_mapped);
    tcase_add_test(tc, mapped_event_survives_the_event_format);
    tcase_add_test(tc, message_type_spelled_out_and_unknown);
    tcase_add_test(tc, bad_answers);
    tcase_add_test(tc, reply_body_and_urls);
    tcase_add_test(tc, conversation_ids);
    tcase_add_test(tc, config_is_read);
    tcase_add_test(tc, config_problems_are_located);
    tcase_add_test(tc, out_of_range_numbers_are_absent);
    tcase_add_test(tc, long_names_and_texts_are_cut_on_a_character);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(chatwoot_suite());
}
