#include <stdio.h>
#include <string.h>

#include "core/civil.h"
#include "core/event.h"
#include "unit.h"

static bool parse(event *ev, const char *line, char *err)
{
    return event_parse(ev, line, strlen(line), err, 256);
}

START_TEST(civil_round_trip)
{
    int64_t ms;
    int tz;
    const char *s = "2026-11-23T10:02:11.250+08:00";
    ck_assert(civil_parse_iso(s, strlen(s), &ms, &tz));
    ck_assert_int_eq(tz, 480);
    ck_assert_int_eq(ms, 1795399331250LL);
    char out[32];
    civil_format_iso(ms, tz, out);
    ck_assert_str_eq(out, s);
    ck_assert(civil_parse_iso("2026-11-23T02:02:11Z", 20, &ms, &tz));
    ck_assert_int_eq(ms, 1795399331000LL);
    ck_assert(!civil_parse_iso("2026-13-23T02:02:11Z", 20, &ms, &tz));
    ck_assert(!civil_parse_iso("2026-11-23 junk", 15, &ms, &tz));
    civil_time t = civil_from_ms(0, -60);
    ck_assert_int_eq(t.year, 1969);
    ck_assert_int_eq(t.hour, 23);
    ck_assert_int_eq(t.weekday, 3);
}
END_TEST

START_TEST(deadline_in_the_desk_zone_with_the_date_when_not_today)
{
    int64_t ms, now;
    int tz;
    char out[32];
    ck_assert(civil_parse_iso("2026-11-23T22:40:24.000+08:00", 29, &ms, &tz));
    ck_assert(civil_parse_iso("2026-11-23T14:00:00Z", 20, &now, &tz));
    civil_format_deadline(ms, now, 480, out);
    ck_assert_str_eq(out, "22:40:24");
    /* the same instant, stamped in UTC elsewhere, reads the same at the desk */
    ck_assert(civil_parse_iso("2026-11-23T14:40:24Z", 20, &ms, &tz));
    civil_format_deadline(ms, now, 480, out);
    ck_assert_str_eq(out, "22:40:24");
    /* tomorrow at the desk: with the date */
    ck_assert(civil_parse_iso("2026-11-24T06:40:24.000+08:00", 29, &ms, &tz));
    civil_format_deadline(ms, now, 480, out);
    ck_assert_str_eq(out, "2026-11-24 06:40:24");
}
END_TEST

START_TEST(parses_each_type)
{
    event ev;
    char err[256];
    ck_assert(parse(&ev,
                    "{\"ts\":\"2026-11-23T10:02:11.250+08:00\",\"conv\":\"c-1\",\"type\":"
                    "\"message\",\"from\":\"customer\",\"text\":\"我的快递怎么还没到?\"}",
                    err));
    ck_assert_int_eq(ev.type, EVENT_MESSAGE);
    ck_assert_int_eq(ev.from, FROM_CUSTOMER);
    ck_assert_str_eq(ev.text, "我的快递怎么还没到?");
    ck_assert_str_eq(ev.conv, "c-1");
    event_release(&ev);
    ck_assert(parse(&ev,
                    "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"open\","
                    "\"customer\":{\"name\":\"王芳\",\"surname\":\"王\",\"title\":\"女士\"}}",
                    err));
    ck_assert_str_eq(ev.surname, "王");
    ck_assert_str_eq(ev.title, "女士");
    event_release(&ev);
    ck_assert(parse(&ev,
                    "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"lookup\","
                    "\"kind\":\"order\",\"fields\":{\"status\":\"已发货\"}}",
                    err));
    ck_assert_uint_eq(ev.field_count, 1);
    ck_assert_str_eq(ev.fields[0].value, "已发货");
    event_release(&ev);
}
END_TEST

START_TEST(rejects_bad_records_with_reasons)
{
    event ev;
    char err[256];
    ck_assert(!parse(&ev, "not json", err));
    ck_assert_ptr_nonnull(strstr(err, "invalid JSON at column"));
    ck_assert(!parse(&ev, "[1,2]", err));
    ck_assert(!parse(&ev, "{\"conv\":\"c\",\"type\":\"close\"}", err));
    ck_assert_ptr_nonnull(strstr(err, "ts"));
    ck_assert(!parse(&ev, "{\"ts\":\"2026-11-23T10:00:00Z\",\"type\":\"close\"}", err));
    ck_assert_ptr_nonnull(strstr(err, "conv"));
    ck_assert(
        !parse(&ev, "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"dance\"}", err));
    ck_assert_ptr_nonnull(strstr(err, "unknown type"));
    ck_assert(!parse(&ev,
                     "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"message\","
                     "\"from\":\"bot\",\"text\":\"x\"}",
                     err));
    ck_assert(!parse(&ev,
                     "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"message\","
                     "\"from\":\"agent\",\"text\":\"\xff\"}",
                     err));
    ck_assert(!parse(
        &ev, "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"conv\":\"d\",\"type\":\"close\"}",
        err));
}
END_TEST

/* The session log's open records say who handled the conversation; parsing reads it back. */
START_TEST(format_agent_adds_the_agent_to_open_records)
{
    event ev;
    char err[256];
    buf b;
    buf_init(&b);
    ck_assert(
        parse(&ev, "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"open\"}", err));
    event_format_agent(&b, &ev, "1024", "张\"三");
    ck_assert_str_eq(buf_str(&b), "{\"agent\":\"1024\",\"agent_name\":\"张\\\"三\",\"ts\":"
                                  "\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"open\"}\n");
    event_release(&ev);
    ck_assert(event_parse(&ev, b.data, b.len - 1, err, sizeof err));
    ck_assert_str_eq(ev.agent, "1024");
    ck_assert_str_eq(ev.agent_name, "张\"三");
    /* an open that names its agent keeps it; other records and no agent: unchanged */
    buf_clear(&b);
    event_format_agent(&b, &ev, "2048", NULL);
    ck_assert_ptr_null(strstr(buf_str(&b), "2048"));
    event_release(&ev);
    event built;
    event_init(&built, EVENT_CLOSE, "c", 1795399331250LL, 480);
    buf_clear(&b);
    event_format_agent(&b, &built, "1024", "x");
    ck_assert_ptr_null(strstr(buf_str(&b), "agent"));
    event_init(&built, EVENT_OPEN, "c", 1795399331250LL, 480);
    buf_clear(&b);
    event_format_agent(&b, &built, "", "x");
    ck_assert_ptr_null(strstr(buf_str(&b), "agent"));
    event_format_agent(&b, &built, "7", NULL);
    ck_assert_ptr_nonnull(strstr(buf_str(&b), "{\"agent\":\"7\",\"ts\":"));
    buf_free(&b);
}
END_TEST

START_TEST(format_keeps_unknown_fields_and_escapes)
{
    event ev;
    char err[256];
    const char *line =
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":1}";
    ck_assert(parse(&ev, line, err));
    buf b;
    buf_init(&b);
    event_format(&b, &ev);
    ck_assert_str_eq(
        buf_str(&b),
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":1}\n");
    event_release(&ev);
    buf_clear(&b);
    event built;
    event_init(&built, EVENT_MESSAGE, "c-2", 1795399331250LL, 480);
    built.from = FROM_AGENT;
    built.text = "say \"hi\"\n\x01";
    built.line = "greeting.hotline";
    event_format(&b, &built);
    ck_assert_str_eq(buf_str(&b),
                     "{\"ts\":\"2026-11-23T10:02:11.250+08:00\",\"conv\":\"c-2\",\"type\":"
                     "\"message\",\"from\":\"agent\",\"text\":\"say \\\"hi\\\"\\n\\u0001\","
                     "\"line\":\"greeting.hotline\"}\n");
    /* what we write parses back */
    ck_assert(event_parse(&ev, b.data, b.len - 1, err, sizeof err));
    ck_assert_str_eq(ev.text, built.text);
    event_release(&ev);
    buf_free(&b);
}
END_TEST

START_TEST(fast_path_decodes_what_jansson_would)
{
    event ev;
    char err[256];
    /* escapes, a surrogate pair (emoji), whitespace, numbers, booleans, null, unknown keys */
    ck_assert(parse(&ev,
                    " { \"ts\" : \"2026-11-23T10:00:00Z\", \"conv\":\"c\\u002d1\",\"n\":-1.5,"
                    "\"b\":true,\"z\":null,\"type\":\"message\",\"from\":\"customer\","
                    "\"text\":\"a\\\"b\\\\c\\n\\u4f60\\ud83d\\ude00\\/\",\"line\":null} ",
                    err));
    ck_assert_ptr_null(ev.json); /* stayed on the fast path (booleans, null, short numbers) */
    ck_assert_str_eq(ev.conv, "c-1");
    ck_assert_str_eq(ev.text, "a\"b\\c\n你😀/");
    ck_assert_ptr_null(ev.line);
    event_release(&ev);
    /* nested customer and lookup fields */
    ck_assert(parse(&ev,
                    "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"lookup\","
                    "\"kind\":\"order\",\"fields\":{\"status\":\"已发货\",\"carrier\":\"顺丰\"},"
                    "\"customer\":{\"surname\":\"王\"}}",
                    err));
    ck_assert_ptr_null(ev.json);
    ck_assert_uint_eq(ev.field_count, 2);
    ck_assert_str_eq(ev.fields[1].value, "顺丰");
    ck_assert_str_eq(ev.surname, "王");
    event_release(&ev);
    /* exponents are jansson's to judge: a fine one still parses */
    ck_assert(parse(
        &ev, "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"n\":1e3}", err));
    ck_assert_ptr_nonnull(ev.json);
    event_release(&ev);
    /* off the fast path: arrays are jansson's */
    ck_assert(parse(
        &ev, "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"tags\":[1,{}]}",
        err));
    ck_assert_ptr_nonnull(ev.json);
    event_release(&ev);
}
END_TEST

START_TEST(fast_path_rejects_what_jansson_rejects)
{
    static const char *const bad[] = {
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":\"\\u0000\"}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":\"\\ud83d\"}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":\"\\q\"}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":01}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":1.}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":tru}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\"} x",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":\"a\tb\"}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":\"\xc3\"}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"type\":\"open\"}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"open\",\"customer\":{\"a\":"
        "\"1\",\"a\":\"2\"}}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"open\",\"customer\":{"
        "\"surname\":1}}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"open\"",
        /* found by fuzz_event: a customer that is not an object passed the fast path */
        "{\"ts\":\"2026-11-23T10:00:00.00+08:00\",\"conv\":\"a\",\"type\":\"open\",\"customer\":"
        "\"open\","
        "\"cmtup\":777777.7777777777700000009225805}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"lookup\",\"kind\":\"order\","
        "\"fields\":null}",
        /* found by fuzz_event (10-minute run): a real that overflows to infinity */
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":"
        "4E666666666666666667}",
        "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"close\",\"x\":"
        "99999999999999999999999}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        event ev;
        char err[256] = "";
        ck_assert_msg(!parse(&ev, bad[i], err), "accepted: %s", bad[i]);
        ck_assert_msg(err[0] != '\0', "no message for: %s", bad[i]);
    }
}
END_TEST

/* The scanner looks at 16 bytes at a time: every kind of byte that ends a plain run — quote,
 * escape, control, each UTF-8 form valid or not — at every offset around two block edges,
 * gives the same verdict and text as jansson. */
START_TEST(fast_path_agrees_at_every_offset)
{
    static const char *const pieces[] = {
        "\\\"",
        "\\\\",
        "\\u4f60",
        "\x01",
        "\x7f",
        "\xc3\xa9",
        "\xe4\xbd\xa0",
        "\xf0\x9f\x98\x80",
        "\xff",
        "\xc0\xaf",
        "\xe0\x80\xaf",
        "\xed\xa0\x80",
        "\xf4\x90\x80\x80",
        "\xe4\xbd",
        "\xc3",
        "\xe4\xbd\xa0\xe5\xa5\xbd\xe5\x90\x97",
        "\x80",
    };
    char line[256], err[256];
    for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
        for (size_t at = 0; at < 40; at++) {
            char text[64];
            memset(text, 'a', at);
            snprintf(text + at, sizeof text - at, "%sbcdefghijklmnopqrstu", pieces[k]);
            snprintf(line, sizeof line,
                     "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"message\","
                     "\"from\":\"customer\",\"text\":\"%s\"}",
                     text);
            event fast, slow;
            bool ok_fast = event_parse(&fast, line, strlen(line), err, sizeof err);
            bool ok_slow = event_parse_reference(&slow, line, strlen(line), err, sizeof err);
            ck_assert_msg(ok_fast == ok_slow, "piece %zu at %zu: fast %d, jansson %d", k, at,
                          ok_fast, ok_slow);
            if (ok_fast) {
                ck_assert_str_eq(fast.text, slow.text);
                event_release(&fast);
                event_release(&slow);
            }
        }
    }
}
END_TEST

static Suite *event_suite(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, civil_round_trip);
    tcase_add_test(tc, parses_each_type);
    tcase_add_test(tc, deadline_in_the_desk_zone_with_the_date_when_not_today);
    tcase_add_test(tc, rejects_bad_records_with_reasons);
    tcase_add_test(tc, format_keeps_unknown_fields_and_escapes);
    tcase_add_test(tc, fast_path_decodes_what_jansson_would);
    tcase_add_test(tc, fast_path_rejects_what_jansson_rejects);
    tcase_add_test(tc, fast_path_agrees_at_every_offset);
    tcase_add_test(tc, format_agent_adds_the_agent_to_open_records);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(event_suite());
}
