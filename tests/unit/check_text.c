#include <string.h>
#include <wchar.h>

#include "core/text.h"
#include "unit.h"

START_TEST(decode_rejects_overlong_and_surrogates)
{
    uint32_t cp;
    ck_assert_uint_eq(text_decode("\xC0\xAF", 2, &cp), 1);
    ck_assert_uint_eq(cp, TEXT_REPLACEMENT);
    ck_assert_uint_eq(text_decode("\xED\xA0\x80", 3, &cp), 1);
    ck_assert_uint_eq(cp, TEXT_REPLACEMENT);
    ck_assert_uint_eq(text_decode("\xE4\xBD\xA0", 3, &cp), 3);
    ck_assert_uint_eq(cp, 0x4F60);
    ck_assert_uint_eq(text_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x1F600);
    ck_assert_uint_eq(text_decode("\xE4\xBD", 2, &cp), 1); /* truncated */
    ck_assert(!text_valid_utf8("a\xFF", 2));
    ck_assert(text_valid_utf8("您好\xEF\xBF\xBD", 9));
}
END_TEST

START_TEST(width_of_cjk_punctuation_and_emoji)
{
    ck_assert_uint_eq(text_width("您好,世界", strlen("您好,世界"), false), 9);
    ck_assert_uint_eq(text_width("您好，世界", strlen("您好，世界"), false), 10);
    ck_assert_uint_eq(text_width("ok😀", strlen("ok😀"), false), 4);
    ck_assert_uint_eq(text_width("e\xCC\x81", 3, false), 1); /* e + combining acute */
    ck_assert_uint_eq(text_width("“…”", strlen("“…”"), false), 3);
    ck_assert_uint_eq(text_width("“…”", strlen("“…”"), true), 6);
}
END_TEST

START_TEST(fit_never_splits_a_wide_character)
{
    const char *s = "您好abc";
    size_t cols;
    ck_assert_uint_eq(text_fit(s, strlen(s), 3, false, &cols), 3);
    ck_assert_uint_eq(cols, 2);
    ck_assert_uint_eq(text_fit(s, strlen(s), 4, false, &cols), 6);
    ck_assert_uint_eq(cols, 4);
    ck_assert_uint_eq(text_fit(s, strlen(s), 1, false, &cols), 0);
    ck_assert_uint_eq(text_fit(s, strlen(s), 100, false, &cols), strlen(s));
    ck_assert_uint_eq(cols, 7);
}
END_TEST

START_TEST(sanitize_strips_escapes_controls_and_bidi)
{
    buf b;
    buf_init(&b);
    const char *evil = "hi\x1b[31mred\x1b]0;title\x07\xc2\x9b"
                       "2J\xe2\x80\xae"
                       "abc\x01\tz\r\n";
    text_sanitize(&b, evil, strlen(evil), false);
    ck_assert_str_eq(buf_str(&b), "hired2Jabc z");
    buf_clear(&b);
    text_sanitize(&b, "a\nb", 3, true);
    ck_assert_str_eq(buf_str(&b), "a\nb");
    buf_clear(&b);
    text_sanitize(&b, "x\xff", 2, false);
    ck_assert_str_eq(buf_str(&b), "x\xEF\xBF\xBD");
    buf_clear(&b);
    /* at most four combining marks per base character */
    text_sanitize(&b, "e\xCC\x81\xCC\x81\xCC\x81\xCC\x81\xCC\x81\xCC\x81", 13, false);
    ck_assert_uint_eq(b.len, 9);
    buf_free(&b);
}
END_TEST

START_TEST(wrap_breaks_between_cjk_and_keeps_punctuation)
{
    const char *s = "很抱歉,让您久等了!请问";
    size_t next;
    /* 8 columns: 很抱歉 (6) + ',' (1) = 7; 让 would make 9 */
    size_t n = text_wrap_line(s, strlen(s), 8, false, &next);
    ck_assert_uint_eq(n, strlen("很抱歉,"));
    ck_assert_uint_eq(next, n);
    /* 6 columns: 很抱歉 fits exactly but ',' must not start a line: break before 歉 */
    n = text_wrap_line(s, strlen(s), 6, false, &next);
    ck_assert_uint_eq(n, strlen("很抱"));
    const char *words = "hello world again";
    n = text_wrap_line(words, strlen(words), 12, false, &next);
    ck_assert_uint_eq(n, 11);
    ck_assert_uint_eq(next, 12);
    n = text_wrap_line(words, strlen(words), 8, false, &next);
    ck_assert_uint_eq(n, 5);
    ck_assert_uint_eq(next, 6);
    n = text_wrap_line("ab\ncd", 5, 10, false, &next);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(next, 3);
}
END_TEST

/* Curses measures with wcwidth(): a glyph we count narrower would wrap at a pane's edge. */
START_TEST(never_narrower_than_wcwidth)
{
    for (uint32_t cp = 0x20; cp < 0x40000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        int w = wcwidth((wchar_t)cp);
        ck_assert_msg(w < 0 || text_cp_width(cp, false) >= w, "U+%04X: wcwidth %d, ours %d",
                      (unsigned)cp, w, text_cp_width(cp, false));
    }
    ck_assert_int_eq(text_cp_width(0x1F3FD, false), 2); /* skin tone, as wcwidth says */
    ck_assert_int_eq(text_cp_width(0x4DC0, false), 2);  /* Yijing hexagram */
    ck_assert_uint_eq(text_width("👍🏽", strlen("👍🏽"), false), 4);
}
END_TEST

START_TEST(sanitize_removes_zero_width_and_format_characters)
{
    buf b;
    buf_init(&b);
    const char *s =
        "王\xe2\x80\x8b\xe2\x81\xa0\xc2\xad\xe2\x81\xa6芳\xe2\x80\x8d"; /* ZWSP WJ SHY LRI; ZWJ kept
                                                                         */
    text_sanitize(&b, s, strlen(s), false);
    ck_assert_str_eq(buf_str(&b), "王芳\xe2\x80\x8d");
    buf_free(&b);
}
END_TEST

START_TEST(escape_shows_controls_and_format_characters)
{
    buf b;
    buf_init(&b);
    const char *s = "a\x1b]2;PWNED\x07\n\xc2\x9b\xe2\x80\xae\xf3\xa0\x80\x81\xff王\\";
    text_escape(&b, s, strlen(s));
    ck_assert_str_eq(buf_str(&b), "a\\x1b]2;PWNED\\x07\\n\\u{009B}\\u{202E}\\u{E0001}\\xff王\\");
    char small[12];
    ck_assert_str_eq(text_escape_into(small, sizeof small, "ab\x1b\x1b\x1b"), "ab\\x1b\\x1b");
    ck_assert_str_eq(text_escape_into(small, sizeof small, "王王王王"), "王王王");
    buf_free(&b);
}
END_TEST

START_TEST(csv_fields_are_quoted_escaped_and_never_formulas)
{
    buf b;
    buf_init(&b);
    const char *in[] = {"plain",     "a,b", "say \"hi\"", "=HYPERLINK(\"http://x\")",
                        "+1",        "-2",  "@SUM(A1)",   " pad",
                        "x\x1b[2Jy", "a\nb"};
    const char *out[] = {
        "plain",      "\"a,b\"", "\"say \"\"hi\"\"\"", "\"'=HYPERLINK(\"\"http://x\"\")\"",
        "\"'+1\"",    "\"'-2\"", "\"'@SUM(A1)\"",      "\" pad\"",
        "x\\x1b[2Jy", "a\\nb"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        buf_clear(&b);
        text_csv_field(&b, in[i], strlen(in[i]));
        ck_assert_str_eq(buf_str(&b), out[i]);
    }
    buf_free(&b);
}
END_TEST

START_TEST(json_strings_escape_c1_bidi_and_tags)
{
    buf b;
    buf_init(&b);
    buf_json_string(&b,
                    "a\xc2\x9b\xe2\x80\xae\xe2\x81\xa6\xf3\xa0\x80\x81\xef\xbb\xbf王\xc2\xa9\x1b");
    ck_assert_str_eq(buf_str(&b),
                     "\"a\\u009b\\u202e\\u2066\\udb40\\udc01\\ufeff王\xc2\xa9\\u001b\"");
    buf_free(&b);
}
END_TEST

static Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, decode_rejects_overlong_and_surrogates);
    tcase_add_test(tc, width_of_cjk_punctuation_and_emoji);
    tcase_add_test(tc, fit_never_splits_a_wide_character);
    tcase_add_test(tc, sanitize_strips_escapes_controls_and_bidi);
    tcase_add_test(tc, wrap_breaks_between_cjk_and_keeps_punctuation);
    tcase_add_test(tc, never_narrower_than_wcwidth);
    tcase_add_test(tc, sanitize_removes_zero_width_and_format_characters);
    tcase_add_test(tc, escape_shows_controls_and_format_characters);
    tcase_add_test(tc, csv_fields_are_quoted_escaped_and_never_formulas);
    tcase_add_test(tc, json_strings_escape_c1_bidi_and_tags);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(text_suite());
}
