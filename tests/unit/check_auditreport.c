#include <jansson.h>
#include <string.h>

#include "core/auditreport.h"
#include "unit.h"

static playbook *pb;
static lint *l;

static void setup(void)
{
    pb = unit_playbook();
    l = lint_new(pb);
    ck_assert_ptr_nonnull(l);
}

static void teardown(void)
{
    lint_free(l);
    playbook_free(pb);
}

/* Two agents over two days: 1024 answers fast and politely, 2048 slowly and with 你. */
static const char *const shift[] = {
    "{\"ts\":\"2026-11-23T10:00:00+08:00\",\"conv\":\"a1\",\"type\":\"open\",\"agent\":\"1024\","
    "\"agent_name\":\"张三\"}",
    "{\"ts\":\"2026-11-23T10:00:01+08:00\",\"conv\":\"a1\",\"type\":\"message\",\"from\":"
    "\"customer\",\"text\":\"<b>在吗</b>\\u001b[31m\"}",
    "{\"ts\":\"2026-11-23T10:00:04+08:00\",\"conv\":\"a1\",\"type\":\"message\",\"from\":\"agent\","
    "\"text\":\"您好,很高兴为您服务\"}",
    "{\"ts\":\"2026-11-23T10:01:00+08:00\",\"conv\":\"a1\",\"type\":\"close\"}",
    "{\"ts\":\"2026-11-23T11:00:00+08:00\",\"conv\":\"b1\",\"type\":\"open\",\"agent\":\"2048\"}",
    "{\"ts\":\"2026-11-23T11:00:01+08:00\",\"conv\":\"b1\",\"type\":\"message\",\"from\":"
    "\"customer\",\"text\":\"=HYPERLINK(1)\"}",
    "{\"ts\":\"2026-11-23T11:00:51+08:00\",\"conv\":\"b1\",\"type\":\"message\",\"from\":\"agent\","
    "\"text\":\"你好,我不知道 <script>x</script>\"}",
    "{\"ts\":\"2026-11-23T11:02:00+08:00\",\"conv\":\"b1\",\"type\":\"close\"}",
    "{\"ts\":\"2026-11-24T10:00:00+08:00\",\"conv\":\"a2\",\"type\":\"open\",\"agent\":\"1024\","
    "\"agent_name\":\"张三\"}",
    "{\"ts\":\"2026-11-24T10:00:01+08:00\",\"conv\":\"a2\",\"type\":\"message\",\"from\":"
    "\"customer\",\"text\":\"在吗\"}",
    "{\"ts\":\"2026-11-24T10:00:13+08:00\",\"conv\":\"a2\",\"type\":\"message\",\"from\":\"agent\","
    "\"text\":\"您好\"}",
    "{\"ts\":\"2026-11-24T10:02:00+08:00\",\"conv\":\"a2\",\"type\":\"close\"}",
    "{\"ts\":\"2026-11-24T10:05:00+08:00\",\"conv\":\"=b2\",\"type\":\"open\",\"agent\":\"2048\"}",
    "{\"ts\":\"2026-11-24T10:05:01+08:00\",\"conv\":\"=b2\",\"type\":\"message\",\"from\":"
    "\"customer\",\"text\":\"在吗\"}",
    "{\"ts\":\"2026-11-24T10:05:21+08:00\",\"conv\":\"=b2\",\"type\":\"message\",\"from\":"
    "\"agent\",\"text\":\"您好\"}",
    "{\"ts\":\"2026-11-24T10:06:00+08:00\",\"conv\":\"=b2\",\"type\":\"close\"}",
};

typedef struct ctx {
    auditreport *r;
    buf out;
} ctx;

static void on_conv(void *p, const audit_conv *c)
{
    ctx *x = p;
    auditreport_conversation(x->r, c, &x->out);
}

/* Runs the shift through an audit into a report of the given options; returns the text. */
static char *render(auditreport_options o)
{
    audit_options ao = {.target_percent = 80, .keep_excerpt = 8};
    audit *a = audit_new(pb, l, &ao);
    ck_assert_ptr_nonnull(a);
    o.audit = ao;
    o.audit.answer_within_ms = audit_get_totals(a)->answer_within_ms;
    o.audit.checkin_ms = 25000;
    o.playbook = "mini";
    o.source = "mini.yaml";
    ctx x = {.r = auditreport_new(l, &o)};
    ck_assert_ptr_nonnull(x.r);
    buf_init(&x.out);
    audit_set_reporter(a, on_conv, &x);
    auditreport_begin(x.r, &x.out);
    for (size_t i = 0; i < sizeof shift / sizeof shift[0]; i++) {
        char err[256];
        ck_assert_msg(
            audit_feed_line(a, shift[i], strlen(shift[i]), "shift.jsonl", i + 1, err, sizeof err),
            "%s", err);
    }
    audit_finish(a);
    auditreport_finish(x.r, audit_get_totals(a), &x.out);
    ck_assert(!auditreport_failed(x.r));
    auditreport_free(x.r);
    audit_free(a);
    return buf_take(&x.out);
}

static json_t *render_json(unsigned by)
{
    char *s = render((auditreport_options){.format = AUDIT_FORMAT_JSON, .by = by, .worst = 3});
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    ck_assert_msg(j != NULL, "%s at %d: %s", e.text, e.position, s);
    free(s);
    return j;
}

START_TEST(by_words_combine)
{
    unsigned by;
    ck_assert(audit_parse_by("agent,day", &by));
    ck_assert_uint_eq(by, AUDIT_BY_AGENT | AUDIT_BY_DAY);
    ck_assert(audit_parse_by("hour", &by) && by == AUDIT_BY_HOUR);
    ck_assert(audit_parse_by("week,agent", &by) && by == (AUDIT_BY_WEEK | AUDIT_BY_AGENT));
    ck_assert(!audit_parse_by("agent,", &by));
    ck_assert(!audit_parse_by("month", &by));
}
END_TEST

START_TEST(json_groups_per_agent_and_day)
{
    json_t *j = render_json(AUDIT_BY_AGENT | AUDIT_BY_DAY);
    json_t *groups = json_object_get(j, "groups");
    ck_assert_uint_eq(json_array_size(groups), 4);
    json_t *g0 = json_array_get(groups, 0);
    ck_assert_str_eq(json_string_value(json_object_get(g0, "label")), "1024 张三 · 2026-11-23");
    ck_assert_str_eq(json_string_value(json_object_get(g0, "agent_name")), "张三");
    ck_assert_str_eq(json_string_value(json_object_get(g0, "day")), "2026-11-23");
    ck_assert(json_real_value(json_object_get(g0, "service_level")) == 100.0);
    json_t *agents = json_object_get(j, "agents");
    ck_assert_uint_eq(json_array_size(agents), 2);
    json_t *a2048 = json_array_get(agents, 1);
    ck_assert_str_eq(json_string_value(json_object_get(a2048, "agent")), "2048");
    ck_assert(json_real_value(json_object_get(a2048, "service_level")) == 50.0); /* 50 s, 20 s */
    ck_assert(json_real_value(json_object_get(a2048, "polite")) == 50.0);
    /* FRT median of 2048: 50 s and 20 s, the usual median 35 s */
    json_t *frt = json_object_get(a2048, "first_response");
    ck_assert(json_real_value(json_object_get(frt, "median_s")) == 35.0);
    json_t *phrases = json_object_get(a2048, "phrases");
    ck_assert_uint_eq(json_array_size(phrases), 2);
    json_t *p0 = json_array_get(phrases, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(p0, "line")), 7);
    json_t *header = json_object_get(j, "header");
    ck_assert_str_eq(json_string_value(json_object_get(header, "playbook")), "mini");
    ck_assert_str_eq(json_string_value(json_object_get(header, "from")),
                     "2026-11-23T10:00:00.000+08:00");
    json_decref(j);
}
END_TEST

START_TEST(json_charts_and_worst_list)
{
    json_t *j = render_json(0);
    json_t *charts = json_object_get(j, "charts");
    json_t *hist = json_object_get(charts, "frt_histogram");
    json_int_t sum = 0;
    for (size_t i = 0; i < json_array_size(hist); i++)
        sum += json_integer_value(json_object_get(json_array_get(hist, i), "count"));
    ck_assert_int_eq(sum, 4);
    /* 3 s in 0-5, 12 s in 10-15, 20 s in 20-30, 50 s in 45-60 */
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(hist, 0), "count")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(hist, 6), "count")), 1);
    json_t *days = json_object_get(charts, "sl_by_day");
    ck_assert_uint_eq(json_array_size(days), 2);
    ck_assert(json_real_value(json_object_get(json_array_get(days, 0), "service_level")) == 50.0);
    json_t *worst = json_object_get(j, "worst");
    ck_assert_uint_eq(json_array_size(worst), 1); /* only b1 broke a rule or waited too long */
    json_t *w = json_array_get(worst, 0);
    ck_assert_str_eq(json_string_value(json_object_get(w, "conv")), "b1");
    ck_assert_int_eq(json_integer_value(json_object_get(w, "line")), 5);
    ck_assert_uint_eq(json_array_size(json_object_get(w, "excerpt")), 2);
    ck_assert_ptr_null(json_object_get(j, "groups"));
    json_decref(j);
}
END_TEST

/* Counts the fields of a CSV line (quotes respected). */
static int csv_fields(const char *line, size_t len)
{
    int n = 1;
    bool quoted = false;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (line[i] == ',' && !quoted)
            n++;
    }
    return n;
}

/* Bug: the TOTAL row put "N conversations" in status and "0 met/0 missed" in promise, had no
 * SL% column, and wrote both "n/a" and "no" as 0. */
START_TEST(csv_rows_keep_their_columns)
{
    char *s = render((auditreport_options){.format = AUDIT_FORMAT_CSV});
    int header = -1, rows = 0;
    for (char *p = s; *p;) {
        char *nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        int n = csv_fields(p, (size_t)(nl - p));
        if (header < 0)
            header = n;
        ck_assert_int_eq(n, header);
        rows++;
        p = nl + 1;
    }
    ck_assert_int_eq(rows, 6);
    ck_assert_int_eq(header, 35);
    ck_assert_ptr_nonnull(strstr(s, ",sl_percent,"));
    /* a1: agent spoke, no goodbye: closing_asked empty (n/a), surname unknown: used empty */
    ck_assert_ptr_nonnull(strstr(s, "\na1,shift.jsonl,1,1024,张三,"));
    ck_assert_ptr_nonnull(strstr(s, ",1,1,1,0,,0,,0,,none,0,0,0\n"));
    /* an id starting with = is not a formula */
    ck_assert_ptr_nonnull(strstr(s, "\n\"'=b2\",shift.jsonl,"));
    /* TOTAL: status and promise empty, counts where the flags are, SL% */
    ck_assert_ptr_nonnull(strstr(s, "\nTOTAL,,,,,,,4,"));
    ck_assert_ptr_nonnull(strstr(s, ",3,4,75.00,"));
    free(s);
}
END_TEST

START_TEST(csv_grouped_has_a_row_per_group)
{
    char *s = render((auditreport_options){.format = AUDIT_FORMAT_CSV, .by = AUDIT_BY_AGENT});
    ck_assert_ptr_nonnull(strstr(s, "\n1024 张三,,,1024,张三,,,2,"));
    ck_assert_ptr_nonnull(strstr(s, "\n2048,,,2048,,,,2,"));
    ck_assert_ptr_null(strstr(s, "\na1,"));
    free(s);
}
END_TEST

START_TEST(text_has_header_bars_and_worst_list)
{
    char *s = render((auditreport_options){
        .format = AUDIT_FORMAT_TEXT, .by = AUDIT_BY_AGENT, .worst = 5, .width = 80});
    ck_assert_ptr_nonnull(strstr(s, "  playbook         mini (mini.yaml)\n"));
    ck_assert_ptr_nonnull(strstr(s, "  period           2026-11-23 10:00 to 2026-11-24 10:05 "
                                    "(UTC+08:00) (conversations opened)\n"));
    ck_assert_ptr_nonnull(strstr(s, "service level 80% within 30s; hold check-in every 25s"));
    ck_assert_ptr_nonnull(strstr(s, "Service level by day (answered within 30s, target 80%)"));
    ck_assert_ptr_nonnull(strstr(s, "  ▄█  2026-11-23 .. 2026-11-24\n")); /* 50 %, 100 % */
    ck_assert_ptr_nonnull(strstr(s, "  45-60s    "));
    ck_assert_ptr_nonnull(strstr(s, "Listen to these first"));
    ck_assert_ptr_nonnull(strstr(s, "   1. shift.jsonl:5 b1 agent 2048: 4 breaches"));
    ck_assert_ptr_nonnull(strstr(s, "      1 x 不知道  e.g. shift.jsonl:7:5 "));
    ck_assert_ptr_null(strchr(s, '\033')); /* customer text is sanitised */
    free(s);
}
END_TEST

START_TEST(html_is_self_contained_and_escaped)
{
    char *s = render((auditreport_options){.format = AUDIT_FORMAT_HTML, .worst = 5});
    ck_assert_ptr_nonnull(strstr(s, "<!DOCTYPE html>"));
    ck_assert_ptr_null(strstr(s, "<script"));
    ck_assert_ptr_null(strstr(s, "http"));
    ck_assert_ptr_null(strchr(s, '\033'));
    ck_assert_ptr_nonnull(strstr(s, "&lt;script&gt;x&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(s, "data-day=\"2026-11-23\" data-sl=\"50.00\""));
    ck_assert_ptr_nonnull(strstr(s, "data-hour=\"10\" data-sl=\"100.00\""));
    ck_assert_ptr_nonnull(strstr(s, "class=\"target\" data-target=\"80.00\""));
    ck_assert_ptr_nonnull(strstr(s, "data-from=\"45\" data-count=\"1\""));
    ck_assert_ptr_nonnull(strstr(s, "<tr class=\"agent\" data-label=\"1024 张三\">"));
    ck_assert_ptr_nonnull(strstr(s, "</html>\n"));
    free(s);
}
END_TEST

static Suite *auditreport_suite(void)
{
    Suite *s = suite_create("auditreport");
    TCase *tc = tcase_create("report");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, by_words_combine);
    tcase_add_test(tc, json_groups_per_agent_and_day);
    tcase_add_test(tc, json_charts_and_worst_list);
    tcase_add_test(tc, csv_rows_keep_their_columns);
    tcase_add_test(tc, csv_grouped_has_a_row_per_group);
    tcase_add_test(tc, text_has_header_bars_and_worst_list);
    tcase_add_test(tc, html_is_self_contained_and_escaped);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(auditreport_suite());
}
