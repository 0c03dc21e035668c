#include <string.h>

#include "core/picker.h"
#include "net/paths.h"
#include "unit.h"

static playbook *pb;

static void setup(void)
{
    pb = unit_playbook();
}

static void teardown(void)
{
    playbook_free(pb);
}

static const char *first(const char *query, size_t *count)
{
    int out[64];
    *count = picker_search(pb, query, out, 64);
    return *count ? pb->lines[out[0]].id : "";
}

START_TEST(short_code_first_then_prefix)
{
    size_t n;
    ck_assert_str_eq(first("hc", &n), "hold.checkin");
    ck_assert_str_eq(first("HC", &n), "hold.checkin"); /* ASCII case does not matter */
    ck_assert_str_eq(first("c2", &n), "complaint.simple");
    int out[8];
    n = picker_search(pb, "c2", out, 8);
    ck_assert_uint_ge(n, 2); /* c24 starts with c2 too, after the exact code */
    ck_assert_str_eq(pb->lines[out[1]].id, "complaint.complex");
}
END_TEST

START_TEST(words_match_text_ids_and_states)
{
    size_t n;
    ck_assert_str_eq(first("查证", &n), "hold.checkin");
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(first("hold 久等", &n), "hold.return"); /* every word must match */
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(first("投诉", &n), "complaint.sorry"); /* the state's label */
    first("{colleague}", &n);
    ck_assert_uint_eq(n, 1);
    first("zzz", &n);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(empty_query_lists_every_line_in_order)
{
    int out[128];
    size_t n = picker_search(pb, "", out, 128);
    ck_assert_uint_eq(n, pb->line_count);
    ck_assert_str_eq(pb->lines[out[0]].id, pb->lines[pb->states[0].lines[0]].id);
    ck_assert_uint_eq(picker_search(pb, "   ", out, 3), 3); /* max respected */
}
END_TEST

static Suite *picker_suite(void)
{
    Suite *s = suite_create("picker");
    TCase *tc = tcase_create("search");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, short_code_first_then_prefix);
    tcase_add_test(tc, words_match_text_ids_and_states);
    tcase_add_test(tc, empty_query_lists_every_line_in_order);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(picker_suite());
}
