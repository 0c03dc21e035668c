#include <string.h>

#include "core/detect.h"
#include "core/engine.h"
#include "core/textfold.h"
#include "unit.h"

/* A small playbook: topic cues with weights, a strong complaint cue, examples, replies. */
static const char book[] =
    "playbook: t\nname: t\nlocale: zh_CN\n"
    "cues:\n"
    "  complaint: {weight: 1.5, words: [投诉, 骗人, 太慢]}\n"
    "  shipping: {weight: 0.6, words: [快递, 发货, 单号]}\n"
    "  stock: {weight: 0.6, words: [有货, 现货]}\n"
    "  consent: [可以转, =好, =行, =可以]\n"
    "  refuse: [不好, 不用]\n"
    "  no_more: [=没有, =没了, 没别的了]\n"
    "transitions:\n"
    "  - {cue: complaint, to: complaint}\n"
    "states:\n"
    "  greeting:\n    label: g\n    lines: [{id: g.hi, text: 您好}]\n"
    "    transitions:\n"
    "      - {cue: shipping, to: shipping}\n"
    "      - {cue: stock, to: stock, line: stock.wait}\n"
    "      - {event: customer_message, to: inquiry}\n"
    "  inquiry:\n    label: i\n    lines: [{id: i.x, text: 嗯}]\n"
    "    transitions:\n"
    "      - {cue: shipping, to: shipping}\n"
    "      - {cue: stock, to: stock, line: stock.wait}\n"
    "  shipping:\n    label: s\n    lines: [{id: s.x, text: 查}]\n"
    "  stock:\n    label: k\n    lines: [{id: stock.wait, text: 稍等}]\n"
    "  complaint:\n    label: c\n    lines: [{id: c.x, text: 抱歉}]\n"
    "  closing:\n    label: e\n    lines: [{id: closing.ask, text: 还有什么可以帮您?}]\n"
    "  transfer:\n    label: t\n    lines: [{id: transfer.ask, text: 转接好吗}]\n"
    "    transitions:\n"
    "      - {cue: refuse, to: back}\n"
    "      - {cue: consent, to: transfer_confirm, line: tc.now}\n"
    "  transfer_confirm:\n    label: tc\n    lines: [{id: tc.now, text: 请稍等}]\n"
    "detect:\n"
    "  threshold: 0.4\n"
    "  noise: ['订单号[:：]? ?[0-9]+', '\\[[^] []{1,8}\\]']\n"
    "  polite: [不好意思, 请问]\n"
    "  negators: [不是]\n"
    "  replies:\n"
    "    - {said: closing, cue: no_more, to: closing}\n"
    "    - {said: transfer, cue: consent, to: transfer_confirm, line: tc.now}\n"
    "  same: [好的, 嗯, 哦, 对的, 知道了, 好吧]\n"
    "  examples:\n"
    "    greeting: [在吗, 你好, 有人吗, 亲在吗, 在不在]\n"
    "    shipping: [什么时候发货, 快递到哪了, 几天能到, 怎么还没到, 发什么快递, 明天能到吗]\n"
    "    stock: [有货吗, 还有吗, 有现货吗, 黑色还有吗, 什么时候补货, 有大号的吗]\n"
    "    complaint: [我要投诉, 太过分了, 什么破服务, 骗人, 等这么久没人理, 态度太差]\n"
    "    closing: [谢谢, 好的谢谢, 多谢, 拜拜, 再见, 没别的了]\n";

static playbook *pb;

/* Toy script conversion for the test: 貨 <-> 货, 嗎 <-> 吗, 發 <-> 发. */
static char *convert(void *ctx, bool to_traditional, const char *text)
{
    (void)ctx;
    static const char *const pairs[][2] = {{"货", "貨"}, {"吗", "嗎"}, {"发", "發"}};
    buf b;
    buf_init(&b);
    for (const char *p = text; *p;) {
        bool done = false;
        for (size_t i = 0; i < 3 && !done; i++) {
            const char *from = pairs[i][to_traditional ? 0 : 1];
            const char *to = pairs[i][to_traditional ? 1 : 0];
            if (!strncmp(p, from, strlen(from))) {
                buf_puts(&b, to);
                p += strlen(from);
                done = true;
            }
        }
        if (!done)
            buf_putc(&b, *p++);
    }
    return buf_take(&b);
}

static void setup(void)
{
    diagnostics d;
    diag_init(&d);
    pb = playbook_load("t.yaml", book, sizeof book - 1, NULL, NULL, &d);
    ck_assert_msg(pb != NULL, "%s", buf_str(&d.text));
    ck_assert(detect_train(pb, convert, NULL, &d));
    ck_assert_msg(d.count == 0, "%s", buf_str(&d.text));
    diag_free(&d);
}

static void teardown(void)
{
    playbook_free(pb);
}

static int st(const char *id)
{
    int s = playbook_state_index(pb, id);
    ck_assert_int_ge(s, 0);
    return s;
}

/* The state a message leads to from state `from` (the agent's last line in state `said`). */
static int move(const char *from, const char *said, const char *text)
{
    detect_ctx ctx = {st(from), said ? st(said) : PB_NONE, 0, false};
    detect_result r;
    detect_message(pb->detector, pb, &ctx, text, strlen(text), &r);
    return r.to;
}

START_TEST(folds_width_case_script_and_noise)
{
    buf b;
    buf_init(&b);
    const char *in = "ＡＢＣ　有貨嗎 [微笑] 订单号:123456";
    detect_fold(pb->detector, in, strlen(in), &b);
    ck_assert_str_eq(buf_str(&b), "abc 有货吗");
    buf_free(&b);
}
END_TEST

START_TEST(traditional_text_matches_a_simplified_playbook)
{
    ck_assert_int_eq(move("inquiry", NULL, "還有貨嗎"), st("stock"));
}
END_TEST

START_TEST(an_order_card_does_not_trigger_its_words)
{
    /* 单号 inside 订单号: the card is noise, the message itself says nothing */
    ck_assert_int_eq(move("inquiry", NULL, "订单号:2026112304"), PB_NONE);
}
END_TEST

START_TEST(complaint_beats_its_topic_word)
{
    ck_assert_int_eq(move("inquiry", NULL, "快递太慢了,我要投诉"), st("complaint"));
    ck_assert_int_eq(move("inquiry", NULL, "快递到哪了"), st("shipping"));
}
END_TEST

START_TEST(negation_and_rhetorical_questions)
{
    ck_assert_int_ne(move("inquiry", NULL, "不是投诉"), st("complaint"));
    ck_assert_int_eq(move("inquiry", NULL, "这不是骗人吗"), st("complaint"));
}
END_TEST

START_TEST(a_hail_keeps_greeting)
{
    ck_assert_int_eq(move("greeting", NULL, "在吗"), PB_NONE);
    ck_assert_int_eq(move("greeting", NULL, "你好"), PB_NONE);
    ck_assert_int_eq(move("greeting", NULL, "什么时候发货"), st("shipping"));
}
END_TEST

START_TEST(short_replies_read_against_the_agent_line)
{
    ck_assert_int_eq(move("shipping", "closing", "没有"), st("closing"));
    ck_assert_int_eq(move("shipping", "closing", "没有啦"), st("closing"));
    /* transfer offer: 好 alone is consent; concession is no refusal */
    ck_assert_int_eq(move("transfer", NULL, "好"), st("transfer_confirm"));
    ck_assert_int_eq(move("transfer", NULL, "不好意思,可以转"), st("transfer_confirm"));
    ck_assert_int_eq(move("transfer", NULL, "不好"), PB_BACK);
    ck_assert_int_eq(move("inquiry", "transfer", "行"), st("transfer_confirm"));
    /* transfer lets a new topic through */
    ck_assert_int_eq(move("transfer", NULL, "我想问一下快递到哪了,怎么还没到"), st("shipping"));
}
END_TEST

START_TEST(below_the_threshold_the_state_stays)
{
    detect_ctx ctx = {st("inquiry"), PB_NONE, 0, true};
    detect_result r;
    const char *text = "黑色";
    detect_message(pb->detector, pb, &ctx, text, strlen(text), &r);
    ck_assert_int_eq(r.to, PB_NONE);
    ck_assert(r.top_count > 0);
}
END_TEST

START_TEST(engine_keeps_runner_ups_when_unsure)
{
    engine *e = engine_new(pb);
    ck_assert_ptr_nonnull(e);
    event ev = {.type = EVENT_OPEN, .conv = "c", .ts_ms = 1000};
    char err[128];
    ck_assert(engine_feed(e, &ev, err, sizeof err));
    /* two weak topic cues at once, no example close: unsure between stock and shipping */
    event msg = {.type = EVENT_MESSAGE,
                 .conv = "c",
                 .ts_ms = 2000,
                 .from = FROM_CUSTOMER,
                 .text = "现货单号"};
    ck_assert(engine_feed(e, &msg, err, sizeof err));
    const conversation *c = engine_find(e, "c");
    if (c->state == st("greeting") || c->state == st("inquiry")) {
        ck_assert_uint_ge(c->unsure_count, 1);
    } else {
        ck_assert_uint_eq(c->unsure_count, 0);
    }
    event sure = {.type = EVENT_MESSAGE,
                  .conv = "c",
                  .ts_ms = 3000,
                  .from = FROM_CUSTOMER,
                  .text = "我要投诉"};
    ck_assert(engine_feed(e, &sure, err, sizeof err));
    ck_assert_int_eq(c->state, st("complaint"));
    ck_assert_uint_eq(c->unsure_count, 0);
    engine_free(e);
}
END_TEST

START_TEST(bad_detect_sections_are_named)
{
    static const char bad[] = "playbook: t\nname: t\nlocale: zh_CN\n"
                              "states:\n  greeting: {label: g}\n"
                              "detect:\n  threshold: 2\n  noise: ['(']\n"
                              "  examples: {nowhere: [x]}\n";
    diagnostics d;
    diag_init(&d);
    playbook *p = playbook_load("bad.yaml", bad, sizeof bad - 1, NULL, NULL, &d);
    ck_assert_ptr_null(p);
    const char *t = buf_str(&d.text);
    ck_assert_msg(strstr(t, "bad.yaml:7:14: threshold: want a number from 0 to 1"), "%s", t);
    ck_assert_msg(strstr(t, "bad.yaml:8:11: noise: bad regular expression"), "%s", t);
    ck_assert_msg(strstr(t, "bad.yaml:9:14: examples for unknown state \"nowhere\""), "%s", t);
    diag_free(&d);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("detect");
    TCase *tc = tcase_create("detect");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, folds_width_case_script_and_noise);
    tcase_add_test(tc, traditional_text_matches_a_simplified_playbook);
    tcase_add_test(tc, an_order_card_does_not_trigger_its_words);
    tcase_add_test(tc, complaint_beats_its_topic_word);
    tcase_add_test(tc, negation_and_rhetorical_questions);
    tcase_add_test(tc, a_hail_keeps_greeting);
    tcase_add_test(tc, short_replies_read_against_the_agent_line);
    tcase_add_test(tc, below_the_threshold_the_state_stays);
    tcase_add_test(tc, engine_keeps_runner_ups_when_unsure);
    tcase_add_test(tc, bad_detect_sections_are_named);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
