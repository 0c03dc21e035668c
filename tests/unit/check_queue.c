#include <string.h>

#include "core/engine.h"
#include "core/queue.h"
#include "net/paths.h"
#include "unit.h"

#define T0 1795000000000LL /* some Unix ms */

static playbook *pb;
static engine *e;

static void setup(void)
{
    pb = unit_playbook();
    e = engine_new(pb);
}

static void teardown(void)
{
    engine_free(e);
    playbook_free(pb);
}

static void feed(int64_t at, const char *conv, event_type type, const char *text)
{
    event ev;
    char err[128];
    event_init(&ev, type, conv, T0 + at, 480);
    if (type == EVENT_MESSAGE) {
        ev.from = FROM_CUSTOMER;
        ev.text = text;
    } else if (type == EVENT_KEY) {
        ev.key = text;
    }
    ck_assert_msg(engine_feed(e, &ev, err, sizeof err), "%s", err);
}

static void agent_says(int64_t at, const char *conv)
{
    event ev;
    char err[128];
    event_init(&ev, EVENT_MESSAGE, conv, T0 + at, 480);
    ev.from = FROM_AGENT;
    ev.text = "ok";
    ck_assert(engine_feed(e, &ev, err, sizeof err));
}

/* The agent sends a playbook line. */
static void agent_sends(int64_t at, const char *conv, const char *line, const char *text)
{
    event ev;
    char err[128];
    event_init(&ev, EVENT_MESSAGE, conv, T0 + at, 480);
    ev.from = FROM_AGENT;
    ev.text = text;
    ev.line = line;
    ck_assert(engine_feed(e, &ev, err, sizeof err));
}

/* Computes and sorts every item at now (ms after T0); ids in order go to out. */
static size_t order(int64_t now, const int64_t *last_agent, queue_item *items, const char **out)
{
    engine_advance(e, T0 + now);
    size_t n = engine_count(e);
    for (size_t i = 0; i < n; i++)
        queue_item_compute(e, i, T0 + now, last_agent ? T0 + last_agent[i] : 0, &items[i]);
    queue_sort(items, n);
    for (size_t i = 0; i < n; i++)
        out[i] = engine_at(e, items[i].index)->id;
    return n;
}

START_TEST(waiting_longest_comes_first_closed_last)
{
    feed(0, "idle", EVENT_OPEN, NULL);
    feed(1000, "late", EVENT_OPEN, NULL);
    feed(1500, "late", EVENT_MESSAGE, "在吗");
    feed(2000, "closed", EVENT_OPEN, NULL);
    feed(2500, "closed", EVENT_CLOSE, NULL);
    feed(3000, "soon", EVENT_OPEN, NULL);
    feed(3500, "soon", EVENT_MESSAGE, "有货吗");
    queue_item items[8];
    const char *ids[8];
    ck_assert_uint_eq(order(10000, NULL, items, ids), 4);
    ck_assert_str_eq(ids[0], "late");
    ck_assert_str_eq(ids[1], "soon");
    ck_assert_str_eq(ids[2], "idle");
    ck_assert_str_eq(ids[3], "closed");
    ck_assert_int_eq(items[0].timer, QUEUE_WAITING);
    ck_assert_int_eq(items[0].level, LEVEL_OK);
    ck_assert_int_eq(items[0].elapsed, 8500);
    ck_assert_int_eq(items[2].timer, QUEUE_IDLE);
    ck_assert_int_eq(items[3].timer, QUEUE_CLOSED);
}
END_TEST

START_TEST(levels_near_then_past_the_response_limit)
{
    feed(0, "c", EVENT_OPEN, NULL);
    feed(0, "c", EVENT_MESSAGE, "你好");
    queue_item items[2];
    const char *ids[2];
    order(19000, NULL, items, ids);
    ck_assert_int_eq(items[0].level, LEVEL_OK);
    order(21000, NULL, items, ids); /* 9 s left of 30: within a third */
    ck_assert_int_eq(items[0].level, LEVEL_NEAR);
    order(31000, NULL, items, ids);
    ck_assert_int_eq(items[0].level, LEVEL_PAST);
    ck_assert_int_eq(items[0].limit, 30000);
    agent_says(32000, "c");
    order(33000, NULL, items, ids);
    ck_assert_int_eq(items[0].timer, QUEUE_IDLE);
}
END_TEST

START_TEST(hold_check_in_is_due_until_the_agent_speaks)
{
    feed(0, "h", EVENT_OPEN, NULL);
    feed(1000, "h", EVENT_KEY, "hold");
    queue_item items[2];
    const char *ids[2];
    int64_t last_agent[1] = {500};
    order(10000, last_agent, items, ids);
    ck_assert_int_eq(items[0].timer, QUEUE_HOLD);
    ck_assert_int_eq(items[0].elapsed, 9000);
    ck_assert_int_eq(items[0].due, T0 + 26000);
    ck_assert_int_eq(items[0].level, LEVEL_OK);
    order(22000, last_agent, items, ids);
    ck_assert_int_eq(items[0].level, LEVEL_NEAR);
    order(27000, last_agent, items, ids); /* the 25 s check-in fired at 26 s */
    ck_assert(items[0].prompt);
    ck_assert_int_eq(items[0].level, LEVEL_PAST);
    order(40000, last_agent, items, ids); /* no next check-in before this one is sent */
    ck_assert(items[0].prompt);
    ck_assert_int_eq(queue_ladder_next(e, engine_find(e, "h")), QUEUE_NEVER);
    agent_sends(40500, "h", "hold.checkin", "很抱歉,您的问题正在查证中"); /* the agent checked in */
    last_agent[0] = 40500;
    order(41000, last_agent, items, ids);
    ck_assert(!items[0].prompt);
    ck_assert_int_eq(items[0].due, T0 + 65500); /* 25 s after it was sent */
}
END_TEST

START_TEST(ladder_counts_to_its_next_step)
{
    feed(0, "s", EVENT_OPEN, NULL);
    feed(0, "s", EVENT_KEY, "silent");
    ck_assert_int_eq(queue_ladder_next(e, engine_find(e, "s")), T0 + 5000);
    queue_item items[1];
    const char *ids[1];
    order(2000, NULL, items, ids);
    ck_assert_int_eq(items[0].timer, QUEUE_LADDER);
    ck_assert_int_eq(items[0].due, T0 + 5000);
    order(6000, NULL, items, ids);
    ck_assert(items[0].prompt);
    /* the next step counts from when the agent sends this one */
    ck_assert_int_eq(queue_ladder_next(e, engine_find(e, "s")), QUEUE_NEVER);
    agent_sends(7000, "s", "silent.greet", "您好,请问有什么可以帮您?");
    ck_assert_int_eq(queue_ladder_next(e, engine_find(e, "s")), T0 + 12000);
}
END_TEST

static Suite *queue_suite(void)
{
    Suite *s = suite_create("queue");
    TCase *tc = tcase_create("urgency");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, waiting_longest_comes_first_closed_last);
    tcase_add_test(tc, levels_near_then_past_the_response_limit);
    tcase_add_test(tc, hold_check_in_is_due_until_the_agent_speaks);
    tcase_add_test(tc, ladder_counts_to_its_next_step);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(queue_suite());
}
