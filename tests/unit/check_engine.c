#include <string.h>

#include "core/civil.h"
#include "core/engine.h"
#include "core/suggest.h"
#include "unit.h"

#define SEC 1000LL
/* 2026-11-23 10:00:00 +08:00 */
#define T0 1795399200000LL
#define TZ 480

static playbook *pb;
static engine *e;

typedef struct seen {
    int64_t at[4096];
    unsigned changes[4096];
    char conv[4096][16];
    size_t n;
} seen;
static seen log_;

static void record(void *ctx, const conversation *c, int64_t at, unsigned changes)
{
    seen *s = ctx;
    if (s->n < 4096) {
        s->at[s->n] = at;
        s->changes[s->n] = changes;
        snprintf(s->conv[s->n], 16, "%.15s", c->id);
        s->n++;
    }
}

static void setup(void)
{
    pb = unit_playbook();
    e = engine_new(pb);
    memset(&log_, 0, sizeof log_);
    engine_set_observer(e, record, &log_);
}

static void teardown(void)
{
    engine_free(e);
    playbook_free(pb);
}

static void feed(event *ev)
{
    char err[256] = "";
    ck_assert_msg(engine_feed(e, ev, err, sizeof err), "%s", err);
}

static void open_conv(const char *conv, int64_t at, const char *channel)
{
    event ev;
    event_init(&ev, EVENT_OPEN, conv, at, TZ);
    ev.channel = channel;
    feed(&ev);
}

static void say(const char *conv, int64_t at, event_from from, const char *text, const char *line)
{
    event ev;
    event_init(&ev, EVENT_MESSAGE, conv, at, TZ);
    ev.from = from;
    ev.text = text;
    ev.line = line;
    feed(&ev);
}

static void key(const char *conv, int64_t at, const char *k)
{
    event ev;
    event_init(&ev, EVENT_KEY, conv, at, TZ);
    ev.key = k;
    feed(&ev);
}

static const char *state_of(const char *conv)
{
    const conversation *c = engine_find(e, conv);
    ck_assert_ptr_nonnull(c);
    return pb->states[c->state].id;
}

/* The id of the idx-th suggestion for conv at now, "" when there are fewer. */
static const char *suggested(const char *conv, int64_t now, size_t idx, char *text, size_t cap)
{
    suggestion s[SUGGEST_MAX];
    size_t n = suggest_rank(e, engine_find(e, conv), now, s, SUGGEST_MAX);
    const char *id = idx < n ? pb->lines[s[idx].line].id : "";
    if (text)
        snprintf(text, cap, "%s", idx < n ? s[idx].text : "");
    suggest_clear(s, n);
    return id;
}

START_TEST(open_starts_in_greeting_and_agent_reply_moves_on)
{
    open_conv("c1", T0, NULL);
    ck_assert_str_eq(state_of("c1"), "greeting");
    ck_assert_int_eq(engine_find(e, "c1")->prev_state, PB_NONE);
    say("c1", T0 + 2 * SEC, FROM_CUSTOMER, "在吗", NULL);
    ck_assert_str_eq(state_of("c1"), "greeting");
    say("c1", T0 + 5 * SEC, FROM_AGENT, "您好", "greeting.hotline");
    ck_assert_str_eq(state_of("c1"), "inquiry");
}
END_TEST

START_TEST(unanswered_message_becomes_urgent_at_30s)
{
    open_conv("c1", T0, NULL);
    say("c1", T0 + 10 * SEC, FROM_CUSTOMER, "我的快递怎么还没到?", NULL);
    ck_assert_int_eq(engine_next_deadline(e), T0 + 40 * SEC);
    engine_advance(e, T0 + 40 * SEC - 1);
    ck_assert(!engine_find(e, "c1")->urgent);
    engine_advance(e, T0 + 40 * SEC);
    const conversation *c = engine_find(e, "c1");
    ck_assert(c->urgent);
    ck_assert_int_eq(conversation_waited(c, T0 + 45 * SEC), 35 * SEC);
    ck_assert_uint_eq(log_.changes[log_.n - 1], CHANGE_URGENT);
    ck_assert_int_eq(log_.at[log_.n - 1], T0 + 40 * SEC);
    /* a second customer message does not restart the wait */
    say("c1", T0 + 50 * SEC, FROM_CUSTOMER, "人呢", NULL);
    ck_assert_int_eq(engine_find(e, "c1")->waiting_since, T0 + 10 * SEC);
    say("c1", T0 + 60 * SEC, FROM_AGENT, "很抱歉,让您久等了!", NULL);
    ck_assert(!engine_find(e, "c1")->urgent);
    ck_assert(!engine_find(e, "c1")->waiting);
    ck_assert(log_.changes[log_.n - 1] & CHANGE_URGENT);
}
END_TEST

START_TEST(late_apology_ranks_first_when_waited_past_limit)
{
    open_conv("c1", T0, NULL);
    say("c1", T0 + 1 * SEC, FROM_CUSTOMER, "在吗", NULL);
    ck_assert_str_ne(suggested("c1", T0 + 5 * SEC, 0, NULL, 0), "greeting.late");
    engine_advance(e, T0 + 40 * SEC);
    ck_assert_str_eq(suggested("c1", T0 + 40 * SEC, 0, NULL, 0), "greeting.late");
}
END_TEST

START_TEST(timers_between_events_fire_at_their_own_time)
{
    open_conv("c1", T0, NULL);
    say("c1", T0 + 1 * SEC, FROM_CUSTOMER, "在吗", NULL);
    size_t before = log_.n;
    say("c1", T0 + 100 * SEC, FROM_AGENT, "您好", NULL); /* urgent fired at 31 s first */
    ck_assert_uint_eq(log_.n, before + 2);
    ck_assert_uint_eq(log_.changes[before], CHANGE_URGENT);
    ck_assert_int_eq(log_.at[before], T0 + 31 * SEC);
    ck_assert_int_eq(log_.at[before + 1], T0 + 100 * SEC);
}
END_TEST

START_TEST(hold_checks_in_every_25s_and_returns_with_thanks)
{
    open_conv("c1", T0, NULL);
    say("c1", T0 + 1 * SEC, FROM_AGENT, "您好", NULL);
    key("c1", T0 + 10 * SEC, "hold");
    ck_assert_str_eq(state_of("c1"), "hold");
    ck_assert_str_eq(suggested("c1", T0 + 10 * SEC, 0, NULL, 0), "hold.ask");
    engine_advance(e, T0 + 35 * SEC - 1);
    ck_assert_int_eq(engine_find(e, "c1")->ladder_line, PB_NONE);
    engine_advance(e, T0 + 35 * SEC);
    ck_assert_str_eq(suggested("c1", T0 + 35 * SEC, 0, NULL, 0), "hold.checkin");
    ck_assert_uint_eq(log_.changes[log_.n - 1], CHANGE_LADDER);
    /* the next check-in is due 25 s after the agent sent this one, never before */
    engine_advance(e, T0 + 45 * SEC);
    ck_assert_int_eq(log_.at[log_.n - 1], T0 + 35 * SEC);
    say("c1", T0 + 45 * SEC, FROM_AGENT, "很抱歉,您的问题正在查证中,麻烦您再稍等片刻,谢谢!",
        "hold.checkin");
    engine_advance(e, T0 + 70 * SEC - 1);
    ck_assert_uint_eq(log_.changes[log_.n - 1], CHANGE_MESSAGE);
    engine_advance(e, T0 + 70 * SEC);
    ck_assert_int_eq(log_.at[log_.n - 1], T0 + 70 * SEC);
    ck_assert_uint_eq(log_.changes[log_.n - 1], CHANGE_LADDER);
    key("c1", T0 + 70 * SEC, "hold");
    ck_assert_str_eq(state_of("c1"), "inquiry");
    ck_assert_str_eq(suggested("c1", T0 + 70 * SEC, 0, NULL, 0), "hold.return");
    say("c1", T0 + 72 * SEC, FROM_AGENT, "谢谢您的等候。很抱歉,让您久等了!", "hold.return");
    ck_assert_str_ne(suggested("c1", T0 + 72 * SEC, 0, NULL, 0), "hold.return");
}
END_TEST

START_TEST(complaint_cue_and_promise_deadline)
{
    open_conv("c1", T0, NULL);
    say("c1", T0 + 1 * SEC, FROM_AGENT, "您好", NULL);
    say("c1", T0 + 5 * SEC, FROM_CUSTOMER, "你们这态度,我要投诉", NULL);
    ck_assert_str_eq(state_of("c1"), "complaint");
    ck_assert(engine_find(e, "c1")->complaint_open);
    say("c1", T0 + 20 * SEC, FROM_AGENT, "我们会在2小时内给您答复。", "complaint.simple");
    const conversation *c = engine_find(e, "c1");
    ck_assert_int_eq(c->complaint_deadline, T0 + 20 * SEC + 7200 * SEC);
    engine_advance(e, T0 + 20 * SEC + 7200 * SEC);
    ck_assert(engine_find(e, "c1")->complaint_overdue);
    ck_assert(log_.changes[log_.n - 1] & CHANGE_DEADLINE);
    /* a cue for the state we are in does not restart it */
    int64_t since = engine_find(e, "c1")->state_since;
    say("c1", T0 + 8000 * SEC, FROM_CUSTOMER, "我还是要投诉", NULL);
    ck_assert_int_eq(engine_find(e, "c1")->state_since, since);
}
END_TEST

START_TEST(closing_ladder_thanks_by_surname_then_ends)
{
    open_conv("c1", T0, NULL);
    event ev;
    event_init(&ev, EVENT_KEY, "c1", T0 + 1 * SEC, TZ);
    ev.key = "identify";
    ev.surname = "王";
    ev.title = "女士";
    feed(&ev);
    say("c1", T0 + 2 * SEC, FROM_AGENT, "您好", NULL);
    say("c1", T0 + 10 * SEC, FROM_CUSTOMER, "没有了,谢谢", NULL);
    ck_assert_str_eq(state_of("c1"), "closing");
    engine_advance(e, T0 + 15 * SEC);
    char text[256];
    ck_assert_str_eq(suggested("c1", T0 + 15 * SEC, 0, text, sizeof text), "closing.thanks");
    ck_assert_str_eq(text, "感谢您的来电,王女士,再见!");
    ck_assert(!engine_find(e, "c1")->ladder_ended);
    /* the last step waits for the agent to send the one before it */
    engine_advance(e, T0 + 30 * SEC);
    ck_assert(!engine_find(e, "c1")->ladder_ended);
    say("c1", T0 + 30 * SEC, FROM_AGENT, "感谢您的来电,王女士,再见!", "closing.thanks");
    engine_advance(e, T0 + 35 * SEC);
    ck_assert(engine_find(e, "c1")->ladder_ended);
    ck_assert_uint_eq(engine_find(e, "c1")->ladder_step, 2);
    say("c1", T0 + 36 * SEC, FROM_AGENT, "感谢您的来电,王女士,再见!", "closing.thanks");
    ck_assert_int_eq(engine_next_deadline(e), ENGINE_NEVER);
}
END_TEST

START_TEST(silent_call_ladder_and_timeout)
{
    open_conv("c1", T0, "phone");
    ck_assert(engine_find(e, "c1")->phone);
    key("c1", T0 + 1 * SEC, "silent");
    engine_advance(e, T0 + 6 * SEC);
    ck_assert_str_eq(suggested("c1", T0 + 6 * SEC, 0, NULL, 0), "silent.greet");
    engine_advance(e, T0 + 11 * SEC); /* not sent: no next step */
    ck_assert_str_eq(suggested("c1", T0 + 11 * SEC, 0, NULL, 0), "silent.greet");
    /* said in the agent's own words, it counts as sent */
    say("c1", T0 + 11 * SEC, FROM_AGENT, "您好,请问有什么可以帮您", NULL);
    engine_advance(e, T0 + 16 * SEC);
    ck_assert_str_eq(suggested("c1", T0 + 16 * SEC, 0, NULL, 0), "silent.nosound");
    ck_assert(!engine_find(e, "c1")->ladder_ended);
    say("c1", T0 + 17 * SEC, FROM_AGENT, "很抱歉,您的电话没有声音,请您再次打来好吗,再见!",
        "silent.nosound");
    engine_advance(e, T0 + 22 * SEC);
    ck_assert(engine_find(e, "c1")->ladder_ended);
    engine_advance(e, T0 + 61 * SEC);
    ck_assert_str_eq(state_of("c1"), "closing");
}
END_TEST

START_TEST(customer_speaking_restarts_the_silence_ladder)
{
    open_conv("c1", T0, "phone");
    key("c1", T0, "silent");
    engine_advance(e, T0 + 5 * SEC);
    ck_assert_uint_eq(engine_find(e, "c1")->ladder_step, 1);
    say("c1", T0 + 7 * SEC, FROM_CUSTOMER, "喂?能听见吗", NULL);
    ck_assert_str_eq(state_of("c1"), "inquiry");
}
END_TEST

START_TEST(placeholders_fill_from_customer_lookup_ask_and_clock)
{
    open_conv("c1", T0, "phone");
    char text[256];
    /* 10:00 at +08:00 is morning */
    ck_assert_str_eq(suggested("c1", T0, 0, text, sizeof text), "greeting.hotline");
    ck_assert_str_eq(text, "早上好,测试公司客服007号为您服务,请问有什么可以帮您?");
    engine_set_config(e, "company", "康泰鑫");
    suggested("c1", T0 + 8 * 3600 * SEC, 0, text, sizeof text);
    ck_assert_str_eq(text, "晚上好,康泰鑫客服007号为您服务,请问有什么可以帮您?");
    say("c1", T0 + 1 * SEC, FROM_AGENT, "您好", NULL);
    suggestion s[SUGGEST_MAX];
    size_t n = suggest_rank(e, engine_find(e, "c1"), T0 + 2 * SEC, s, SUGGEST_MAX);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(s[0].text, "【客户的姓】先生/女士,我复述一下,您看是这个意思吗?");
    ck_assert_uint_eq(s[0].missing_count, 1);
    ck_assert_str_eq(s[0].missing[0], "surname");
    ck_assert_str_eq(s[1].text, "您的订单状态是【订单状态】");
    suggest_clear(s, n);
    event ev;
    event_init(&ev, EVENT_LOOKUP, "c1", T0 + 3 * SEC, TZ);
    ev.kind = "order";
    ev.fields[0].name = "status";
    ev.fields[0].value = "已发货";
    ev.field_count = 1;
    feed(&ev);
    ck_assert(engine_set_value(e, "c1", "colleague", "小李", T0 + 3 * SEC));
    n = suggest_rank(e, engine_find(e, "c1"), T0 + 4 * SEC, s, SUGGEST_MAX);
    /* the line answering with the looked-up value comes first */
    ck_assert_str_eq(s[0].text, "您的订单状态是已发货");
    ck_assert_uint_eq(s[0].missing_count, 0);
    ck_assert_str_eq(s[2].text, "很抱歉,小李正在通话中,请问有什么可以帮您?");
    suggest_clear(s, n);
}
END_TEST

START_TEST(conditions_pick_lines_for_holiday_and_known_surname)
{
    int64_t new_year = (civil_days_from_date(2027, 1, 1) * 86400 - 8 * 3600 + 9 * 3600) * SEC;
    open_conv("c1", new_year, NULL);
    ck_assert_str_eq(suggested("c1", new_year, 0, NULL, 0), "greeting.holiday");
    ck_assert_str_eq(suggested("c1", T0, 0, NULL, 0), "greeting.hotline");
    ck_assert_str_eq(suggested("c1", new_year, 2, NULL, 0), "");
    event ev;
    event_init(&ev, EVENT_KEY, "c1", new_year + SEC, TZ);
    ev.key = "identify";
    ev.surname = "李";
    feed(&ev);
    char text[256];
    ck_assert_str_eq(suggested("c1", new_year + SEC, 2, text, sizeof text), "greeting.known");
    ck_assert_str_eq(text, "李先生/女士,请问有什么可以帮您?");
}
END_TEST

START_TEST(rejects_unknown_state_and_keeps_going)
{
    open_conv("c1", T0, NULL);
    event ev;
    event_init(&ev, EVENT_STATE, "c1", T0 + SEC, TZ);
    ev.state = "dancing";
    char err[256];
    ck_assert(!engine_feed(e, &ev, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "unknown state \"dancing\""));
    ev.state = "hold";
    feed(&ev);
    ck_assert_str_eq(state_of("c1"), "hold");
}
END_TEST

START_TEST(hundreds_of_conversations_fire_in_time_order)
{
    char id[16];
    for (int i = 0; i < 500; i++) {
        snprintf(id, sizeof id, "c%d", i);
        open_conv(id, T0, NULL);
    }
    /* customers write in an order unrelated to when their chats opened */
    for (int t = 0; t < 500; t++) {
        for (int i = 0; i < 500; i++) {
            if ((i * 7919) % 500 != t)
                continue;
            snprintf(id, sizeof id, "c%d", i);
            say(id, T0 + SEC + t, FROM_CUSTOMER, "在吗", NULL);
        }
    }
    ck_assert_uint_eq(engine_count(e), 500);
    size_t before = log_.n;
    engine_advance(e, T0 + 1000 * SEC);
    ck_assert_uint_eq(log_.n - before, 500);
    for (size_t i = before + 1; i < log_.n; i++)
        ck_assert_int_le(log_.at[i - 1], log_.at[i]);
    for (int i = 0; i < 500; i++) {
        snprintf(id, sizeof id, "c%d", i);
        ck_assert(engine_find(e, id)->urgent);
    }
    ck_assert_int_eq(engine_next_deadline(e), ENGINE_NEVER);
}
END_TEST

START_TEST(state_transitions_win_over_global_cues)
{
    /* silent: its own customer_message transition (to inquiry) comes before the global
     * complaint cue */
    open_conv("c1", T0, "phone");
    key("c1", T0 + SEC, "silent");
    say("c1", T0 + 2 * SEC, FROM_CUSTOMER, "喂,我要投诉", NULL);
    ck_assert_str_eq(state_of("c1"), "inquiry");
    say("c1", T0 + 3 * SEC, FROM_CUSTOMER, "我要投诉", NULL);
    ck_assert_str_eq(state_of("c1"), "complaint");
}
END_TEST

START_TEST(close_stops_timers)
{
    open_conv("c1", T0, NULL);
    say("c1", T0 + SEC, FROM_CUSTOMER, "在吗", NULL);
    event ev;
    event_init(&ev, EVENT_CLOSE, "c1", T0 + 2 * SEC, TZ);
    feed(&ev);
    ck_assert(engine_find(e, "c1")->closed);
    ck_assert_int_eq(engine_next_deadline(e), ENGINE_NEVER);
}
END_TEST

/* Found by fuzz_drill_log: a record a year after a hold (drill from-log on a log with a bad
 * year) fired the 25 s check-in once per period, 1.26 million times (minutes for a jump to 9999);
 * past MAX_REPEATS (1000) due repetitions the step moves on to the latest at once. */
START_TEST(a_jump_of_a_year_does_not_replay_every_repetition)
{
    open_conv("c1", T0, "phone");
    key("c1", T0 + 10 * SEC, "hold");
    engine_advance(e, T0 + 10 * SEC + 10 * 25 * SEC);
    size_t before = log_.n;
    int64_t later = T0 + 365LL * 86400 * SEC;
    engine_advance(e, later); /* the check-in waits to be sent: nothing repeats */
    ck_assert_uint_le(log_.n - before, 1);
    ck_assert_str_eq(suggested("c1", later, 0, NULL, 0), "hold.checkin");
    say("c1", later, FROM_AGENT, "很抱歉,您的问题正在查证中,麻烦您再稍等片刻,谢谢!",
        "hold.checkin");
    engine_advance(e, later + 365LL * 86400 * SEC);
    ck_assert_uint_le(log_.n - before, 3);
    ck_assert_uint_eq(log_.changes[log_.n - 1], CHANGE_LADDER);
    ck_assert_int_eq(log_.at[log_.n - 1], later + 25 * SEC);
}
END_TEST

static void close_conv(const char *conv, int64_t at)
{
    event ev;
    event_init(&ev, EVENT_CLOSE, conv, at, TZ);
    feed(&ev);
}

START_TEST(closed_conversations_are_forgotten_after_the_grace_period)
{
    engine_set_observer(e, NULL, NULL);
    engine_set_limits(e, 60 * SEC, 0);
    open_conv("keep", T0, NULL);
    char id[32];
    for (int i = 0; i < 20000; i++) { /* an endless stream of short chats, one a second */
        snprintf(id, sizeof id, "s%d", i);
        open_conv(id, T0 + i * SEC, NULL);
        say(id, T0 + i * SEC, FROM_CUSTOMER, "在吗", NULL);
        close_conv(id, T0 + i * SEC + 500);
        ck_assert_uint_le(engine_count(e), 64);
    }
    ck_assert_ptr_null(engine_find(e, "s0"));
    ck_assert_ptr_nonnull(engine_find(e, "s19999"));
    ck_assert_ptr_nonnull(engine_find(e, "keep"));
    ck_assert_uint_eq(engine_open_count(e), 1);
    for (size_t i = 0; i < engine_count(e); i++) /* every one left is still found by its id */
        ck_assert_ptr_eq(engine_find(e, engine_at(e, i)->id), engine_at(e, i));
    /* within the grace period a reopened chat is the same one, with its state */
    const conversation *c = engine_find(e, "s19990");
    ck_assert(c->closed);
    open_conv("s19990", T0 + 20000 * SEC, NULL);
    ck_assert_ptr_eq(engine_find(e, "s19990"), c);
    ck_assert(!c->closed);
    engine_advance(e, T0 + 30000 * SEC);
    ck_assert_ptr_nonnull(engine_find(e, "s19990"));
    ck_assert_ptr_null(engine_find(e, "s19999"));
}
END_TEST

START_TEST(without_limits_nothing_is_forgotten)
{
    open_conv("a", T0, NULL);
    close_conv("a", T0 + SEC);
    engine_advance(e, T0 + 365 * 86400 * SEC);
    ck_assert_ptr_nonnull(engine_find(e, "a"));
}
END_TEST

START_TEST(open_conversations_are_capped_with_a_message)
{
    engine_set_limits(e, 0, 3);
    open_conv("a", T0, NULL);
    open_conv("b", T0, NULL);
    open_conv("c", T0, NULL);
    event ev;
    event_init(&ev, EVENT_OPEN, "d\x1b[2J", T0 + SEC, TZ);
    char err[256] = "";
    ck_assert(!engine_feed(e, &ev, err, sizeof err));
    ck_assert_str_eq(err, "too many open conversations (3 at once): \"d\\x1b[2J\" not opened; "
                          "close some, or raise the limit");
    ck_assert_ptr_null(engine_find(e, "d\x1b[2J"));
    say("a", T0 + 2 * SEC, FROM_CUSTOMER, "还在", NULL); /* the open ones keep going */
    close_conv("b", T0 + 3 * SEC);
    open_conv("d", T0 + 4 * SEC, NULL);
    ck_assert_uint_eq(engine_open_count(e), 3);
}
END_TEST

START_TEST(an_edited_suggestion_is_no_longer_its_line)
{
    open_conv("c1", T0, NULL);
    const conversation *c = engine_find(e, "c1");
    int ask = playbook_line_index(pb, "hold.ask");
    ck_assert(suggest_still_carries(e, c, ask, "麻烦您等待一下,我帮您查看,好吗?", T0));
    ck_assert(suggest_still_carries(e, c, ask, "麻烦您稍等待一下,我马上帮您查看,好吗?", T0));
    ck_assert(!suggest_still_carries(e, c, ask, "麻烦死了,等着", T0));
    event ev;
    event_init(&ev, EVENT_KEY, "c1", T0 + SEC, TZ);
    ev.key = "identify";
    ev.surname = "王";
    ev.title = "女士";
    feed(&ev);
    int known = playbook_line_index(pb, "greeting.known");
    ck_assert(suggest_still_carries(e, c, known, "王女士,请问有什么可以帮您?", T0 + SEC));
    /* the surname the line was filled with is gone: not that line any more */
    ck_assert(!suggest_still_carries(e, c, known, "女士,请问有什么可以帮您?", T0 + SEC));
}
END_TEST

START_TEST(kept_lines_keep_their_numbers)
{
    suggestion kept[3] = {{.line = 10}, {.line = 11}, {.line = 12}};
    suggestion fresh[4] = {{.line = 20}, {.line = 12}, {.line = 10}, {.line = 13}};
    suggest_keep_order(kept, 3, fresh, 4);
    /* 10 and 12 stay at 1 and 3; 20 fills the hole 11 left, 13 comes after */
    ck_assert_int_eq(fresh[0].line, 10);
    ck_assert_int_eq(fresh[1].line, 20);
    ck_assert_int_eq(fresh[2].line, 12);
    ck_assert_int_eq(fresh[3].line, 13);
    suggestion fewer[1] = {{.line = 12}};
    suggest_keep_order(kept, 3, fewer, 1);
    ck_assert_int_eq(fewer[0].line, 12);
}
END_TEST

START_TEST(customer_values_are_cleaned_when_they_enter)
{
    event ev;
    event_init(&ev, EVENT_OPEN, "c1", T0, TZ);
    ev.name = "王\x1b]2;PWNED\x07芳\xe2\x80\xae";
    ev.surname = "\xe2\x81\xa6王\xe2\x80\x8b";
    ev.title = "女士\x1b[31m";
    feed(&ev);
    const conversation *c = engine_find(e, "c1");
    ck_assert_str_eq(c->name, "王芳");
    ck_assert_str_eq(c->surname, "王");
    ck_assert_str_eq(c->title, "女士");
    event_init(&ev, EVENT_LOOKUP, "c1", T0 + SEC, TZ);
    ev.kind = "order";
    ev.fields[0].name = "status";
    ev.fields[0].value = "已发货\x1b]52;c;ZXZpbA==\x07\xc2\x9b";
    ev.field_count = 1;
    feed(&ev);
    ck_assert_str_eq(conversation_value(c, "order.status"), "已发货");
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("rules");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, open_starts_in_greeting_and_agent_reply_moves_on);
    tcase_add_test(tc, unanswered_message_becomes_urgent_at_30s);
    tcase_add_test(tc, late_apology_ranks_first_when_waited_past_limit);
    tcase_add_test(tc, timers_between_events_fire_at_their_own_time);
    tcase_add_test(tc, hold_checks_in_every_25s_and_returns_with_thanks);
    tcase_add_test(tc, complaint_cue_and_promise_deadline);
    tcase_add_test(tc, closing_ladder_thanks_by_surname_then_ends);
    tcase_add_test(tc, silent_call_ladder_and_timeout);
    tcase_add_test(tc, customer_speaking_restarts_the_silence_ladder);
    tcase_add_test(tc, placeholders_fill_from_customer_lookup_ask_and_clock);
    tcase_add_test(tc, conditions_pick_lines_for_holiday_and_known_surname);
    tcase_add_test(tc, rejects_unknown_state_and_keeps_going);
    tcase_add_test(tc, hundreds_of_conversations_fire_in_time_order);
    tcase_add_test(tc, state_transitions_win_over_global_cues);
    tcase_add_test(tc, close_stops_timers);
    tcase_add_test(tc, a_jump_of_a_year_does_not_replay_every_repetition);
    tcase_add_test(tc, an_edited_suggestion_is_no_longer_its_line);
    tcase_add_test(tc, kept_lines_keep_their_numbers);
    tcase_add_test(tc, closed_conversations_are_forgotten_after_the_grace_period);
    tcase_add_test(tc, without_limits_nothing_is_forgotten);
    tcase_add_test(tc, open_conversations_are_capped_with_a_message);
    tcase_add_test(tc, customer_values_are_cleaned_when_they_enter);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(engine_suite());
}
