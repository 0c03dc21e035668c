#include <string.h>

#include "core/audit.h"
#include "unit.h"

#define SEC      1000LL
#define MAX_SEEN 16

static playbook *pb;
static lint *l;
static audit *a;

/* What the reporter was given (offences copied, as they are freed after the call). */
typedef struct seen_conv {
    audit_conv c;
    char first_match[64];
    unsigned long first_offence_line;
    size_t first_offence_column;
} seen_conv;

static seen_conv seen[MAX_SEEN];
static size_t seen_count;

static void record(void *ctx, const audit_conv *c)
{
    (void)ctx;
    if (seen_count == MAX_SEEN)
        return;
    seen_conv *s = &seen[seen_count++];
    s->c = *c;
    s->c.offences = NULL;
    s->c.excerpt = NULL;
    s->first_match[0] = '\0';
    if (c->offence_count) {
        snprintf(s->first_match, sizeof s->first_match, "%s", c->offences[0].match);
        s->first_offence_line = c->offences[0].line;
        s->first_offence_column = c->offences[0].column;
    }
}

static const seen_conv *find(const char *id)
{
    for (size_t i = 0; i < seen_count; i++)
        if (!strcmp(seen[i].c.id, id))
            return &seen[i];
    ck_abort_msg("conversation %s was not reported", id);
    return NULL;
}

static void start(const audit_options *o)
{
    a = audit_new(pb, l, o);
    ck_assert_ptr_nonnull(a);
    seen_count = 0;
    audit_set_reporter(a, record, NULL);
}

static void setup(void)
{
    pb = unit_playbook();
    l = lint_new(pb);
    ck_assert_ptr_nonnull(l);
    start(NULL);
}

static void teardown(void)
{
    audit_free(a);
    lint_free(l);
    playbook_free(pb);
}

/* Feeds a fixture line by line; returns the number of bad lines. */
static unsigned feed_file(const char *rel)
{
    size_t len;
    char *text = unit_read(rel, &len);
    unsigned bad = 0;
    unsigned long number = 0;
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
        char err[256];
        if (!audit_feed_line(a, line, n, rel, ++number, err, sizeof err))
            bad++;
        line += n + 1;
    }
    free(text);
    return bad;
}

static void feed(const char *line)
{
    char err[256];
    ck_assert_msg(audit_feed_line(a, line, strlen(line), "t", 1, err, sizeof err), "%s", err);
}

START_TEST(basic_transcript_per_conversation)
{
    ck_assert_uint_eq(feed_file("audit/basic.jsonl"), 0);
    audit_finish(a);
    ck_assert_uint_eq(seen_count, 3);
    /* closed in the order they closed; b is reported at the end, still open */
    ck_assert_str_eq(seen[0].c.id, "a");
    ck_assert_str_eq(seen[1].c.id, "c");
    ck_assert_str_eq(seen[2].c.id, "b");

    const audit_conv *ca = &find("a")->c;
    ck_assert(ca->closed);
    ck_assert_int_eq(ca->handle_ms, 150 * SEC);
    ck_assert_int_eq(ca->first_response_ms, 10 * SEC);
    ck_assert_uint_eq(ca->next_response.count, 4);     /* 20 45 5 5 */
    ck_assert_int_eq(ca->next_response.median, 12500); /* the usual median: (5 + 20) / 2 */
    ck_assert_int_eq(ca->next_response.p90, 45 * SEC);
    ck_assert_int_eq(ca->next_response.max, 45 * SEC);
    ck_assert_uint_eq(ca->answered_within, 4);
    ck_assert_uint_eq(ca->sl_counted, 5);
    ck_assert_int_eq(ca->waited_ms, 85 * SEC);
    ck_assert_uint_eq(ca->unanswered, 0);
    ck_assert(ca->greeting_present && ca->greeting_correct);
    ck_assert(ca->goodbye && ca->closing_asked);
    ck_assert(ca->surname_known && ca->surname_used);
    ck_assert(!ca->complaint);
    ck_assert_uint_eq(ca->forbidden, 0);
    ck_assert_uint_eq(ca->holds, 0);
    ck_assert_int_eq(ca->longest_hold_ms, AUDIT_NONE);
}
END_TEST

START_TEST(basic_transcript_holds_complaints_and_open_at_end)
{
    ck_assert_uint_eq(feed_file("audit/basic.jsonl"), 0);
    audit_finish(a);
    const seen_conv *sb = find("b");
    const audit_conv *cb = &sb->c;
    ck_assert(!cb->closed);
    ck_assert(cb->phone);
    ck_assert_int_eq(cb->handle_ms, AUDIT_NONE);
    ck_assert_int_eq(cb->first_response_ms, 10 * SEC);
    ck_assert_uint_eq(cb->next_response.count, 1);
    ck_assert_uint_eq(cb->answered_within, 2);
    ck_assert_uint_eq(cb->sl_counted, 3); /* the unanswered wait is past 30 s at the end */
    ck_assert_uint_eq(cb->unanswered, 1);
    /* 10 + 10 + from 11:02:20 to the last time in the input, 12:30:20 */
    ck_assert_int_eq(cb->waited_ms, (20 + 88 * 60) * SEC);
    ck_assert_uint_eq(cb->holds, 1);
    ck_assert_int_eq(cb->longest_hold_ms, 70 * SEC);
    ck_assert_uint_eq(cb->checkins, 2);
    ck_assert_uint_eq(cb->late_checkins, 1); /* 40 s between the two check-ins */
    ck_assert_uint_eq(cb->holds_ok, 0);
    ck_assert(cb->greeting_present && !cb->greeting_correct); /* 你好,我不知道 */
    ck_assert_uint_eq(cb->forbidden, 2);
    ck_assert_str_eq(sb->first_match, "你");
    ck_assert_uint_eq(sb->first_offence_line, 20);
    ck_assert_uint_eq(sb->first_offence_column, 0);
    ck_assert(cb->complaint && cb->apology);
    ck_assert_int_eq(cb->promise, PROMISE_PENDING); /* promised by line, 13:02:10 */
    ck_assert(!cb->surname_known);

    const audit_conv *cc = &find("c")->c;
    ck_assert(cc->closed);
    ck_assert_int_eq(cc->handle_ms, 8420 * SEC);
    ck_assert(cc->complaint && cc->apology);
    ck_assert_int_eq(cc->promise, PROMISE_MISSED); /* promised in words: 12:10:20 */
    ck_assert(cc->promised_by != AUDIT_NONE);
    ck_assert(cc->surname_known && !cc->surname_used);
    ck_assert(!cc->greeting_present);
    ck_assert(!cc->goodbye);
}
END_TEST

START_TEST(basic_transcript_totals)
{
    feed_file("audit/basic.jsonl");
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    ck_assert_uint_eq(t->lines, 31);
    ck_assert_uint_eq(t->events, 31);
    ck_assert_uint_eq(t->bad_lines, 0);
    ck_assert_uint_eq(t->conversations, 3);
    ck_assert_uint_eq(t->closed, 2);
    ck_assert_uint_eq(t->open_at_end, 1);
    ck_assert_uint_eq(t->first_response.count, 3); /* 10 10 5 */
    ck_assert_int_eq(t->first_response.median, 10 * SEC);
    ck_assert_int_eq(t->first_response.max, 10 * SEC);
    ck_assert_uint_eq(t->next_response.count, 6); /* 5 5 10 10 20 45 */
    ck_assert_int_eq(t->next_response.median, 10 * SEC);
    ck_assert_int_eq(t->next_response.p90, 45 * SEC);
    ck_assert_int_eq(t->next_response.max, 45 * SEC);
    ck_assert_uint_eq(t->answered_within, 8);
    ck_assert_uint_eq(t->sl_counted, 10);
    ck_assert(audit_percent(t->answered_within, t->sl_counted) == 80.0);
    ck_assert_int_eq(t->waited_ms, 5400 * SEC);
    ck_assert_uint_eq(t->unanswered, 1);
    ck_assert_uint_eq(t->holds, 1);
    ck_assert_int_eq(t->longest_hold_ms, 70 * SEC);
    ck_assert_int_eq(t->handle_total_ms / (int64_t)t->closed, 4285 * SEC);
    ck_assert_uint_eq(t->greeted_convs, 3);
    ck_assert_uint_eq(t->greeting_present, 2);
    ck_assert_uint_eq(t->greeting_correct, 1);
    ck_assert_uint_eq(t->goodbyes, 1);
    ck_assert_uint_eq(t->closing_followed, 1);
    ck_assert_uint_eq(t->surname_known, 2);
    ck_assert_uint_eq(t->surname_used, 1);
    ck_assert_uint_eq(t->complaints, 2);
    ck_assert_uint_eq(t->apologies, 2);
    ck_assert_uint_eq(t->promised, 2);
    ck_assert_uint_eq(t->promises_met, 0);
    ck_assert_uint_eq(t->promises_missed, 1);
    ck_assert_uint_eq(t->promises_pending, 1);
    ck_assert_uint_eq(t->forbidden, 2);
    ck_assert_uint_eq(t->convs_with_forbidden, 1);
    ck_assert_uint_eq(t->per_rule[0], 1); /* 不知道 */
    ck_assert_uint_eq(t->per_rule[1], 1); /* 你 */
    ck_assert_double_eq(audit_percent(1, 0), -1.0);
}
END_TEST

START_TEST(empty_input)
{
    ck_assert_uint_eq(feed_file("audit/empty.jsonl"), 0);
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    ck_assert_uint_eq(t->lines, 0);
    ck_assert_uint_eq(t->conversations, 0);
    ck_assert_uint_eq(t->first_response.count, 0);
    ck_assert_int_eq(t->first_response.median, AUDIT_NONE);
    ck_assert_int_eq(t->longest_hold_ms, AUDIT_NONE);
    ck_assert_uint_eq(seen_count, 0);
}
END_TEST

START_TEST(only_bad_lines_are_counted_never_fatal)
{
    ck_assert_uint_eq(feed_file("audit/bad-only.jsonl"), 7);
    audit_count_bad(a); /* a line too long to read */
    feed("  ");         /* blank: neither an event nor bad */
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    ck_assert_uint_eq(t->lines, 8);
    ck_assert_uint_eq(t->bad_lines, 8);
    ck_assert_uint_eq(t->events, 0);
    ck_assert_uint_eq(t->conversations, 0);
}
END_TEST

START_TEST(bad_line_messages_name_the_problem)
{
    char err[256];
    const char *dup = "{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"x\",\"type\":\"close\","
                      "\"conv\":\"y\"}";
    ck_assert(!audit_feed_line(a, dup, strlen(dup), "t", 1, err, sizeof err));
    ck_assert_msg(strstr(err, "duplicate") != NULL, "%s", err);
    const char *state = "{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"x\",\"type\":\"state\","
                        "\"state\":\"nope\"}";
    ck_assert(!audit_feed_line(a, state, strlen(state), "t", 2, err, sizeof err));
    ck_assert_msg(strstr(err, "unknown state") != NULL, "%s", err);
    const char *num = "{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"x\",\"type\":\"message\","
                      "\"from\":\"agent\",\"text\":5}";
    ck_assert(!audit_feed_line(a, num, strlen(num), "t", 3, err, sizeof err));
}
END_TEST

START_TEST(records_off_the_fast_path_still_count)
{
    /* escapes, nulls, numbers, unknown and nested fields: all valid records */
    feed("{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"x\",\"type\":\"open\",\"n\":1.5e3,"
         "\"ok\":true,\"line\":null,\"meta\":{\"a\":[1,2]}}");
    feed("{\"ts\":\"2026-11-23T10:00:01+08:00\",\"conv\":\"x\",\"type\":\"message\","
         "\"from\":\"customer\",\"text\":\"\\u4f60\\\"\\n\"}");
    feed("{\"ts\":\"2026-11-23T10:00:03+08:00\",\"conv\":\"x\",\"type\":\"message\","
         "\"from\":\"agent\",\"text\":\"\\u4e0d\\u77e5\\u9053 \\ud83d\\ude00\"}");
    feed("{\"ts\":\"2026-11-23T10:00:04+08:00\",\"conv\":\"x\",\"type\":\"lookup\","
         "\"kind\":\"order\",\"fields\":{\"status\":\"shipped\"}}");
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    ck_assert_uint_eq(t->events, 4);
    ck_assert_uint_eq(t->bad_lines, 0);
    ck_assert_uint_eq(t->forbidden, 1); /* 不知道, decoded from escapes */
    ck_assert_int_eq(seen[0].c.first_response_ms, 2 * SEC);
}
END_TEST

START_TEST(target_changes_the_service_level_window)
{
    audit_free(a);
    audit_options o = {.answer_within_ms = 15 * SEC, .target_percent = 85};
    start(&o);
    feed_file("audit/basic.jsonl");
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    /* answers: a 10 20 45 5 5, b 10 10, c 5 10; plus b's unanswered wait */
    ck_assert_uint_eq(t->answered_within, 7);
    ck_assert_uint_eq(t->sl_counted, 10);
    ck_assert_int_eq(t->answer_within_ms, 15 * SEC);
    ck_assert(t->target_percent == 85);
}
END_TEST

START_TEST(idle_conversations_end_unclosed)
{
    audit_free(a);
    audit_options o = {.idle_ms = 3600 * SEC};
    start(&o);
    feed("{\"ts\":\"2026-11-23T08:00:00+08:00\",\"conv\":\"q\",\"type\":\"open\"}");
    feed("{\"ts\":\"2026-11-23T08:00:05+08:00\",\"conv\":\"q\",\"type\":\"message\","
         "\"from\":\"customer\",\"text\":\"在吗\"}");
    feed("{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"r\",\"type\":\"open\"}");
    ck_assert_uint_eq(seen_count, 1); /* q ended when r arrived two hours later */
    ck_assert_str_eq(seen[0].c.id, "q");
    ck_assert(!seen[0].c.closed);
    ck_assert_uint_eq(seen[0].c.unanswered, 1);
    ck_assert_int_eq(seen[0].c.ended_at - seen[0].c.opened_at, 5 * SEC);
    /* the same id later is a new conversation */
    feed("{\"ts\":\"2026-11-23T10:00:01+08:00\",\"conv\":\"q\",\"type\":\"open\"}");
    feed("{\"ts\":\"2026-11-23T10:00:09+08:00\",\"conv\":\"q\",\"type\":\"close\"}");
    ck_assert_uint_eq(seen_count, 2);
    ck_assert(seen[1].c.closed);
    ck_assert_int_eq(seen[1].c.handle_ms, 8 * SEC);
    audit_finish(a);
    ck_assert_uint_eq(audit_get_totals(a)->open_at_end, 2);
}
END_TEST

START_TEST(reused_id_after_close_is_a_new_conversation)
{
    feed("{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"z\",\"type\":\"open\"}");
    feed("{\"ts\":\"2026-11-23T10:00:01+08:00\",\"conv\":\"z\",\"type\":\"message\","
         "\"from\":\"customer\",\"text\":\"我要投诉\"}");
    feed("{\"ts\":\"2026-11-23T10:00:02+08:00\",\"conv\":\"z\",\"type\":\"close\"}");
    feed("{\"ts\":\"2026-11-23T11:00:00+08:00\",\"conv\":\"z\",\"type\":\"open\"}");
    feed("{\"ts\":\"2026-11-23T11:00:02+08:00\",\"conv\":\"z\",\"type\":\"close\"}");
    ck_assert_uint_eq(seen_count, 2);
    ck_assert(seen[0].c.complaint);
    ck_assert(!seen[1].c.complaint); /* nothing carried over */
    ck_assert_uint_eq(seen[1].c.unanswered, 0);
}
END_TEST

START_TEST(thousands_of_conversations_across_engine_generations)
{
    char line[256];
    /* one conversation stays open on hold while 10000 others come and go */
    feed("{\"ts\":\"2026-11-23T09:00:00+08:00\",\"conv\":\"long\",\"type\":\"open\"}");
    feed("{\"ts\":\"2026-11-23T09:00:01+08:00\",\"conv\":\"long\",\"type\":\"key\",\"key\":"
         "\"hold\"}");
    for (int i = 0; i < 10000; i++) {
        int s = i % 3000;
        snprintf(line, sizeof line,
                 "{\"ts\":\"2026-11-23T10:%02d:%02d+08:00\",\"conv\":\"k%d\",\"type\":\"open\"}",
                 s / 60, s % 60, i);
        feed(line);
        snprintf(line, sizeof line,
                 "{\"ts\":\"2026-11-23T10:%02d:%02d+08:00\",\"conv\":\"k%d\",\"type\":\"message\","
                 "\"from\":\"customer\",\"text\":\"hi\"}",
                 s / 60, s % 60, i);
        feed(line);
        snprintf(line, sizeof line,
                 "{\"ts\":\"2026-11-23T10:%02d:%02d+08:00\",\"conv\":\"k%d\",\"type\":\"close\"}",
                 s / 60, s % 60, i);
        feed(line);
    }
    feed("{\"ts\":\"2026-11-23T11:00:00+08:00\",\"conv\":\"long\",\"type\":\"key\",\"key\":"
         "\"hold\"}");
    feed("{\"ts\":\"2026-11-23T11:00:01+08:00\",\"conv\":\"long\",\"type\":\"close\"}");
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    ck_assert_uint_eq(t->conversations, 10001);
    ck_assert_uint_eq(t->closed, 10001);
    ck_assert_uint_eq(t->unanswered, 10000);
    ck_assert_uint_eq(t->holds, 1);
    ck_assert_int_eq(t->longest_hold_ms, (2 * 3600 - 1) * SEC);
}
END_TEST

START_TEST(long_waits_are_within_a_twentieth_of_a_percent)
{
    char line[256];
    for (int i = 0; i < 10; i++) {
        int wait = 100 + i * 37; /* 100 s .. 433 s */
        snprintf(line, sizeof line,
                 "{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"w%d\",\"type\":\"message\","
                 "\"from\":\"customer\",\"text\":\"?\"}",
                 i);
        feed(line);
        snprintf(line, sizeof line,
                 "{\"ts\":\"2026-11-23T10:%02d:%02d+08:00\",\"conv\":\"w%d\",\"type\":\"message\","
                 "\"from\":\"agent\",\"text\":\"ok\"}",
                 wait / 60, wait % 60, i);
        feed(line);
    }
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    ck_assert_int_eq(t->first_response.max, 433 * SEC);       /* the maximum is exact */
    int64_t median = 100 * SEC + 4 * 37 * SEC + 37 * SEC / 2; /* mean of the 5th and 6th */
    int64_t p90 = 100 * SEC + 8 * 37 * SEC;                   /* 9th of 10 */
    ck_assert(llabs(t->first_response.median - median) * 2000 <= median);
    ck_assert(llabs(t->first_response.p90 - p90) * 2000 <= p90);
}
END_TEST

START_TEST(mangled_lines_are_counted_one_way_or_the_other)
{
    size_t len;
    char *text = unit_read("audit/basic.jsonl", &len);
    uint32_t seed = 7;
    unsigned long fed = 0;
    char line[1024];
    for (int round = 0; round < 3000; round++) {
        /* a random line of the fixture with a few bytes changed, cut or doubled */
        size_t start = 0, n = 0;
        unsigned pick = (seed = seed * 1664525u + 1013904223u) >> 8;
        unsigned want = pick % 31, seen_lines = 0;
        for (size_t i = 0; i < len; i++)
            if (text[i] == '\n') {
                if (seen_lines++ == want) {
                    n = i - start;
                    break;
                }
                start = i + 1;
            }
        memcpy(line, text + start, n);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1664525u + 1013904223u;
            size_t at = (seed >> 8) % (n ? n : 1);
            line[at] = (char)(seed >> 3);
        }
        if (pick & 1)
            n = n * ((seed >> 12) % 100) / 100;
        char err[256];
        audit_feed_line(a, line, n, "fuzz", (unsigned long)round, err, sizeof err);
        fed++;
    }
    free(text);
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    ck_assert_uint_le(t->lines, fed);
    ck_assert_uint_eq(t->events + t->bad_lines, t->lines);
    ck_assert_uint_eq(t->closed + t->open_at_end, t->conversations);
}
END_TEST

START_TEST(hold_entered_by_state_events)
{
    feed("{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"h\",\"type\":\"open\"}");
    feed("{\"ts\":\"2026-11-23T10:00:10+08:00\",\"conv\":\"h\",\"type\":\"state\","
         "\"state\":\"hold\"}");
    feed("{\"ts\":\"2026-11-23T10:00:30+08:00\",\"conv\":\"h\",\"type\":\"message\","
         "\"from\":\"agent\",\"text\":\"正在查证中,麻烦您再稍等片刻\"}");
    feed("{\"ts\":\"2026-11-23T10:00:50+08:00\",\"conv\":\"h\",\"type\":\"state\","
         "\"state\":\"inquiry\"}");
    feed("{\"ts\":\"2026-11-23T10:01:00+08:00\",\"conv\":\"h\",\"type\":\"state\","
         "\"state\":\"hold\"}");
    feed("{\"ts\":\"2026-11-23T10:01:40+08:00\",\"conv\":\"h\",\"type\":\"close\"}");
    ck_assert_uint_eq(seen_count, 1);
    const audit_conv *c = &seen[0].c;
    ck_assert_uint_eq(c->holds, 2);
    ck_assert_int_eq(c->longest_hold_ms, 40 * SEC); /* the second, ended by the close */
    ck_assert_uint_eq(c->checkins, 1);
    ck_assert_uint_eq(c->late_checkins, 1); /* 40 s without a word in the second */
    ck_assert_uint_eq(c->holds_ok, 1);
}
END_TEST

/* Bug: 24 h of quiet split one conversation in two, a phantom closed conversation with handle
 * 0 s entered the AHT, and the promise showed pending though its time had long passed. */
START_TEST(quiet_day_does_not_split_a_conversation)
{
    feed("{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"p\",\"type\":\"open\"}");
    feed("{\"ts\":\"2026-11-23T10:00:05+08:00\",\"conv\":\"p\",\"type\":\"message\","
         "\"from\":\"customer\",\"text\":\"我要投诉\"}");
    feed("{\"ts\":\"2026-11-23T10:00:06+08:00\",\"conv\":\"p\",\"type\":\"key\","
         "\"key\":\"complaint\"}");
    feed("{\"ts\":\"2026-11-23T10:00:10+08:00\",\"conv\":\"p\",\"type\":\"message\","
         "\"from\":\"agent\",\"text\":\"很抱歉,我们会在2小时内给您答复\"}");
    /* another conversation a day and a half later ends p by quiet, then p's close arrives */
    feed("{\"ts\":\"2026-11-24T22:00:00+08:00\",\"conv\":\"o\",\"type\":\"open\"}");
    feed("{\"ts\":\"2026-11-24T22:00:01+08:00\",\"conv\":\"p\",\"type\":\"close\"}");
    feed("{\"ts\":\"2026-11-24T22:00:09+08:00\",\"conv\":\"o\",\"type\":\"close\"}");
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    ck_assert_uint_eq(t->conversations, 2); /* p and o, no phantom p */
    ck_assert_uint_eq(t->closed, 1);
    ck_assert_int_eq(t->handle_total_ms, 9 * SEC); /* o alone */
    ck_assert_uint_eq(t->after_idle, 1);
    const audit_conv *p = &find("p")->c;
    ck_assert(!p->closed);
    ck_assert_int_eq(p->promise, PROMISE_MISSED); /* 2 h passed long before the quiet ended */
    ck_assert_uint_eq(t->promises_missed, 1);
    ck_assert_uint_eq(t->promises_pending, 0);
}
END_TEST

/* Bug: the return line said just before un-hold counted as a hold check-in. */
START_TEST(return_line_is_no_checkin)
{
    feed("{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"h\",\"type\":\"open\"}");
    feed("{\"ts\":\"2026-11-23T10:00:10+08:00\",\"conv\":\"h\",\"type\":\"key\",\"key\":\"hold\"}");
    feed("{\"ts\":\"2026-11-23T10:00:30+08:00\",\"conv\":\"h\",\"type\":\"message\","
         "\"from\":\"agent\",\"text\":\"很抱歉,您的问题正在查证中,麻烦您再稍等片刻\"}");
    feed("{\"ts\":\"2026-11-23T10:00:50+08:00\",\"conv\":\"h\",\"type\":\"message\","
         "\"from\":\"agent\",\"text\":\"谢谢您的等候。很抱歉,让您久等了!\"}");
    feed("{\"ts\":\"2026-11-23T10:00:51+08:00\",\"conv\":\"h\",\"type\":\"key\",\"key\":\"hold\"}");
    /* a second hold ended by the return line given by its line id */
    feed("{\"ts\":\"2026-11-23T10:01:00+08:00\",\"conv\":\"h\",\"type\":\"key\",\"key\":\"hold\"}");
    feed("{\"ts\":\"2026-11-23T10:01:10+08:00\",\"conv\":\"h\",\"type\":\"message\","
         "\"from\":\"agent\",\"text\":\"好了\",\"line\":\"hold.return\"}");
    feed("{\"ts\":\"2026-11-23T10:01:11+08:00\",\"conv\":\"h\",\"type\":\"key\",\"key\":\"hold\"}");
    feed("{\"ts\":\"2026-11-23T10:01:20+08:00\",\"conv\":\"h\",\"type\":\"close\"}");
    const audit_conv *c = &find("h")->c;
    ck_assert_uint_eq(c->holds, 2);
    ck_assert_uint_eq(c->checkins, 1);
    ck_assert_uint_eq(c->holds_ok, 2);
}
END_TEST

/* The usual median of an even count: the mean of the two middle values. */
START_TEST(median_of_an_even_count_is_the_mean_of_the_middle_two)
{
    static const char *const waits[] = {"05.000", "10.000", "30.000", "30.500"};
    char line[256];
    for (int i = 0; i < 4; i++) {
        snprintf(line, sizeof line,
                 "{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"m%d\",\"type\":\"message\","
                 "\"from\":\"customer\",\"text\":\"?\"}",
                 i);
        feed(line);
        snprintf(line, sizeof line,
                 "{\"ts\":\"2026-11-23T10:00:%s+08:00\",\"conv\":\"m%d\",\"type\":\"message\","
                 "\"from\":\"agent\",\"text\":\"ok\"}",
                 waits[i], i);
        feed(line);
    }
    audit_finish(a);
    ck_assert_int_eq(audit_get_totals(a)->first_response.median, 20 * SEC);
}
END_TEST

/* The agent comes from the open record; --agent and --since/--until choose conversations. */
START_TEST(agent_and_period_select_conversations)
{
    audit_free(a);
    audit_options o = {.agent = "1024",
                       .has_since = true,
                       .since_ms = 1795399200000LL /* 2026-11-23T10:00:00+08:00 */};
    start(&o);
    feed("{\"ts\":\"2026-11-23T09:00:00+08:00\",\"conv\":\"early\",\"type\":\"open\","
         "\"agent\":\"1024\",\"agent_name\":\"张三\"}");
    feed("{\"ts\":\"2026-11-23T09:00:09+08:00\",\"conv\":\"early\",\"type\":\"close\"}");
    feed("{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"mine\",\"type\":\"open\","
         "\"agent\":\"1024\",\"agent_name\":\"张三\"}");
    feed("{\"ts\":\"2026-11-23T10:00:01+08:00\",\"conv\":\"mine\",\"type\":\"message\","
         "\"from\":\"agent\",\"text\":\"你好\"}");
    feed("{\"ts\":\"2026-11-23T10:00:05+08:00\",\"conv\":\"theirs\",\"type\":\"open\","
         "\"agent\":\"2048\"}");
    feed("{\"ts\":\"2026-11-23T10:00:06+08:00\",\"conv\":\"theirs\",\"type\":\"message\","
         "\"from\":\"agent\",\"text\":\"你好\"}");
    feed("{\"ts\":\"2026-11-23T10:00:09+08:00\",\"conv\":\"mine\",\"type\":\"close\"}");
    feed("{\"ts\":\"2026-11-23T10:00:10+08:00\",\"conv\":\"theirs\",\"type\":\"close\"}");
    audit_finish(a);
    ck_assert_uint_eq(seen_count, 1);
    ck_assert_str_eq(seen[0].c.id, "mine");
    ck_assert_str_eq(seen[0].c.agent, "1024");
    ck_assert_str_eq(seen[0].c.agent_name, "张三");
    ck_assert(seen[0].c.polite_checked && !seen[0].c.polite); /* 你好 */
    const audit_totals *t = audit_get_totals(a);
    ck_assert_uint_eq(t->conversations, 1);
    ck_assert_uint_eq(t->filtered, 2);
    ck_assert_uint_eq(t->forbidden, 1); /* theirs' 你 is not counted */
    ck_assert_uint_eq(t->per_rule[1], 1);
    ck_assert_uint_eq(t->polite_checked, 1);
    ck_assert_uint_eq(t->polite, 0);
    ck_assert_int_eq(t->first_opened, 1795399200000LL);
}
END_TEST

static Suite *audit_suite(void)
{
    Suite *s = suite_create("audit");
    TCase *tc = tcase_create("figures");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, basic_transcript_per_conversation);
    tcase_add_test(tc, basic_transcript_holds_complaints_and_open_at_end);
    tcase_add_test(tc, basic_transcript_totals);
    tcase_add_test(tc, empty_input);
    tcase_add_test(tc, only_bad_lines_are_counted_never_fatal);
    tcase_add_test(tc, bad_line_messages_name_the_problem);
    tcase_add_test(tc, records_off_the_fast_path_still_count);
    tcase_add_test(tc, target_changes_the_service_level_window);
    tcase_add_test(tc, idle_conversations_end_unclosed);
    tcase_add_test(tc, reused_id_after_close_is_a_new_conversation);
    tcase_add_test(tc, thousands_of_conversations_across_engine_generations);
    tcase_add_test(tc, long_waits_are_within_a_twentieth_of_a_percent);
    tcase_add_test(tc, mangled_lines_are_counted_one_way_or_the_other);
    tcase_add_test(tc, hold_entered_by_state_events);
    tcase_add_test(tc, quiet_day_does_not_split_a_conversation);
    tcase_add_test(tc, return_line_is_no_checkin);
    tcase_add_test(tc, median_of_an_even_count_is_the_mean_of_the_middle_two);
    tcase_add_test(tc, agent_and_period_select_conversations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(audit_suite());
}
