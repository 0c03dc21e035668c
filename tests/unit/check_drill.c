/* check_drill: the drill loader (located errors), binding to a playbook, the runner on an
 * explicit clock (timing, lateness, branches, hang-ups, not reached vs skipped), results as
 * JSON and text, answers records, the report over many results and skeletons from logs. */
#include <jansson.h>
#include <string.h>

#include "core/drill.h"
#include "core/drill_session.h"
#include "core/engine.h"
#include "core/linematch.h"
#include "unit.h"

#define SEC   1000LL
#define START 1767578400000LL /* 2026-01-05T10:00:00+08:00 */
#define TZ    480

static playbook *pb;

static void setup(void)
{
    pb = unit_playbook();
}

static void teardown(void)
{
    playbook_free(pb);
}

/* Loads and binds a drill from text; NULL (with the messages in msgs) when it has problems. */
static drill *load(const char *yaml, char *msgs, size_t cap)
{
    diagnostics d;
    diag_init(&d);
    drill *dr = drill_load("t.yaml", yaml, strlen(yaml), &d);
    if (dr && !drill_bind(dr, pb, &d)) {
        drill_free(dr);
        dr = NULL;
    }
    snprintf(msgs, cap, "%s", buf_str(&d.text));
    diag_free(&d);
    return dr;
}

static drill *load_ok(const char *yaml)
{
    char msgs[2048];
    drill *dr = load(yaml, msgs, sizeof msgs);
    ck_assert_msg(dr != NULL, "%s", msgs);
    return dr;
}

/* ---- a headless harness: what huashu drill run does ---------------------------------- */

typedef struct harness {
    drill_session *s;
    engine *e;
    drill_run *run;
    int customer_messages;
    int closes;
} harness;

/* Counts what the customer side did (every event must reach the engine). */
static void listen(void *ctx, const event *ev, bool fed, const char *err)
{
    harness *h = ctx;
    ck_assert_msg(fed, "%s", err);
    h->customer_messages += ev->type == EVENT_MESSAGE;
    h->closes += ev->type == EVENT_CLOSE;
}

static void advance(harness *h, int64_t until)
{
    drill_session_advance(h->s, until);
}

static void start(harness *h, const drill *dr)
{
    memset(h, 0, sizeof *h);
    h->s = drill_session_new(dr, pb, "d", START, TZ);
    ck_assert_ptr_nonnull(h->s);
    h->e = drill_session_engine(h->s);
    h->run = drill_session_run(h->s);
    drill_session_set_listener(h->s, listen, h);
    drill_session_start(h->s);
}

/* The agent does something at `sec` seconds: says text (with a line id), presses a key, or
 * hangs up (type close). */
static void act(harness *h, double sec, event_type type, const char *text, const char *line)
{
    int64_t at = START + (int64_t)(sec * 1000);
    advance(h, at);
    if (drill_run_done(h->run))
        return;
    event ev;
    event_init(&ev, type, "d", at, TZ);
    if (type == EVENT_MESSAGE) {
        ev.from = FROM_AGENT;
        ev.text = text;
        ev.line = line;
    } else if (type == EVENT_KEY) {
        ev.key = text;
    }
    char err[128];
    ck_assert_msg(drill_session_feed(h->s, &ev, err, sizeof err), "%s", err);
}

static void say(harness *h, double sec, const char *text, const char *line)
{
    act(h, sec, EVENT_MESSAGE, text, line);
}

static const drill_result *finish(harness *h)
{
    return drill_session_finish(h->s, ENGINE_NEVER);
}

static void stop(harness *h)
{
    drill_session_free(h->s);
}

/* The status of the expectation called name. */
static drill_status status_of(const drill_result *res, const char *name)
{
    for (size_t i = 0; i < res->drill->expect_total; i++)
        if (!strcmp(drill_expect_at(res->drill, i, NULL)->name, name))
            return res->outcomes[i].status;
    ck_abort_msg("no expectation %s", name);
    return DRILL_UNOPENED;
}

static const drill_outcome *outcome_of(const drill_result *res, const char *name)
{
    for (size_t i = 0; i < res->drill->expect_total; i++)
        if (!strcmp(drill_expect_at(res->drill, i, NULL)->name, name))
            return &res->outcomes[i];
    ck_abort_msg("no expectation %s", name);
    return NULL;
}

/* ---- loading ------------------------------------------------------------------------- */

static const char *const hold_drill =
    "drill: hold\n"
    "title: 等候\n"
    "playbook: mini\n"
    "scoring: {respond: off}\n"
    "persona: {name: 王芳, surname: 王, title: 女士}\n"
    "steps:\n"
    "  - id: ask\n"
    "    customer: 我的订单怎么还没到?\n"
    "    expect:\n"
    "      - {line: hold.ask, within: 10s}\n"
    "      - {state: hold, within: 10s}\n"
    "      - {never: 不知道}\n"
    "  - id: wait\n"
    "    customer: 好的\n"
    "    expect:\n"
    "      - {line: hold.checkin, after: 20s, within: hold_checkin, grace: 10s}\n"
    "  - id: back\n"
    "    expect:\n"
    "      - {line: hold.return, within: 30s}\n"
    "      - {surname: true, within: 30s, points: 5}\n";

START_TEST(test_load_names_and_defaults)
{
    drill *dr = load_ok(hold_drill);
    ck_assert_str_eq(dr->id, "hold");
    ck_assert_uint_eq(dr->step_count, 3);
    ck_assert_uint_eq(dr->expect_total, 6);
    const drill_step *st;
    ck_assert_str_eq(drill_expect_at(dr, 0, &st)->name, "ask.line");
    ck_assert_str_eq(st->id, "ask");
    ck_assert_str_eq(drill_expect_at(dr, 2, NULL)->name, "ask.never");
    const drill_expect *checkin = drill_expect_at(dr, 3, NULL);
    ck_assert_int_eq(checkin->within.ms, 25 * SEC); /* a playbook setting's name */
    ck_assert_int_eq(checkin->after.ms, 20 * SEC);
    ck_assert_int_eq(checkin->grace.ms, 10 * SEC);
    ck_assert_int_eq(checkin->points, 10);
    ck_assert_int_eq(drill_expect_at(dr, 5, NULL)->points, 5);
    ck_assert(!dr->phone);
    ck_assert(dr->known);
    drill_free(dr);
}
END_TEST

START_TEST(test_load_errors_are_located)
{
    char msgs[2048];
    const char *bad = "drill: x\n"
                      "title: t\n"
                      "playbook: mini\n"
                      "steps:\n"
                      "  - id: a\n"
                      "    bogus: 1\n"
                      "    expect:\n"
                      "      - {line: hold.ask, say: 您好}\n"
                      "      - {say: 您好, within: soon!}\n"
                      "    on:\n"
                      "      - {words: 稍等, goto: nowhere}\n"
                      "  - id: a\n";
    ck_assert_ptr_null(load(bad, msgs, sizeof msgs));
    ck_assert_msg(strstr(msgs, "t.yaml:6:5: unknown key \"bogus\""), "%s", msgs);
    ck_assert_msg(strstr(msgs, "t.yaml:8:31: an expectation has one of"), "%s", msgs);
    ck_assert_msg(strstr(msgs, "t.yaml:9:27: within must be a duration"), "%s", msgs);
    ck_assert_msg(strstr(msgs, "t.yaml:11:27: goto: no step \"nowhere\""), "%s", msgs);
    ck_assert_msg(strstr(msgs, "t.yaml:12:5: step id \"a\" is used twice"), "%s", msgs);
}
END_TEST

START_TEST(test_bind_errors_are_located)
{
    char msgs[2048];
    const char *bad = "drill: x\n"
                      "title: t\n"
                      "playbook: mini\n"
                      "steps:\n"
                      "  - expect:\n"
                      "      - {state: nowhere}\n"
                      "      - {line: [hold.ask, hold.nope]}\n"
                      "      - {line: 'greeting.*'}\n"
                      "      - {line: 'zzz.*'}\n"
                      "      - {say: x, within: no_such_setting}\n"
                      "      - {say: y, after: 20s, within: 10s}\n";
    ck_assert_ptr_null(load(bad, msgs, sizeof msgs));
    ck_assert_msg(strstr(msgs, "t.yaml:6:17: playbook mini has no state \"nowhere\""), "%s", msgs);
    ck_assert_msg(strstr(msgs, "t.yaml:7:16: playbook mini has no line \"hold.nope\""), "%s", msgs);
    ck_assert_msg(!strstr(msgs, "greeting.*"), "%s", msgs);
    ck_assert_msg(strstr(msgs, "no line \"zzz.*\""), "%s", msgs);
    ck_assert_msg(strstr(msgs, "t.yaml:10:26: \"no_such_setting\" is not a duration"), "%s", msgs);
    ck_assert_msg(strstr(msgs, "after (20s) is later than within (10s)"), "%s", msgs);
}
END_TEST

/* ---- running ------------------------------------------------------------------------- */

START_TEST(test_model_answers_pass)
{
    drill *dr = load_ok(hold_drill);
    harness h;
    start(&h, dr);
    ck_assert_int_eq(h.customer_messages, 1); /* the first customer turn is right away */
    act(&h, 3, EVENT_KEY, "hold", NULL);
    say(&h, 4, "麻烦您等待一下,我帮您查看,好吗?", "hold.ask");
    ck_assert_int_eq(h.customer_messages, 2); /* "好的" as soon as the ask step settled */
    say(&h, 29, "很抱歉,您的问题正在查证中,麻烦您再稍等片刻,谢谢!", NULL); /* text, no id */
    act(&h, 40, EVENT_KEY, "hold", NULL);
    say(&h, 41, "王女士,谢谢您的等候。很抱歉,让您久等了!", "hold.return");
    const drill_result *res = finish(&h);
    ck_assert_str_eq(res->end_reason, "completed");
    ck_assert_int_eq(status_of(res, "ask.line"), DRILL_MET);
    ck_assert_int_eq(status_of(res, "ask.state"), DRILL_MET);
    ck_assert_int_eq(status_of(res, "ask.never"), DRILL_MET);
    ck_assert_int_eq(status_of(res, "wait.line"), DRILL_MET);
    ck_assert_int_eq(outcome_of(res, "wait.line")->met_at - outcome_of(res, "wait.line")->opened_at,
                     25 * SEC);
    ck_assert_int_eq(status_of(res, "back.surname"), DRILL_MET);
    ck_assert_int_eq(res->score, 55);
    ck_assert_int_eq(res->max, 55);
    ck_assert(res->passed);
    stop(&h);
    drill_free(dr);
}
END_TEST

START_TEST(test_late_early_missed_and_penalties)
{
    drill *dr = load_ok(hold_drill);
    harness h;
    start(&h, dr);
    say(&h, 2, "我不知道,你等一下", NULL); /* never broken, two forbidden phrases */
    say(&h, 17, "麻烦您等待一下,我帮您查看,好吗?", "hold.ask"); /* 7 s late: -4 */
    /* the state window closes at 10 + 15 s: the wait step opens then, and its check-in comes
     * 5 s later, before its after: 20s */
    say(&h, 30, "很抱歉,您的问题正在查证中,麻烦您再稍等片刻,谢谢!", "hold.checkin");
    const drill_result *res = finish(&h);
    ck_assert_int_eq(status_of(res, "ask.line"), DRILL_LATE);
    ck_assert_int_eq(outcome_of(res, "ask.line")->awarded, 6);
    ck_assert_int_eq(status_of(res, "ask.state"), DRILL_MISSED);
    ck_assert_int_eq(status_of(res, "ask.never"), DRILL_MISSED);
    ck_assert_str_eq(outcome_of(res, "ask.never")->said, "我不知道,你等一下");
    ck_assert_int_eq(status_of(res, "wait.line"), DRILL_EARLY);
    ck_assert_int_eq(status_of(res, "back.line"), DRILL_MISSED);
    ck_assert_uint_eq(res->hit_count, 2);
    ck_assert_str_eq(res->hits[0].phrase, "不知道");
    ck_assert_str_eq(res->hits[1].phrase, "你");
    ck_assert_int_eq(res->score, 0); /* 6 - 2 x 5, never below zero */
    ck_assert(!res->passed);
    stop(&h);
    drill_free(dr);
}
END_TEST

static const char *const branch_drill = "drill: branch\n"
                                        "title: 分支\n"
                                        "playbook: mini\n"
                                        "scoring: {respond: off}\n"
                                        "persona: {surname: 李, title: 先生}\n"
                                        "steps:\n"
                                        "  - id: angry\n"
                                        "    customer: 你们什么态度!\n"
                                        "    expect:\n"
                                        "      - {say: 抱歉, within: 10s}\n"
                                        "    on:\n"
                                        "      - {words: [不是我的错], goto: worse}\n"
                                        "      - {silence: 20s, goto: worse}\n"
                                        "    then: calm\n"
                                        "  - id: worse\n"
                                        "    customer: 我要投诉!\n"
                                        "    expect:\n"
                                        "      - {line: complaint.sorry, within: 10s}\n"
                                        "    then: end\n"
                                        "  - id: calm\n"
                                        "    customer: 那好吧。\n"
                                        "    when: reply\n"
                                        "    expect:\n"
                                        "      - {line: closing.more, within: 10s}\n";

START_TEST(test_branch_on_words_skips_the_other_path)
{
    drill *dr = load_ok(branch_drill);
    harness h;
    start(&h, dr);
    say(&h, 2, "这不是我的错", NULL);
    ck_assert_int_eq(h.customer_messages, 2); /* "我要投诉!" at once */
    say(&h, 4, "很抱歉,由于我们服务不周给您带来不便,请您原谅!", "complaint.sorry");
    const drill_result *res = finish(&h);
    ck_assert_str_eq(res->end_reason, "completed");
    /* the branch left angry at 2 s: its 抱歉 closed then, though said 2 s later in its window */
    ck_assert_int_eq(status_of(res, "angry.say"), DRILL_MISSED);
    ck_assert_int_eq(outcome_of(res, "angry.say")->met_at, 0);
    ck_assert_int_eq(status_of(res, "worse.line"), DRILL_MET);
    ck_assert_int_eq(status_of(res, "calm.line"), DRILL_SKIPPED);
    ck_assert_int_eq(res->max, 20);
    stop(&h);
    drill_free(dr);
}
END_TEST

START_TEST(test_then_and_reply_turn)
{
    drill *dr = load_ok(branch_drill);
    harness h;
    start(&h, dr);
    say(&h, 3, "很抱歉!", NULL);
    ck_assert_int_eq(h.customer_messages, 1); /* calm waits for the agent's next reply */
    say(&h, 5, "请您别着急", NULL);
    ck_assert_int_eq(h.customer_messages, 2);
    say(&h, 8, "请问还有什么可以帮您?", NULL); /* the line's text, without its id */
    const drill_result *res = finish(&h);
    ck_assert_int_eq(status_of(res, "worse.line"), DRILL_SKIPPED);
    ck_assert_int_eq(status_of(res, "calm.line"), DRILL_MET);
    ck_assert_int_eq(outcome_of(res, "calm.line")->opened_at, START + 5 * SEC);
    ck_assert(res->passed);
    stop(&h);
    drill_free(dr);
}
END_TEST

START_TEST(test_silence_branch_and_not_reached)
{
    drill *dr = load_ok(branch_drill);
    harness h;
    start(&h, dr);
    /* the agent never answers: the 抱歉 window closes at 25 s, but the silence branch goes to
     * worse at 20 s first; its expectation is missed after 10 s and 15 s of grace; then: end */
    const drill_result *res = finish(&h);
    ck_assert_int_eq(h.customer_messages, 2);
    ck_assert_int_eq(status_of(res, "angry.say"), DRILL_MISSED);
    ck_assert_int_eq(status_of(res, "worse.line"), DRILL_MISSED);
    ck_assert_int_eq(status_of(res, "calm.line"), DRILL_SKIPPED);
    ck_assert_str_eq(res->end_reason, "completed");
    ck_assert_int_eq(res->ended, START + 45 * SEC + 1);
    stop(&h);
    drill_free(dr);
}
END_TEST

START_TEST(test_agent_hangs_up_early)
{
    drill *dr = load_ok(branch_drill);
    harness h;
    start(&h, dr);
    act(&h, 2, EVENT_CLOSE, NULL, NULL);
    const drill_result *res = finish(&h);
    ck_assert_str_eq(res->end_reason, "agent hung up");
    ck_assert_int_eq(status_of(res, "angry.say"), DRILL_MISSED);
    ck_assert_int_eq(status_of(res, "calm.line"), DRILL_NOT_REACHED); /* on the path: then */
    ck_assert_int_eq(status_of(res, "worse.line"), DRILL_SKIPPED);
    ck_assert(drill_status_missed(DRILL_NOT_REACHED));
    stop(&h);
    drill_free(dr);
}
END_TEST

START_TEST(test_customer_hangs_up_and_silence_turn)
{
    const char *yaml = "drill: wrong\n"
                       "title: 打错\n"
                       "playbook: mini\n"
                       "channel: phone\n"
                       "steps:\n"
                       "  - customer: 是张医生吗?\n"
                       "    expect:\n"
                       "      - {say: 查证, within: 10s}\n"
                       "  - when: 3s\n"
                       "    hangup: true\n";
    drill *dr = load_ok(yaml);
    harness h;
    start(&h, dr);
    say(&h, 2, "很抱歉,这里是客服中心,请您查证后再拨。", NULL);
    ck_assert_int_eq(h.closes, 0);
    advance(&h, START + 4 * SEC);
    ck_assert_int_eq(h.closes, 0);
    advance(&h, START + 5 * SEC); /* 3 s of silence after the reply */
    ck_assert_int_eq(h.closes, 1);
    const drill_result *res = finish(&h);
    ck_assert_str_eq(res->end_reason, "customer hung up");
    ck_assert_int_eq(res->ended, START + 5 * SEC);
    ck_assert(res->passed);
    const conversation *c = engine_find(h.e, "d");
    ck_assert(c->phone);
    ck_assert(c->closed);
    stop(&h);
    drill_free(dr);
}
END_TEST

START_TEST(test_time_limit)
{
    const char *yaml = "drill: slow\n"
                       "title: t\n"
                       "playbook: mini\n"
                       "scoring: {respond: off}\n"
                       "limit: 20s\n"
                       "steps:\n"
                       "  - customer: 在吗?\n"
                       "    when: reply\n"
                       "    expect:\n"
                       "      - {say: 您好, within: 60s}\n";
    drill *dr = load_ok(yaml);
    harness h;
    start(&h, dr);
    const drill_result *res = finish(&h);
    ck_assert_str_eq(res->end_reason, "time limit");
    ck_assert_int_eq(res->ended, START + 20 * SEC);
    ck_assert_int_eq(status_of(res, "step1.say"), DRILL_NOT_REACHED);
    stop(&h);
    drill_free(dr);
}
END_TEST

/* The one cap of every harness: a cycle of steps that takes no time ends at DRILL_MAX_STEPS
 * steps (it used to grow without end), and a limit past DRILL_MAX_TIME is cut to it. */
START_TEST(test_session_caps_steps_and_time)
{
    const char *yaml = "drill: cycle\n"
                       "title: t\n"
                       "playbook: mini\n"
                       "scoring: {respond: off}\n"
                       "steps:\n"
                       "  - {id: a, customer: 在吗?, then: b}\n"
                       "  - {id: b, customer: 喂?, then: a}\n";
    drill *dr = load_ok(yaml);
    harness h;
    start(&h, dr);
    const drill_result *res = finish(&h);
    ck_assert_str_eq(res->end_reason, "step limit");
    ck_assert(!res->passed);
    ck_assert_int_eq(res->ended, START);
    ck_assert_int_le(h.customer_messages, DRILL_MAX_STEPS);
    ck_assert_int_ge(h.customer_messages, DRILL_MAX_STEPS - 1);
    stop(&h);
    drill_free(dr);
    dr = load_ok("drill: long\n"
                 "title: t\n"
                 "playbook: mini\n"
                 "limit: 30d\n"
                 "steps:\n"
                 "  - customer: 在吗?\n"
                 "    expect:\n"
                 "      - {say: 您好, within: 40d}\n");
    start(&h, dr);
    res = finish(&h);
    ck_assert_str_eq(res->end_reason, "time limit");
    ck_assert_int_eq(res->ended, START + DRILL_MAX_TIME);
    stop(&h);
    drill_free(dr);
}
END_TEST

/* The status of the one expectation of a one-step drill expecting line (within 30 s) when the
 * trainee says text (with line id) 2 s into it. */
static drill_status one_line(const char *line, const char *text, const char *id)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "drill: said\n"
             "title: t\n"
             "playbook: mini\n"
             "persona: {name: 王芳, surname: 王, title: 女士}\n"
             "steps:\n"
             "  - customer: 我的订单怎么还没到?\n"
             "    expect:\n"
             "      - {name: x, line: %s, within: 30s}\n",
             line);
    drill *dr = load_ok(yaml);
    harness h;
    start(&h, dr);
    say(&h, 2, text, id);
    drill_status st = status_of(finish(&h), "x");
    stop(&h);
    drill_free(dr);
    return st;
}

/* A line: expectation is met by what was said: the line's words in the trainee's own way (a
 * surname put in, words moved), never by a line id on an edited or different text. */
START_TEST(test_line_met_by_what_was_said)
{
    /* typed in their own words, no line id: met (it needed the suggestion key before) */
    ck_assert_int_eq(one_line("hold.ask", "王女士,麻烦您稍等一下,我帮您查看一下好吗?", NULL),
                     DRILL_MET);
    ck_assert_int_eq(one_line("hold.checkin", "王女士,您的问题正在查证,麻烦您再稍等,谢谢", NULL),
                     DRILL_MET);
    /* a suggestion edited into something else keeps no credit */
    ck_assert_int_eq(one_line("hold.ask", "麻烦死了,等着", "hold.ask"), DRILL_MISSED);
    /* another line, even a near one, is not this line */
    ck_assert_int_eq(one_line("hold.ask", "谢谢您的等候。很抱歉,让您久等了!", NULL), DRILL_MISSED);
    ck_assert_int_eq(one_line("hold.checkin", "麻烦您等待一下,我帮您查看,好吗?", "hold.checkin"),
                     DRILL_MISSED);
    /* the key phrases: the values the line's placeholders take (company, agent number) */
    ck_assert_int_eq(
        one_line("greeting.hotline", "早上好!测试公司007号客服为您服务,请问有什么能帮您的?", NULL),
        DRILL_MET);
    ck_assert_int_eq(one_line("greeting.hotline", "早上好,请问有什么可以帮您?", NULL),
                     DRILL_MISSED);
}
END_TEST

/* No points for silence: never-kinds count only in a step where the trainee spoke, and a run
 * without a single reply scores 0 (a silence branch's step adding its items changes nothing). */
START_TEST(test_silence_scores_nothing)
{
    const char *yaml = "drill: quiet\n"
                       "title: t\n"
                       "playbook: mini\n"
                       "scoring: {respond: off}\n"
                       "steps:\n"
                       "  - id: ask\n"
                       "    customer: 我的订单呢?\n"
                       "    expect:\n"
                       "      - {name: polite, never: 不知道}\n"
                       "      - {name: no_you, never: 你}\n"
                       "      - {name: hello, say: 您好, within: 30s}\n"
                       "    on:\n"
                       "      - {silence: 20s, goto: hello}\n"
                       "    then: end\n"
                       "  - id: hello\n"
                       "    customer: 有人吗?\n"
                       "    expect:\n"
                       "      - {name: still_polite, never: 不知道}\n";
    drill *dr = load_ok(yaml);
    harness h;
    start(&h, dr);
    const drill_result *res = finish(&h);
    ck_assert_int_eq(status_of(res, "polite"), DRILL_UNSCORED);
    ck_assert_int_eq(status_of(res, "still_polite"), DRILL_UNSCORED);
    ck_assert_int_eq(res->score, 0);
    ck_assert_int_eq(res->percent, 0);
    ck_assert(!res->passed);
    stop(&h);
    /* one polite reply in the first step: its never-kinds count, the silent step's do not */
    start(&h, dr);
    say(&h, 2, "我帮您看一下", NULL);
    res = finish(&h);
    ck_assert_int_eq(status_of(res, "polite"), DRILL_MET);
    ck_assert_int_eq(status_of(res, "hello"), DRILL_MISSED); /* closed by the branch at 22 s */
    ck_assert_int_eq(outcome_of(res, "hello")->closes_at, START + 45 * SEC);
    ck_assert_int_eq(status_of(res, "still_polite"), DRILL_UNSCORED);
    ck_assert_int_eq(res->max, 30);
    ck_assert_int_eq(res->score, 20);
    ck_assert_int_eq(res->ended, START + 22 * SEC);
    stop(&h);
    drill_free(dr);
}
END_TEST

/* The response rule: every customer message wants a reply within 30 s (5 points) unless the
 * drill says respond: off; a drill-wide never: charges any reply holding its phrase. */
START_TEST(test_response_rule_and_drill_never)
{
    const char *yaml = "drill: respond\n"
                       "title: t\n"
                       "playbook: mini\n"
                       "never: [没办法]\n"
                       "steps:\n"
                       "  - id: ask\n"
                       "    customer: 在吗?\n"
                       "  - id: again\n"
                       "    customer: 怎么不说话?\n"
                       "    when: 10s\n"
                       "  - id: bye\n"
                       "    customer: 算了。\n";
    drill *dr = load_ok(yaml);
    ck_assert_uint_eq(dr->expect_total, 3);
    ck_assert_int_eq(drill_expect_at(dr, 0, NULL)->kind, EXPECT_REPLY);
    ck_assert_str_eq(drill_expect_at(dr, 0, NULL)->name, "ask.reply");
    harness h;
    start(&h, dr);
    say(&h, 5, "您好,没办法", NULL);
    say(&h, 55, "在的", NULL); /* 40 s after "怎么不说话?" (at 15 s): 10 s late, -4 */
    const drill_result *res = finish(&h);
    ck_assert_int_eq(status_of(res, "ask.reply"), DRILL_MET);
    ck_assert_int_eq(status_of(res, "again.reply"), DRILL_LATE);
    ck_assert_int_eq(outcome_of(res, "again.reply")->awarded, 1);
    ck_assert_int_eq(status_of(res, "bye.reply"), DRILL_MISSED);
    ck_assert_uint_eq(res->hit_count, 1);
    ck_assert_str_eq(res->hits[0].kind, "never");
    ck_assert_int_eq(res->max, 15);
    ck_assert_int_eq(res->score, 1); /* 5 + 1 - 5 */
    stop(&h);
    drill_free(dr);
    dr = load_ok("drill: quiet\n"
                 "title: t\n"
                 "playbook: mini\n"
                 "scoring: {respond: off}\n"
                 "steps:\n"
                 "  - {customer: 在吗?}\n");
    ck_assert_uint_eq(dr->expect_total, 0);
    drill_free(dr);
}
END_TEST

/* The result teaches: what would have met a missed expectation, what lateness cost, and why
 * the run failed when a required expectation was missed at a passing percentage. */
START_TEST(test_result_teaches)
{
    const char *yaml =
        "drill: teach\n"
        "title: t\n"
        "playbook: mini\n"
        "scoring: {respond: off, pass: 50}\n"
        "persona: {surname: 王, title: 女士}\n"
        "steps:\n"
        "  - customer: 我的订单呢?\n"
        "    expect:\n"
        "      - {name: ask, line: hold.ask, within: 10s, points: 30}\n"
        "      - {name: late, say: 您好, within: 5s, points: 30}\n"
        "      - {name: name, surname: true, within: 20s, required: true, points: 5}\n";
    drill *dr = load_ok(yaml);
    harness h;
    start(&h, dr);
    say(&h, 9.2, "您好,我帮您查看,请您等待一下好吗?", NULL); /* 4.2 s late: -2 */
    const drill_result *res = finish(&h);
    ck_assert_int_eq(status_of(res, "late"), DRILL_LATE);
    ck_assert_int_eq(status_of(res, "name"), DRILL_MISSED);
    ck_assert_int_ge(res->percent, 50);
    ck_assert(!res->passed);
    buf b;
    buf_init(&b);
    drill_outcome_advice(res, 1, &b);
    ck_assert_str_eq(buf_str(&b), "4.2s late -> -2");
    buf_clear(&b);
    drill_outcome_advice(res, 2, &b);
    ck_assert_str_eq(buf_str(&b), "expected: address the customer as 王女士");
    buf_clear(&b);
    drill_result_why(res, &b);
    ck_assert_str_eq(buf_str(&b), "the required name was missed");
    buf_clear(&b);
    drill_result_text(res, &b);
    ck_assert_msg(strstr(buf_str(&b), "FAILED because the required name was missed"), "%s",
                  buf_str(&b));
    buf_free(&b);
    stop(&h);
    start(&h, dr);
    res = finish(&h);
    buf_init(&b);
    drill_outcome_advice(res, 0, &b);
    ck_assert_str_eq(buf_str(&b), "expected: 麻烦您等待一下,我帮您查看,好吗?");
    buf_clear(&b);
    drill_result_why(res, &b);
    ck_assert_str_eq(buf_str(&b), "nothing was said");
    buf_free(&b);
    stop(&h);
    drill_free(dr);
}
END_TEST

/* linematch on its own: paraphrases and inserted words keep a line, others do not. */
START_TEST(test_linematch_both_ways)
{
    const char *checkin = "正在查证中,麻烦您再稍等片刻";
    ck_assert_int_eq(linematch_similarity(checkin, "王女士,正在查证中,麻烦您再稍等片刻哦"), 100);
    ck_assert_int_ge(linematch_similarity(checkin, "正在帮您查证,请您再稍等一下"),
                     LINEMATCH_THRESHOLD);
    ck_assert_int_lt(linematch_similarity(checkin, "麻烦死了,等着"), LINEMATCH_THRESHOLD);
    ck_assert_int_ge(
        linematch_similarity("Hello! How may I help you?", "hello, how can I help you today?"),
        LINEMATCH_THRESHOLD);
    ck_assert_int_lt(linematch_similarity("Hello! How may I help you?", "What do you want?"),
                     LINEMATCH_THRESHOLD);
    ck_assert_int_eq(linematch_similarity("", "anything"), 0);
    const char *tpl = "您好,{company}客服{agent_no}号为您服务";
    const char *filled = "您好,华数商城客服007号为您服务";
    ck_assert(linematch_values(tpl, filled, "您好,华数商城 007 号"));
    ck_assert(!linematch_values(tpl, filled, "您好,客服为您服务"));
    ck_assert(linematch_values("{surname}{title},请问", "王女士,请问", "王女士您好"));
    ck_assert(!linematch_values("{surname}{title},请问", "王女士,请问", "王先生您好"));
    ck_assert(linematch_values("{title},请问", "先生/女士,请问", "女士您好"));
    ck_assert(linematch_values("订单{order.status}", "订单【订单状态】", "订单"));
    ck_assert(linematch_carries(tpl, filled, "您好!华数商城客服007号很高兴为您服务", 50));
}
END_TEST

START_TEST(test_state_reached_by_key_and_hangup_after)
{
    const char *yaml = "drill: silent\n"
                       "title: 无声\n"
                       "playbook: mini\n"
                       "channel: phone\n"
                       "steps:\n"
                       "  - expect:\n"
                       "      - {state: silent, within: 5s}\n"
                       "  - expect:\n"
                       "      - {hangup: true, after: 4s, within: 10s}\n";
    drill *dr = load_ok(yaml);
    harness h;
    start(&h, dr);
    act(&h, 1, EVENT_KEY, "silent", NULL);
    act(&h, 3, EVENT_CLOSE, NULL, NULL); /* 2 s after: too early */
    const drill_result *res = finish(&h);
    ck_assert_int_eq(status_of(res, "step1.state"), DRILL_MET);
    ck_assert_int_eq(status_of(res, "step2.hangup"), DRILL_EARLY);
    ck_assert(!res->passed);
    stop(&h);
    drill_free(dr);
}
END_TEST

/* ---- results ------------------------------------------------------------------------- */

START_TEST(test_result_json_and_text)
{
    drill *dr = load_ok(hold_drill);
    harness h;
    start(&h, dr);
    drill_run_set_trainee(h.run, "小张");
    say(&h, 2, "你好\"引号\"", NULL);
    const drill_result *res = finish(&h);
    buf b;
    buf_init(&b);
    drill_result_json(res, &b);
    json_error_t jerr;
    json_t *root = json_loads(buf_str(&b), 0, &jerr);
    ck_assert_msg(root != NULL, "%s: %s", jerr.text, buf_str(&b));
    ck_assert_str_eq(json_string_value(json_object_get(root, "drill")), "hold");
    ck_assert_str_eq(json_string_value(json_object_get(root, "trainee")), "小张");
    ck_assert_str_eq(json_string_value(json_object_get(root, "started")),
                     "2026-01-05T10:00:00.000+08:00");
    ck_assert(json_is_false(json_object_get(root, "passed")));
    json_t *missed = json_object_get(root, "missed");
    ck_assert_uint_eq(json_array_size(missed), 5);
    ck_assert_str_eq(json_string_value(json_array_get(missed, 0)), "ask.line");
    json_t *pen = json_array_get(json_object_get(root, "penalties"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(pen, "phrase")), "你");
    ck_assert_str_eq(json_string_value(json_object_get(pen, "text")), "你好\"引号\"");
    ck_assert_uint_eq(json_array_size(json_object_get(root, "transcript")), 3);
    json_decref(root);
    buf_clear(&b);
    drill_result_text(res, &b);
    ck_assert_msg(strstr(buf_str(&b), "FAILED"), "%s", buf_str(&b));
    ck_assert_msg(strstr(buf_str(&b), "Missed: ask.line, ask.state, wait.line, back.line"), "%s",
                  buf_str(&b));
    buf_free(&b);
    stop(&h);
    drill_free(dr);
}
END_TEST

START_TEST(test_answers_records)
{
    event ev;
    char err[256];
    const char *rec = "{\"at\":2.5,\"text\":\"您好\",\"line\":\"greeting.hotline\"}";
    ck_assert_msg(drill_answer_parse(rec, strlen(rec), "drill", START, TZ, &ev, err, sizeof err),
                  "%s", err);
    ck_assert_int_eq(ev.type, EVENT_MESSAGE);
    ck_assert_int_eq(ev.from, FROM_AGENT);
    ck_assert_int_eq(ev.ts_ms, START + 2500);
    ck_assert_str_eq(ev.conv, "drill");
    ck_assert_str_eq(ev.line, "greeting.hotline");
    event_release(&ev);
    rec = "{\"at\":\"1m\",\"type\":\"key\",\"key\":\"hold\"}";
    ck_assert(drill_answer_parse(rec, strlen(rec), "drill", START, TZ, &ev, err, sizeof err));
    ck_assert_int_eq(ev.ts_ms, START + 60 * SEC);
    ck_assert_str_eq(ev.key, "hold");
    event_release(&ev);
    rec = "{\"ts\":\"2026-01-05T10:00:09.000+08:00\",\"conv\":\"c-9\",\"type\":\"close\"}";
    ck_assert(drill_answer_parse(rec, strlen(rec), "drill", START, TZ, &ev, err, sizeof err));
    ck_assert_int_eq(ev.ts_ms, START + 9 * SEC);
    ck_assert_str_eq(ev.conv, "drill");
    event_release(&ev);
    rec = "{\"text\":\"没有时间\"}";
    ck_assert(!drill_answer_parse(rec, strlen(rec), "drill", START, TZ, &ev, err, sizeof err));
    ck_assert_msg(strstr(err, "needs \"at\""), "%s", err);
    rec = "{\"at\":-1,\"text\":\"x\"}";
    ck_assert(!drill_answer_parse(rec, strlen(rec), "drill", START, TZ, &ev, err, sizeof err));
    ck_assert_msg(strstr(err, "\"at\": -1 is not a number of seconds (0 or more)"), "%s", err);
    rec = "{\"at\":1,\"txt\":\"x\"}";
    ck_assert(!drill_answer_parse(rec, strlen(rec), "drill", START, TZ, &ev, err, sizeof err));
    ck_assert_msg(strstr(err, "unknown key \"txt\""), "%s", err);
    int64_t after = 0;
    rec = "{\"after_customer\":\"2s\",\"text\":\"好的\"}";
    ck_assert(
        drill_answer_parse_at(rec, strlen(rec), "drill", START, TZ, &ev, &after, err, sizeof err));
    ck_assert_int_eq(after, 2 * SEC);
    event_release(&ev);
    rec = "[1,2]";
    ck_assert(!drill_answer_parse(rec, strlen(rec), "drill", START, TZ, &ev, err, sizeof err));
}
END_TEST

/* Plays the hold drill with the given trainee passing or not, into a JSON result. */
static void result_json(const char *trainee, bool pass, buf *out)
{
    drill *dr = load_ok(hold_drill);
    harness h;
    start(&h, dr);
    drill_run_set_trainee(h.run, trainee);
    act(&h, 1, EVENT_KEY, "hold", NULL);
    say(&h, pass ? 2 : 3, "麻烦您等待一下,我帮您查看,好吗?", "hold.ask");
    if (pass) {
        say(&h, 27, "很抱歉,您的问题正在查证中,麻烦您再稍等片刻,谢谢!", "hold.checkin");
        say(&h, 30, "王女士,谢谢您的等候。很抱歉,让您久等了!", "hold.return");
    } else {
        say(&h, 5, "你再等等", NULL);
    }
    drill_result_json(finish(&h), out);
    stop(&h);
    drill_free(dr);
}

START_TEST(test_report_over_results)
{
    drill_report *rep = drill_report_new();
    const char *who[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        buf b;
        buf_init(&b);
        result_json(who[i], i != 1, &b);
        char err[128];
        ck_assert_msg(drill_report_add(rep, b.data, b.len, err, sizeof err), "%s", err);
        buf_free(&b);
    }
    char err[128];
    ck_assert(!drill_report_add(rep, "{}", 2, err, sizeof err));
    ck_assert(!drill_report_add(rep, "nope", 4, err, sizeof err));
    ck_assert_uint_eq(drill_report_count(rep), 3);
    buf b;
    buf_init(&b);
    drill_report_text(rep, &b);
    const char *t = buf_str(&b);
    ck_assert_msg(strstr(t, "3 results, 1 drills, 3 trainees"), "%s", t);
    ck_assert_msg(strstr(t, "runs 3, passed 2 (66%)"), "%s", t);
    ck_assert_msg(strstr(t, "ask.line                     3/3       2.0s"), "%s", t);
    ck_assert_msg(strstr(t, "wait.line                    2/3       25.0s"), "%s", t);
    ck_assert_msg(strstr(t, "\"你\" x1"), "%s", t);
    buf_clear(&b);
    drill_report_json(rep, &b);
    json_t *root = json_loads(buf_str(&b), 0, NULL);
    ck_assert_ptr_nonnull(root);
    json_t *d0 = json_array_get(json_object_get(root, "drills"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(d0, "pass_rate")), 66);
    json_decref(root);
    buf_free(&b);
    drill_report_free(rep);
}
END_TEST

START_TEST(test_skeleton_from_a_log)
{
    const char *lines[] = {
        "{\"ts\":\"2026-01-05T10:00:00.000+08:00\",\"conv\":\"c-1\",\"type\":\"open\","
        "\"customer\":{\"name\":\"王芳\",\"surname\":\"王\",\"title\":\"女士\"}}",
        "{\"ts\":\"2026-01-05T10:00:01.000+08:00\",\"conv\":\"c-2\",\"type\":\"message\","
        "\"from\":\"customer\",\"text\":\"别的对话\"}",
        "{\"ts\":\"2026-01-05T10:00:02.000+08:00\",\"conv\":\"c-1\",\"type\":\"message\","
        "\"from\":\"customer\",\"text\":\"我的\\\"订单\\\"呢?\"}",
        "{\"ts\":\"2026-01-05T10:00:06.000+08:00\",\"conv\":\"c-1\",\"type\":\"key\",\"key\":"
        "\"hold\"}",
        "{\"ts\":\"2026-01-05T10:00:07.000+08:00\",\"conv\":\"c-1\",\"type\":\"message\","
        "\"from\":\"agent\",\"text\":\"麻烦您等待一下,我帮您查看,好吗?\",\"line\":\"hold.ask\"}",
        "{\"ts\":\"2026-01-05T10:00:20.000+08:00\",\"conv\":\"c-1\",\"type\":\"message\","
        "\"from\":\"customer\",\"text\":\"还要多久\"}",
        "{\"ts\":\"2026-01-05T10:00:22.000+08:00\",\"conv\":\"c-1\",\"type\":\"message\","
        "\"from\":\"agent\",\"text\":\"马上就好了,请稍候\"}",
        "{\"ts\":\"2026-01-05T10:00:40.000+08:00\",\"conv\":\"c-1\",\"type\":\"close\"}",
    };
    event evs[8];
    char err[256];
    for (size_t i = 0; i < 8; i++)
        ck_assert_msg(event_parse(&evs[i], lines[i], strlen(lines[i]), err, sizeof err), "%s", err);
    buf b;
    buf_init(&b);
    ck_assert(drill_skeleton(evs, 8, "c-1", "mini", "log.jsonl", &b, err, sizeof err));
    const char *y = buf_str(&b);
    ck_assert_msg(strstr(y, "drill: from-c-1\n"), "%s", y);
    ck_assert_msg(strstr(y, "customer: \"我的\\\"订单\\\"呢?\""), "%s", y);
    ck_assert_msg(strstr(y, "{state: hold, within: 10s}"), "%s", y);
    ck_assert_msg(strstr(y, "{line: hold.ask, within: 10s}"), "%s", y);
    ck_assert_msg(strstr(y, "when: 13s"), "%s", y); /* 13 s of agent silence before 还要多久 */
    ck_assert_msg(strstr(y, "{say: \"马上就好了,请稍\", within: 10s}"), "%s", y);
    ck_assert_msg(strstr(y, "{hangup: true, within: 25s}"), "%s", y);
    ck_assert_msg(!strstr(y, "别的对话"), "%s", y);
    char msgs[2048];
    drill *dr = load(y, msgs, sizeof msgs);
    ck_assert_msg(dr != NULL, "%s\n%s", msgs, y);
    ck_assert_str_eq(dr->surname, "王");
    drill_free(dr);
    ck_assert(!drill_skeleton(evs, 8, "c-9", "mini", "log.jsonl", &b, err, sizeof err));
    buf_free(&b);
    for (size_t i = 0; i < 8; i++)
        event_release(&evs[i]);
}
END_TEST

/* Parses n JSON lines into evs (the events drill from-log reads). */
static void parse_lines(const char *const *lines, size_t n, event *evs)
{
    char err[256];
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(event_parse(&evs[i], lines[i], strlen(lines[i]), err, sizeof err), "%s", err);
}

/* Found by fuzz_drill_log: customer text with C1 controls, NEL, U+2028 or U+FFFE made a
 * skeleton YAML rejected or loaded as other text, and an empty agent message a `say: ""`. */
START_TEST(test_skeleton_keeps_any_customer_text)
{
    const char *said[] = {"a\\u0080b",
                          "x\\u0085y",
                          "p\\u2028q\\u2029",
                          "r\\uffffs\\ufffe",
                          "yes",
                          "~",
                          "  lead: #x \\\"q\\\"\\nnext\\t\\u007f"};
    const char *want[] = {"a\xc2\x80"
                          "b",
                          "x\xc2\x85y",
                          "p\xe2\x80\xa8q\xe2\x80\xa9",
                          "r\xef\xbf\xbfs\xef\xbf\xbe",
                          "yes",
                          "~",
                          "  lead: #x \"q\"\nnext\t\x7f"};
    char lines[9][256];
    const char *ptrs[9];
    snprintf(lines[0], sizeof lines[0],
             "{\"ts\":\"2026-01-05T10:00:00.000+08:00\",\"conv\":\"c-1\",\"type\":\"open\","
             "\"customer\":{\"name\":\"\\u0085王\\u2029\",\"surname\":\"王\"}}");
    for (size_t i = 0; i < 7; i++)
        snprintf(
            lines[i + 1], sizeof lines[i + 1],
            "{\"ts\":\"2026-01-05T10:00:%02zu.000+08:00\",\"conv\":\"c-1\",\"type\":\"message\","
            "\"from\":\"customer\",\"text\":\"%s\"}",
            i * 5 + 1, said[i]);
    snprintf(lines[8], sizeof lines[8],
             "{\"ts\":\"2026-01-05T10:00:40.000+08:00\",\"conv\":\"c-1\",\"type\":\"message\","
             "\"from\":\"agent\",\"text\":\"\"}");
    for (size_t i = 0; i < 9; i++)
        ptrs[i] = lines[i];
    event evs[9];
    parse_lines(ptrs, 9, evs);
    buf b;
    buf_init(&b);
    char err[256];
    ck_assert(drill_skeleton(evs, 9, "c-1", "mini", "logs\nx.jsonl", &b, err, sizeof err));
    const char *y = buf_str(&b);
    ck_assert_msg(!strstr(y, "say"), "%s", y);
    char msgs[2048];
    drill *dr = load(y, msgs, sizeof msgs);
    ck_assert_msg(dr != NULL, "%s\n%s", msgs, y);
    ck_assert_uint_eq(dr->step_count, 7);
    for (size_t i = 0; i < 7; i++)
        ck_assert_str_eq(dr->steps[i].text, want[i]);
    ck_assert_str_eq(dr->name, "\xc2\x85王\xe2\x80\xa9");
    drill_free(dr);
    buf_free(&b);
    for (size_t i = 0; i < 9; i++)
        event_release(&evs[i]);
}
END_TEST

/* Found by fuzz_drill_log: line and state ids from the log were written unquoted (an id with
 * ": " or " #" broke the YAML), an empty line id as `line: ""`, and a gap of years as a duration
 * the loader refuses. */
START_TEST(test_skeleton_quotes_ids_and_caps_times)
{
    const char *lines[] = {
        "{\"ts\":\"2026-01-05T10:00:00.000+08:00\",\"conv\":\"c-1\",\"type\":\"message\","
        "\"from\":\"customer\",\"text\":\"hi\"}",
        "{\"ts\":\"2026-01-05T10:00:02.000+08:00\",\"conv\":\"c-1\",\"type\":\"message\","
        "\"from\":\"agent\",\"text\":\"hello\",\"line\":\"a: b #c\"}",
        "{\"ts\":\"2026-01-05T10:00:03.000+08:00\",\"conv\":\"c-1\",\"type\":\"state\","
        "\"state\":\"null\"}",
        "{\"ts\":\"4052-01-05T10:00:00.000+08:00\",\"conv\":\"c-1\",\"type\":\"message\","
        "\"from\":\"customer\",\"text\":\"still there?\"}",
        "{\"ts\":\"4052-01-05T10:00:01.000+08:00\",\"conv\":\"c-1\",\"type\":\"key\","
        "\"key\":\"hold\"}",
        "{\"ts\":\"4052-01-05T10:00:03.000+08:00\",\"conv\":\"c-1\",\"type\":\"message\","
        "\"from\":\"agent\",\"text\":\"ok\",\"line\":\"\"}",
    };
    event evs[6];
    parse_lines(lines, 6, evs);
    buf b;
    buf_init(&b);
    char err[256];
    ck_assert(drill_skeleton(evs, 6, "c-1", "my: book", "log.jsonl", &b, err, sizeof err));
    const char *y = buf_str(&b);
    ck_assert_msg(strstr(y, "when: 1000000000s\n"), "%s", y);
    ck_assert_msg(strstr(y, "{state: hold, within: 10s}"), "%s", y);
    diagnostics d;
    diag_init(&d);
    drill *dr = drill_load("t.yaml", y, b.len, &d);
    ck_assert_msg(dr != NULL, "%s\n%s", buf_str(&d.text), y);
    ck_assert_str_eq(dr->playbook, "my: book");
    ck_assert_uint_eq(dr->step_count, 2);
    ck_assert_uint_eq(dr->steps[0].expect_count, 3); /* and the response rule's reply */
    ck_assert(dr->steps[0].expects[2].implicit);
    ck_assert_str_eq(dr->steps[0].expects[0].words[0], "a: b #c");
    ck_assert_str_eq(dr->steps[0].expects[1].words[0], "null");
    ck_assert_uint_eq(dr->steps[1].expect_count, 3); /* no empty line; the reply */
    ck_assert_int_eq(dr->steps[1].expects[1].kind, EXPECT_SAY);
    drill_free(dr);
    diag_free(&d);
    buf_free(&b);
    for (size_t i = 0; i < 6; i++)
        event_release(&evs[i]);
}
END_TEST

static Suite *drill_suite(void)
{
    Suite *s = suite_create("drill");
    TCase *tc = tcase_create("drill");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_load_names_and_defaults);
    tcase_add_test(tc, test_load_errors_are_located);
    tcase_add_test(tc, test_bind_errors_are_located);
    tcase_add_test(tc, test_model_answers_pass);
    tcase_add_test(tc, test_late_early_missed_and_penalties);
    tcase_add_test(tc, test_branch_on_words_skips_the_other_path);
    tcase_add_test(tc, test_then_and_reply_turn);
    tcase_add_test(tc, test_silence_branch_and_not_reached);
    tcase_add_test(tc, test_agent_hangs_up_early);
    tcase_add_test(tc, test_customer_hangs_up_and_silence_turn);
    tcase_add_test(tc, test_time_limit);
    tcase_add_test(tc, test_session_caps_steps_and_time);
    tcase_add_test(tc, test_line_met_by_what_was_said);
    tcase_add_test(tc, test_linematch_both_ways);
    tcase_add_test(tc, test_silence_scores_nothing);
    tcase_add_test(tc, test_response_rule_and_drill_never);
    tcase_add_test(tc, test_result_teaches);
    tcase_add_test(tc, test_state_reached_by_key_and_hangup_after);
    tcase_add_test(tc, test_result_json_and_text);
    tcase_add_test(tc, test_answers_records);
    tcase_add_test(tc, test_report_over_results);
    tcase_add_test(tc, test_skeleton_from_a_log);
    tcase_add_test(tc, test_skeleton_keeps_any_customer_text);
    tcase_add_test(tc, test_skeleton_quotes_ids_and_caps_times);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(drill_suite());
}
