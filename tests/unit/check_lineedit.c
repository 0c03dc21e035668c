#include <string.h>

#include "core/lineedit.h"
#include "core/text.h"
#include "unit.h"

#define E_ACUTE "e\xCC\x81" /* e + combining acute: one glyph */

/* A line holding s with the cursor at its end. */
static void line_set(buf *b, size_t *cur, const char *s)
{
    buf_clear(b);
    buf_puts(b, s);
    *cur = b->len;
}

START_TEST(glyph_moves_keep_marks_with_their_base)
{
    const char *s = "a" E_ACUTE "王👍🏽";
    size_t len = strlen(s);
    ck_assert_uint_eq(lineedit_next(s, len, 0), 1);
    ck_assert_uint_eq(lineedit_next(s, len, 1), 4);  /* e and its accent */
    ck_assert_uint_eq(lineedit_next(s, len, 4), 7);  /* 王 */
    ck_assert_uint_eq(lineedit_next(s, len, 7), 11); /* 👍; the skin tone is a glyph of its own */
    ck_assert_uint_eq(lineedit_prev(s, len, 4), 1);
    ck_assert_uint_eq(lineedit_prev(s, len, 7), 4);
    ck_assert_uint_eq(lineedit_prev(s, len, 0), 0);
    ck_assert_uint_eq(lineedit_next(s, len, len), len);
}
END_TEST

START_TEST(edits_and_word_moves)
{
    buf b;
    buf_init(&b);
    size_t cur;
    line_set(&b, &cur, "hello big " E_ACUTE);
    lineedit_apply(&b, &cur, LINEEDIT_BACKSPACE);
    ck_assert_str_eq(buf_str(&b), "hello big ");
    lineedit_apply(&b, &cur, LINEEDIT_WORD_LEFT);
    ck_assert_uint_eq(cur, 6);
    lineedit_apply(&b, &cur, LINEEDIT_WORD_LEFT);
    ck_assert_uint_eq(cur, 0);
    lineedit_apply(&b, &cur, LINEEDIT_WORD_RIGHT);
    ck_assert_uint_eq(cur, 5);
    lineedit_apply(&b, &cur, LINEEDIT_WORD_RIGHT);
    ck_assert_uint_eq(cur, 9);
    lineedit_apply(&b, &cur, LINEEDIT_KILL_WORD);
    ck_assert_str_eq(buf_str(&b), "hello  ");
    ck_assert_uint_eq(cur, 6);
    lineedit_apply(&b, &cur, LINEEDIT_LEFT);
    lineedit_apply(&b, &cur, LINEEDIT_LEFT);
    lineedit_apply(&b, &cur, LINEEDIT_DELETE);
    ck_assert_str_eq(buf_str(&b), "hell  ");
    lineedit_apply(&b, &cur, LINEEDIT_KILL_END);
    ck_assert_str_eq(buf_str(&b), "hell");
    lineedit_apply(&b, &cur, LINEEDIT_LEFT);
    lineedit_apply(&b, &cur, LINEEDIT_KILL_START);
    ck_assert_str_eq(buf_str(&b), "l");
    ck_assert_uint_eq(cur, 0);
    lineedit_apply(&b, &cur, LINEEDIT_END);
    ck_assert_uint_eq(cur, 1);
    lineedit_apply(&b, &cur, LINEEDIT_HOME);
    ck_assert_uint_eq(cur, 0);
    lineedit_apply(&b, &cur, LINEEDIT_BACKSPACE); /* at the start: nothing */
    ck_assert_str_eq(buf_str(&b), "l");
    buf_free(&b);
}
END_TEST

START_TEST(insert_makes_one_clean_line)
{
    buf b;
    buf_init(&b);
    size_t cur;
    bool failed;
    line_set(&b, &cur, "ab");
    cur = 1;
    const char *paste = "1\n2\t3\r\n\x1b[201~\r\x1b]2;x\x07\xe2\x80\xae王";
    ck_assert_uint_eq(lineedit_insert(&b, &cur, paste, strlen(paste), 0, &failed), 0);
    ck_assert(!failed);
    ck_assert_str_eq(buf_str(&b), "a1 2 3 王b");
    ck_assert_uint_eq(cur, strlen("a1 2 3 王"));
    buf_free(&b);
}
END_TEST

START_TEST(insert_stops_at_the_limit_on_a_whole_character)
{
    buf b;
    buf_init(&b);
    size_t cur;
    bool failed;
    line_set(&b, &cur, "xy");
    /* 10 bytes at most: "xy" + two of 王 (3 bytes each) fit, the rest does not */
    ck_assert_uint_eq(lineedit_insert(&b, &cur, "王王王王", 12, 10, &failed), 6);
    ck_assert_str_eq(buf_str(&b), "xy王王");
    ck_assert_uint_eq(lineedit_insert(&b, &cur, "z", 1, 10, &failed), 0);
    ck_assert_uint_eq(lineedit_insert(&b, &cur, "z", 1, 10, &failed), 0);
    ck_assert_uint_eq(lineedit_insert(&b, &cur, "z", 1, 10, &failed), 1);
    ck_assert_str_eq(buf_str(&b), "xy王王zz");
    buf_free(&b);
}
END_TEST

/* The scroll start as the console found it before: from the left, the first glyph start from
 * which the text up to the cursor is narrower than cols (quadratic). */
static size_t reference_start(const char *s, size_t len, size_t cursor, size_t cols)
{
    size_t start = 0;
    while (start < cursor && text_width(s + start, cursor - start, false) >= cols)
        start = lineedit_next(s, len, start);
    return start;
}

START_TEST(scroll_start_agrees_with_the_old_way)
{
    const char *pieces[] = {"a", "王", E_ACUTE, "👍", " ", "，", "\xEF\xBF\xBD"};
    unsigned seed = 7;
    for (int round = 0; round < 300; round++) {
        buf b;
        buf_init(&b);
        int n = round % 40;
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf_puts(&b, pieces[(seed >> 16) % 7]);
        }
        const char *s = buf_str(&b);
        for (size_t cur = 0; cur <= b.len; cur = lineedit_next(s, b.len, cur)) {
            for (size_t cols = 1; cols < 12; cols++)
                ck_assert_uint_eq(lineedit_scroll_start(s, b.len, cur, cols, false),
                                  reference_start(s, b.len, cur, cols));
            if (cur == b.len)
                break;
        }
        buf_free(&b);
    }
}
END_TEST

START_TEST(a_megabyte_line_costs_what_is_on_screen)
{
    /* 1 MiB of text: a thousand scroll starts and cursor moves at its end. With the old
     * quadratic search this test would run for hours; CK_DEFAULT_TIMEOUT stops it. */
    buf b;
    buf_init(&b);
    size_t cur = 0;
    bool failed;
    static char chunk[4096];
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (char)('a' + i % 26);
    for (int i = 0; i < 256; i++)
        lineedit_insert(&b, &cur, chunk, sizeof chunk, 0, &failed);
    ck_assert_uint_eq(b.len, LINEEDIT_MAX);
    ck_assert_uint_eq(lineedit_insert(&b, &cur, "z", 1, 0, &failed), 1);
    for (int i = 0; i < 1000; i++) {
        ck_assert_uint_eq(lineedit_scroll_start(b.data, b.len, cur, 80, false), b.len - 79);
        lineedit_apply(&b, &cur, LINEEDIT_BACKSPACE);
        lineedit_insert(&b, &cur, "@", 1, 0, &failed);
    }
    buf_free(&b);
}
END_TEST

static Suite *lineedit_suite(void)
{
    Suite *s = suite_create("lineedit");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, glyph_moves_keep_marks_with_their_base);
    tcase_add_test(tc, edits_and_word_moves);
    tcase_add_test(tc, insert_makes_one_clean_line);
    tcase_add_test(tc, insert_stops_at_the_limit_on_a_whole_character);
    tcase_add_test(tc, scroll_start_agrees_with_the_old_way);
    tcase_add_test(tc, a_megabyte_line_costs_what_is_on_screen);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(lineedit_suite());
}
