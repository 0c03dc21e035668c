#include <string.h>

#include "core/lint.h"
#include "unit.h"

static playbook *pb;
static lint *l;

/* A playbook exercising every rule kind: allow words, overlaps, punctuation, English words,
 * avoid lines (long and short), placeholders with labels. */
static const char rules_yaml[] =
    "playbook: t\nname: t\nlocale: zh_CN\n"
    "placeholders:\n"
    "  surname: {source: customer, label: 客户的姓}\n"
    "  order.status: {source: lookup, label: 订单状态}\n"
    "forbidden:\n"
    "  - {phrase: 你, better: 您, allow: [迷你]}\n"
    "  - {phrase: 喂, better: 您好, allow: [喂养]}\n"
    "  - {phrase: 不知道, better: 我帮您确认一下, allow: [不知道您], note: 种子002}\n"
    "  - {phrase: 不清楚, better: 我帮您确认一下, allow: [听不清楚]}\n"
    "  - {phrase: \"如果没有其他的事,请挂机\", better: 请问还有什么可以帮您?}\n"
    "  - {phrase: 请挂机, better: 请问还有什么可以帮您?}\n"
    "  - {phrase: 我不是和你说过了, better: 我再与您核实一下}\n"
    "  - {phrase: \"I don't know\", better: Let me check}\n"
    "  - {phrase: but, better: because}\n"
    "states:\n"
    "  greeting:\n"
    "    label: 问候\n"
    "    lines:\n"
    "      - {id: greeting.online, text: \"您好,在的,有什么可以帮您?\"}\n"
    "    avoid:\n"
    "      - {never: \"在。\", say: greeting.online}\n"
    "      - {never: \"您好,什么事情?\", say: greeting.online}\n"
    "      - {never: \"不知道\", say: 不会出现}\n";

static void setup(void)
{
    diagnostics d;
    diag_init(&d);
    pb = playbook_load("t.yaml", rules_yaml, strlen(rules_yaml), NULL, NULL, &d);
    ck_assert_msg(pb != NULL, "%s", buf_str(&d.text));
    diag_free(&d);
    l = lint_new(pb);
    ck_assert_ptr_nonnull(l);
}

static void teardown(void)
{
    lint_free(l);
    playbook_free(pb);
}

static size_t check(const char *text, lint_hit *hits, size_t max)
{
    return lint_check(l, text, strlen(text), hits, max);
}

START_TEST(finds_phrase_with_better_wording_and_columns)
{
    lint_hit h[4];
    const char *text = "ok,我不知道";
    ck_assert_uint_eq(check(text, h, 4), 1);
    ck_assert_int_eq(h[0].kind, LINT_FORBIDDEN);
    ck_assert_str_eq(h[0].phrase, "不知道");
    ck_assert_str_eq(h[0].better, "我帮您确认一下");
    ck_assert_str_eq(h[0].note, "种子002");
    ck_assert_uint_eq(h[0].offset, 6);
    ck_assert_uint_eq(h[0].length, 9);
    ck_assert_uint_eq(h[0].column, 4); /* o k , 我 */
    ck_assert_uint_eq(h[0].chars, 3);
    ck_assert_int_eq(h[0].line, PB_NONE);
}
END_TEST

START_TEST(clean_text_has_no_hits)
{
    ck_assert_uint_eq(check("您好,请问有什么可以帮您?", NULL, 0), 0);
    ck_assert_uint_eq(check("", NULL, 0), 0);
}
END_TEST

START_TEST(allow_word_is_not_a_hit_but_others_are)
{
    lint_hit h[4];
    ck_assert_uint_eq(check("这款迷你的", h, 4), 0);
    ck_assert_uint_eq(check("宝宝喂养", h, 4), 0);
    ck_assert_uint_eq(check("我不知道您的地址", h, 4), 0);
    ck_assert_uint_eq(check("我听不清楚", h, 4), 0);
    ck_assert_uint_eq(check("迷你给你", h, 4), 1);
    ck_assert_uint_eq(h[0].column, 3);
    /* the allow word only covers its own rule */
    ck_assert_uint_eq(check("我不清楚", h, 4), 1);
}
END_TEST

START_TEST(leftmost_longest_without_overlaps)
{
    lint_hit h[4];
    ck_assert_uint_eq(check("如果没有其他的事,请挂机", h, 4), 1);
    ck_assert_str_eq(h[0].phrase, "如果没有其他的事,请挂机");
    ck_assert_uint_eq(check("我不是和你说过了", h, 4), 1); /* not also 你 */
    ck_assert_str_eq(h[0].phrase, "我不是和你说过了");
    ck_assert_uint_eq(check("你你", h, 4), 2);
    ck_assert_uint_eq(h[1].column, 1);
    ck_assert_uint_eq(check("请挂机吧", h, 4), 1);
    ck_assert_str_eq(h[0].phrase, "请挂机");
}
END_TEST

START_TEST(full_width_punctuation_matches_too)
{
    lint_hit h[4];
    ck_assert_uint_eq(check("如果没有其他的事，请挂机。", h, 4), 1);
    ck_assert_str_eq(h[0].phrase, "如果没有其他的事,请挂机");
    ck_assert_uint_eq(h[0].length, strlen("如果没有其他的事，请挂机"));
    ck_assert_uint_eq(check("I don’t know", h, 4), 1); /* typographic apostrophe */
}
END_TEST

START_TEST(ascii_words_fold_case_and_need_boundaries)
{
    lint_hit h[4];
    ck_assert_uint_eq(check("Sorry, I DON'T KNOW.", h, 4), 1);
    ck_assert_uint_eq(h[0].column, 7);
    ck_assert_uint_eq(check("press the button", h, 4), 0);
    ck_assert_uint_eq(check("a debut", h, 4), 0);
    ck_assert_uint_eq(check("But it is", h, 4), 1);
    ck_assert_uint_eq(check("好的,but它", h, 4), 1); /* CJK next to it is a boundary */
}
END_TEST

START_TEST(character_boundaries_and_invalid_bytes)
{
    lint_hit h[4];
    /* 你 is E4 BD A0: its bytes inside other characters never match */
    ck_assert_uint_eq(check("\xE4\xBD\xA0", h, 4), 1);
    ck_assert_uint_eq(check("\xE4\xE4\xBD\xA0", h, 4), 1); /* a stray lead byte first */
    ck_assert_uint_eq(h[0].offset, 1);
    ck_assert_uint_eq(h[0].column, 1);
    ck_assert_uint_eq(check("\xBD\xA0\xE4\xBD", h, 4), 0); /* only pieces of it */
    ck_assert_uint_eq(check("\x80\x80你", h, 4), 1);
    ck_assert_uint_eq(h[0].column, 2); /* each invalid byte counts one */
}
END_TEST

START_TEST(placeholders_and_missing_markers)
{
    lint_hit h[4];
    ck_assert_uint_eq(check("{surname}先生,您的订单【订单状态】", h, 4), 2);
    ck_assert_int_eq(h[0].kind, LINT_PLACEHOLDER);
    ck_assert_uint_eq(h[0].length, 9);
    ck_assert_ptr_null(h[0].better);
    ck_assert_int_eq(h[1].kind, LINT_MISSING);
    ck_assert_uint_eq(h[1].column, 16);
    ck_assert_uint_eq(h[1].chars, 6);
    ck_assert_uint_eq(check("【order.status】", h, 4), 1); /* the name when no label */
    ck_assert_uint_eq(check("{order.status}", h, 4), 1);
    /* not placeholders: braces around other things, unknown bracket words */
    ck_assert_uint_eq(check("{} {A} {1a} {a b} 【活动】 {unterminated", h, 4), 0);
}
END_TEST

START_TEST(avoid_lines_long_anywhere_short_only_whole)
{
    lint_hit h[4];
    ck_assert_uint_eq(check("您好,什么事情?", h, 4), 1);
    ck_assert_int_eq(h[0].kind, LINT_AVOID);
    ck_assert_str_eq(h[0].better, "您好,在的,有什么可以帮您?");
    ck_assert_int_eq(h[0].line, playbook_line_index(pb, "greeting.online"));
    ck_assert_int_eq(h[0].state, playbook_state_index(pb, "greeting"));
    ck_assert_uint_eq(check("在。", h, 4), 1);
    ck_assert_uint_eq(check(" 在 ", h, 4), 1);
    ck_assert_uint_eq(check("现在。", h, 4), 0);
    ck_assert_uint_eq(check("在发货", h, 4), 0);
    /* an avoid line equal to a forbidden phrase stays the forbidden rule */
    ck_assert_uint_eq(check("不知道", h, 4), 1);
    ck_assert_int_eq(h[0].kind, LINT_FORBIDDEN);
}
END_TEST

START_TEST(count_beyond_max_and_null_hits)
{
    lint_hit h[2];
    ck_assert_uint_eq(check("你你你你你", h, 2), 5);
    ck_assert_uint_eq(h[1].column, 1);
    ck_assert_uint_eq(check("你你你", NULL, 0), 3);
}
END_TEST

START_TEST(many_hits_in_a_long_text)
{
    buf b;
    buf_init(&b);
    for (int i = 0; i < 1000; i++)
        buf_puts(&b, "好你");
    static lint_hit h[1000];
    ck_assert_uint_eq(lint_check(l, b.data, b.len, h, 1000), 1000);
    ck_assert_uint_eq(h[999].column, 1999);
    ck_assert_uint_eq(h[999].offset, 999 * 6 + 3);
    buf_free(&b);
}
END_TEST

START_TEST(replace_uses_better_wording)
{
    lint_hit h[4];
    const char *text = "我不知道哦";
    ck_assert_uint_eq(check(text, h, 4), 1);
    buf out;
    buf_init(&out);
    ck_assert(lint_replace(&out, text, strlen(text), &h[0], NULL));
    ck_assert_str_eq(buf_str(&out), "我我帮您确认一下哦");
    buf_clear(&out);
    ck_assert(lint_replace(&out, text, strlen(text), &h[0], "来查一下"));
    ck_assert_str_eq(buf_str(&out), "我来查一下哦");
    buf_clear(&out);
    ck_assert_uint_eq(check("{surname}", h, 4), 1);
    ck_assert(!lint_replace(&out, "{surname}", 9, &h[0], NULL));
    ck_assert_str_eq(buf_str(&out), "{surname}");
    buf_free(&out);
}
END_TEST

START_TEST(rules_are_listed)
{
    ck_assert_uint_eq(lint_rule_count(l), 11); /* 9 forbidden + 2 avoid (one is a duplicate) */
    ck_assert_str_eq(lint_rule_phrase(l, 0), "你");
    ck_assert_str_eq(lint_rule_better(l, 0), "您");
    ck_assert_int_eq(lint_rule_kind(l, 10), LINT_AVOID);
    ck_assert_str_eq(lint_kind_name(LINT_MISSING), "missing");
}
END_TEST

START_TEST(word_sets_report_tags)
{
    const char *words[] = {"抱歉", "对不起", "sorry", "2小时"};
    const uint32_t tags[] = {1, 1, 2, 4};
    lint_words *w = lint_words_new(words, tags, 4, LINT_WORDS_FOLD | LINT_WORDS_BOUNDARIES);
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(lint_words_find(w, "很抱歉", strlen("很抱歉")), 1);
    ck_assert_uint_eq(lint_words_find(w, "SORRY 对不起", strlen("SORRY 对不起")), 3);
    ck_assert_uint_eq(lint_words_find(w, "sorrynot", 8), 0);
    ck_assert_uint_eq(lint_words_find(w, "12小时", strlen("12小时")), 0);
    ck_assert_uint_eq(lint_words_find(w, "在2小时内", strlen("在2小时内")), 4);
    lint_words_free(w);
    w = lint_words_new(words, tags, 4, 0); /* plain substrings, like strstr */
    ck_assert_uint_eq(lint_words_find(w, "12小时 Sorry", strlen("12小时 Sorry")), 4);
    ck_assert_uint_eq(lint_words_find(w, "sorrynot", 8), 2);
    lint_words_free(w);
    w = lint_words_new(NULL, NULL, 0, 0);
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(lint_words_find(w, "abc", 3), 0);
    lint_words_free(w);
}
END_TEST

START_TEST(bundled_playbook_builds)
{
    char path[512];
    unit_data("../../data/playbooks/zh_CN.yaml", path, sizeof path);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    diagnostics d;
    diag_init(&d);
    playbook *zh = playbook_load(path, text, len, NULL, NULL, &d);
    ck_assert_msg(zh != NULL, "%s", buf_str(&d.text));
    diag_free(&d);
    lint *lz = lint_new(zh);
    ck_assert_ptr_nonnull(lz);
    lint_hit h[8];
    const char *t = "你好,这个我不知道,但是可以帮你问";
    ck_assert_uint_eq(lint_check(lz, t, strlen(t), h, 8), 4);
    ck_assert_uint_eq(lint_check(lz, "这款迷你的", strlen("这款迷你的"), h, 8), 0);
    lint_free(lz);
    playbook_free(zh);
}
END_TEST

/* A small deterministic generator for the property tests. */
static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

START_TEST(random_text_gives_ordered_in_bounds_hits)
{
    static const char *const pieces[] = {"你",       "迷",
                                         "不知道",   "您",
                                         "{",        "}",
                                         "surname",  "【",
                                         "订单状态", "】",
                                         ",",        "，",
                                         "请挂机",   "I don't know",
                                         "but",      "\xE4",
                                         "\xBD",     "\xA0",
                                         "\x80",     " ",
                                         "在",       "。",
                                         "a",        "\xF0\x9F\x98\x80"};
    uint32_t seed = 12345;
    lint_hit h[64];
    for (int round = 0; round < 2000; round++) {
        char text[512];
        size_t len = 0;
        int n = (int)(next_random(&seed) % 24);
        for (int i = 0; i < n; i++) {
            const char *p = pieces[next_random(&seed) % (sizeof pieces / sizeof pieces[0])];
            size_t plen = strlen(p);
            if (len + plen >= sizeof text)
                break;
            memcpy(text + len, p, plen);
            len += plen;
        }
        size_t found = lint_check(l, text, len, h, 64);
        size_t end = 0;
        for (size_t i = 0; i < found && i < 64; i++) {
            ck_assert_uint_ge(h[i].offset, end); /* in order, never overlapping */
            ck_assert_uint_le(h[i].offset + h[i].length, len);
            ck_assert_uint_gt(h[i].length, 0);
            ck_assert_uint_le(h[i].column, h[i].offset);
            ck_assert_uint_ge(h[i].chars, 1);
            end = h[i].offset + h[i].length;
            buf out;
            buf_init(&out);
            lint_replace(&out, text, len, &h[i], NULL);
            ck_assert(!out.failed);
            buf_free(&out);
        }
    }
}
END_TEST

static Suite *lint_suite(void)
{
    Suite *s = suite_create("lint");
    TCase *tc = tcase_create("rules");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, finds_phrase_with_better_wording_and_columns);
    tcase_add_test(tc, clean_text_has_no_hits);
    tcase_add_test(tc, allow_word_is_not_a_hit_but_others_are);
    tcase_add_test(tc, leftmost_longest_without_overlaps);
    tcase_add_test(tc, full_width_punctuation_matches_too);
    tcase_add_test(tc, ascii_words_fold_case_and_need_boundaries);
    tcase_add_test(tc, character_boundaries_and_invalid_bytes);
    tcase_add_test(tc, placeholders_and_missing_markers);
    tcase_add_test(tc, avoid_lines_long_anywhere_short_only_whole);
    tcase_add_test(tc, count_beyond_max_and_null_hits);
    tcase_add_test(tc, many_hits_in_a_long_text);
    tcase_add_test(tc, replace_uses_better_wording);
    tcase_add_test(tc, rules_are_listed);
    tcase_add_test(tc, word_sets_report_tags);
    tcase_add_test(tc, bundled_playbook_builds);
    tcase_add_test(tc, random_text_gives_ordered_in_bounds_hits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(lint_suite());
}
