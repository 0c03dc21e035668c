/* huashu audit: service KPIs and rule compliance over event logs, per conversation and in
 * total, as a readable report, JSON or CSV; --fail-under gates on them. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "core/audit.h"
#include "core/civil.h"
#include "core/text.h"
#include "net/linereader.h"
#include "net/paths.h"

extern char **environ;

#define MAX_GATES       16
#define BAD_LINES_SHOWN 100

typedef enum report_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV } report_format;

typedef struct gate {
    const char *key;
    double min;
} gate;

typedef struct audit_args {
    const char *playbook;
    report_format format;
    bool summary;
    audit_options opt;
    gate gates[MAX_GATES];
    int gate_count;
    char **files;
    int file_count;
} audit_args;

typedef struct report {
    const audit_args *args;
    const lint *lint;
    buf out;
    unsigned long rows;
    unsigned long bad_shown;
} report;

enum { OPT_PLAYBOOK, OPT_FORMAT, OPT_SUMMARY, OPT_TARGET, OPT_FAIL_UNDER };

static const cli_option audit_command_options[] = {
    {"--playbook", "NAME|FILE", "the playbook (default: the config's, else the locale's)",
     OPT_PLAYBOOK, NULL},
    {"--format", "text|json|csv", "the output format (default: text)", OPT_FORMAT, NULL},
    {"--summary", NULL, "only the totals, no row per conversation", OPT_SUMMARY, NULL},
    {"--target", "X/Y", "service level target: X% answered within Y seconds", OPT_TARGET, NULL},
    {"--fail-under", "KEY=VALUE", "exit 1 when a percentage is below VALUE", OPT_FAIL_UNDER, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static const cli_option *const audit_tables[] = {audit_command_options, NULL};

static const cli_spec audit_spec = {
    "huashu audit",
    "huashu audit [--playbook NAME|FILE] [--format text|json|csv] [--summary]\n"
    "                    [--target X/Y] [--fail-under KEY=VALUE]... [FILE...|-]",
    "KPIs and rule compliance over event logs (JSON Lines, .gz accepted).\n"
    "--target 85/15: service level target, X% answered within Y seconds (default Y:\n"
    "  the playbook's response_limit, 30 s).\n"
    "--fail-under KEY=VALUE: exit 1 when a percentage is below VALUE; KEY is one of\n"
    "  service_level greeting closing surname apology promise_met hold_checkin clean",
    audit_tables,
};

static const char *const gate_keys[] = {"service_level", "greeting", "closing",
                                        "surname",       "apology",  "promise_met",
                                        "hold_checkin",  "clean",    NULL};

/* --fail-under KEY=VALUE: a known key and a percentage. */
static bool parse_gate(audit_args *a, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || a->gate_count == MAX_GATES)
        return false;
    for (int i = 0; gate_keys[i]; i++) {
        if (strlen(gate_keys[i]) == (size_t)(eq - spec) &&
            !strncmp(spec, gate_keys[i], eq - spec)) {
            char *end;
            double v = strtod(eq + 1, &end);
            if (end == eq + 1 || *end || v < 0 || v > 100)
                return false;
            a->gates[a->gate_count++] = (gate){gate_keys[i], v};
            return true;
        }
    }
    return false;
}

/* --target X/Y: X percent within Y seconds. */
static bool parse_target(audit_args *a, const char *spec)
{
    char *end;
    double x = strtod(spec, &end);
    if (end == spec || *end != '/' || x <= 0 || x > 100)
        return false;
    const char *ys = end + 1;
    double y = strtod(ys, &end);
    if (end == ys || *end || y <= 0 || y > 86400)
        return false;
    a->opt.target_percent = x;
    a->opt.answer_within_ms = (int64_t)(y * 1000.0 + 0.5);
    return true;
}

static bool parse_format(audit_args *a, const char *f)
{
    if (!strcmp(f, "text"))
        a->format = FORMAT_TEXT;
    else if (!strcmp(f, "json"))
        a->format = FORMAT_JSON;
    else if (!strcmp(f, "csv"))
        a->format = FORMAT_CSV;
    else
        return false;
    return true;
}

/* The cli_take_fn of huashu audit; the files are gathered at the front of argv. */
static bool take_option(void *ctx, int id, const char *name, const char *value)
{
    audit_args *a = ctx;
    (void)name;
    switch (id) {
    case OPT_PLAYBOOK:
        a->playbook = value;
        return true;
    case OPT_FORMAT:
        return parse_format(a, value);
    case OPT_TARGET:
        return parse_target(a, value);
    case OPT_FAIL_UNDER:
        return parse_gate(a, value);
    case OPT_SUMMARY:
        a->summary = true;
        return true;
    default:                                       /* CLI_ARG */
        a->files[a->file_count++] = (char *)value; /* argv's front: behind the parse */
        return true;
    }
}

/* ---- formatting ----------------------------------------------------------------------------- */

/* Appends a duration readably: 12.3s, 4m05s, 2h03m; "-" when it does not apply. */
static void put_duration(buf *b, int64_t ms)
{
    if (ms == AUDIT_NONE) {
        buf_putc(b, '-');
        return;
    }
    int64_t s = (ms + 500) / 1000;
    if (ms < 60000)
        buf_printf(b, "%.1fs", (double)ms / 1000.0);
    else if (s < 3600)
        buf_printf(b, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
    else
        buf_printf(b, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
}

/* Appends seconds for JSON and CSV (null / empty when it does not apply). */
static void put_seconds(buf *b, int64_t ms, bool csv)
{
    if (ms == AUDIT_NONE)
        buf_puts(b, csv ? "" : "null");
    else
        buf_printf(b, "%.3f", (double)ms / 1000.0);
}

static void put_ts(buf *b, int64_t ms, int tz_offset)
{
    char ts[32];
    civil_format_iso(ms, tz_offset, ts);
    buf_puts(b, ts);
}

static const char *promise_name(audit_promise p)
{
    static const char *const names[] = {"none", "met", "missed", "pending"};
    return names[p];
}

static const char *yes_no(bool v)
{
    return v ? "yes" : "no";
}

/* Appends "part/whole (pct%)" or "-" when nothing counts. */
static void put_ratio(buf *b, uint64_t part, uint64_t whole)
{
    if (!whole)
        buf_puts(b, "-");
    else
        buf_printf(b, "%llu/%llu (%.1f%%)", (unsigned long long)part, (unsigned long long)whole,
                   audit_percent(part, whole));
}

static const char *offence_phrase(const report *r, const audit_offence *o)
{
    return o->rule >= 0 ? lint_rule_phrase(r->lint, (size_t)o->rule) : lint_kind_name(o->kind);
}

static const char *offence_better(const report *r, const audit_offence *o)
{
    return o->rule >= 0 ? lint_rule_better(r->lint, (size_t)o->rule) : NULL;
}

/* Appends customer or file text to the readable report, control characters escaped. */
static void put_text(buf *b, const char *s)
{
    text_escape(b, s, strlen(s));
}

/* One conversation of the readable report: a heading line, then one line per topic. */
static void text_conversation(report *r, const audit_conv *c)
{
    buf *b = &r->out;
    put_text(b, c->id);
    buf_puts(b, " (");
    put_text(b, c->file);
    buf_printf(b, ":%lu) %s, handle ", c->first_line, c->closed ? "closed" : "open at end");
    put_duration(b, c->handle_ms);
    buf_puts(b, "\n  response: first ");
    put_duration(b, c->first_response_ms);
    buf_puts(b, ", next median ");
    put_duration(b, c->next_response.median);
    buf_puts(b, " p90 ");
    put_duration(b, c->next_response.p90);
    buf_puts(b, " max ");
    put_duration(b, c->next_response.max);
    buf_printf(b, "; within %llds: ", (long long)(r->args->opt.answer_within_ms / 1000));
    put_ratio(b, c->answered_within, c->sl_counted);
    buf_puts(b, "; waited ");
    put_duration(b, c->waited_ms);
    buf_printf(b, ", unanswered %u\n", c->unanswered);
    if (c->holds) {
        buf_printf(b, "  holds %u: longest ", c->holds);
        put_duration(b, c->longest_hold_ms);
        buf_printf(b, ", check-ins %u, late %u, on time %u/%u\n", c->checkins, c->late_checkins,
                   c->holds_ok, c->holds);
    }
    buf_printf(b, "  greeting %s%s | closing %s | surname %s\n",
               c->agent_messages ? yes_no(c->greeting_present) : "-",
               c->greeting_present ? (c->greeting_correct ? ", correct" : ", not correct") : "",
               c->goodbye ? (c->closing_asked ? "asked before goodbye" : "goodbye without asking")
                          : "-",
               c->surname_known ? (c->surname_used ? "used" : "known, not used") : "-");
    if (c->complaint) {
        buf_printf(b, "  complaint: apology %s, promise ", yes_no(c->apology));
        if (c->promised_by != AUDIT_NONE) {
            buf_puts(b, "by ");
            put_ts(b, c->promised_by, c->tz_offset);
            buf_putc(b, ' ');
        }
        buf_printf(b, "%s\n", promise_name(c->promise));
    }
    if (c->forbidden)
        buf_printf(b, "  forbidden %u:\n", c->forbidden);
    for (size_t i = 0; i < c->offence_count; i++) {
        const audit_offence *o = &c->offences[i];
        const char *better = offence_better(r, o);
        buf_puts(b, "    ");
        put_text(b, o->file);
        buf_printf(b, ":%lu:%zu ", o->line, o->column + 1);
        put_text(b, o->match);
        buf_printf(b, "%s%s: ", better ? " -> " : "", better ? better : "");
        put_text(b, o->text);
        buf_putc(b, '\n');
    }
}

/* One conversation as an element of the "conversations" array. */
static void json_conversation(report *r, const audit_conv *c)
{
    buf *b = &r->out;
    buf_puts(b, r->rows ? ",\n{\"conv\":" : "\n{\"conv\":");
    buf_json_string(b, c->id);
    buf_puts(b, ",\"file\":");
    buf_json_string(b, c->file);
    buf_printf(b, ",\"first_line\":%lu,\"closed\":%s,\"channel\":\"%s\",\"opened\":\"",
               c->first_line, c->closed ? "true" : "false", c->phone ? "phone" : "chat");
    put_ts(b, c->opened_at, c->tz_offset);
    buf_puts(b, "\",\"handle_s\":");
    put_seconds(b, c->handle_ms, false);
    buf_puts(b, ",\"first_response_s\":");
    put_seconds(b, c->first_response_ms, false);
    buf_printf(b, ",\"next_response\":{\"count\":%llu,\"median_s\":",
               (unsigned long long)c->next_response.count);
    put_seconds(b, c->next_response.median, false);
    buf_puts(b, ",\"p90_s\":");
    put_seconds(b, c->next_response.p90, false);
    buf_puts(b, ",\"max_s\":");
    put_seconds(b, c->next_response.max, false);
    buf_printf(b, "},\"answered_within\":%llu,\"sl_counted\":%llu,\"waited_s\":",
               (unsigned long long)c->answered_within, (unsigned long long)c->sl_counted);
    put_seconds(b, c->waited_ms, false);
    buf_printf(b, ",\"unanswered\":%u,\"holds\":%u,\"longest_hold_s\":", c->unanswered, c->holds);
    put_seconds(b, c->longest_hold_ms, false);
    buf_printf(b, ",\"checkins\":%u,\"late_checkins\":%u,\"holds_on_time\":%u", c->checkins,
               c->late_checkins, c->holds_ok);
    buf_printf(b, ",\"agent_messages\":%u,\"greeting\":%s,\"greeting_correct\":%s",
               c->agent_messages, c->greeting_present ? "true" : "false",
               c->greeting_correct ? "true" : "false");
    buf_printf(b, ",\"goodbye\":%s,\"closing_asked\":%s,\"surname_known\":%s,\"surname_used\":%s",
               c->goodbye ? "true" : "false", c->closing_asked ? "true" : "false",
               c->surname_known ? "true" : "false", c->surname_used ? "true" : "false");
    buf_printf(b,
               ",\"complaint\":%s,\"apology\":%s,\"promised_by\":", c->complaint ? "true" : "false",
               c->apology ? "true" : "false");
    if (c->promised_by == AUDIT_NONE)
        buf_puts(b, "null");
    else {
        buf_putc(b, '"');
        put_ts(b, c->promised_by, c->tz_offset);
        buf_putc(b, '"');
    }
    buf_printf(b, ",\"promise\":\"%s\",\"forbidden\":%u,\"offences\":[", promise_name(c->promise),
               c->forbidden);
    for (size_t i = 0; i < c->offence_count; i++) {
        const audit_offence *o = &c->offences[i];
        const char *better = offence_better(r, o);
        buf_puts(b, i ? ",{\"file\":" : "{\"file\":");
        buf_json_string(b, o->file);
        buf_printf(b, ",\"line\":%lu,\"column\":%zu,\"kind\":\"%s\",\"phrase\":", o->line,
                   o->column + 1, lint_kind_name(o->kind));
        buf_json_string(b, offence_phrase(r, o));
        buf_puts(b, ",\"match\":");
        buf_json_string(b, o->match);
        if (better) {
            buf_puts(b, ",\"better\":");
            buf_json_string(b, better);
        }
        buf_puts(b, ",\"text\":");
        buf_json_string(b, o->text);
        buf_putc(b, '}');
    }
    buf_puts(b, "]}");
}

static const char csv_header[] =
    "conv,file,first_line,status,handle_s,first_response_s,next_median_s,next_p90_s,next_max_s,"
    "answered_within,sl_counted,waited_s,unanswered,holds,longest_hold_s,checkins,late_checkins,"
    "greeting,greeting_correct,goodbye,closing_asked,surname_known,surname_used,complaint,"
    "apology,promise,forbidden\n";

/* Appends a CSV field (core/text: escaped, quoted, safe from formula injection). */
static void put_csv_field(buf *b, const char *s)
{
    text_csv_field(b, s, strlen(s));
}

/* One conversation as a CSV row, in csv_header's order. */
static void csv_conversation(report *r, const audit_conv *c)
{
    buf *b = &r->out;
    put_csv_field(b, c->id);
    buf_putc(b, ',');
    put_csv_field(b, c->file);
    buf_printf(b, ",%lu,%s,", c->first_line, c->closed ? "closed" : "open");
    int64_t times[] = {c->handle_ms, c->first_response_ms, c->next_response.median,
                       c->next_response.p90, c->next_response.max};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        put_seconds(b, times[i], true);
        buf_putc(b, ',');
    }
    buf_printf(b, "%llu,%llu,", (unsigned long long)c->answered_within,
               (unsigned long long)c->sl_counted);
    put_seconds(b, c->waited_ms, true);
    buf_printf(b, ",%u,%u,", c->unanswered, c->holds);
    put_seconds(b, c->longest_hold_ms, true);
    buf_printf(b, ",%u,%u,%d,%d,%d,%d,%d,%d,%d,%d,%s,%u\n", c->checkins, c->late_checkins,
               c->greeting_present, c->greeting_correct, c->goodbye, c->closing_asked,
               c->surname_known, c->surname_used, c->complaint, c->apology,
               promise_name(c->promise), c->forbidden);
}

/* Writes the buffered report once it is large (or always, when forced). */
static void flush_out(report *r, bool force)
{
    if (r->out.len && (force || r->out.len > (1u << 16))) {
        fwrite(r->out.data, 1, r->out.len, stdout);
        buf_clear(&r->out);
    }
}

/* audit reporter: one conversation in the chosen format, streamed out. */
static void on_conversation(void *ctx, const audit_conv *c)
{
    report *r = ctx;
    if (r->args->summary)
        return;
    switch (r->args->format) {
    case FORMAT_TEXT:
        text_conversation(r, c);
        break;
    case FORMAT_JSON:
        json_conversation(r, c);
        break;
    case FORMAT_CSV:
        csv_conversation(r, c);
        break;
    }
    r->rows++;
    flush_out(r, false);
}

/* ---- totals ---------------------------------------------------------------------------------- */

/* The percentage a --fail-under key names, -1 when nothing counts for it. */
static double gate_value(const audit_totals *t, const char *key)
{
    if (!strcmp(key, "service_level"))
        return audit_percent(t->answered_within, t->sl_counted);
    if (!strcmp(key, "greeting"))
        return audit_percent(t->greeting_correct, t->greeted_convs);
    if (!strcmp(key, "closing"))
        return audit_percent(t->closing_followed, t->goodbyes);
    if (!strcmp(key, "surname"))
        return audit_percent(t->surname_used, t->surname_known);
    if (!strcmp(key, "apology"))
        return audit_percent(t->apologies, t->complaints);
    if (!strcmp(key, "promise_met"))
        return audit_percent(t->promises_met, t->promises_met + t->promises_missed);
    if (!strcmp(key, "hold_checkin"))
        return audit_percent(t->holds_ok, t->holds);
    return audit_percent(t->conversations - t->convs_with_forbidden, t->conversations);
}

static void text_stats(buf *b, const char *label, const audit_stats *s)
{
    buf_printf(b, "  %-16s median ", label);
    put_duration(b, s->median);
    buf_puts(b, ", p90 ");
    put_duration(b, s->p90);
    buf_puts(b, ", max ");
    put_duration(b, s->max);
    buf_printf(b, " (%llu)\n", (unsigned long long)s->count);
}

/* The forbidden-phrase counts of the readable totals, phrase by phrase. */
static void text_phrases(report *r, const audit_totals *t)
{
    buf *b = &r->out;
    buf_printf(b, "  %-16s %lu in %lu conversation%s\n", "forbidden", t->forbidden,
               t->convs_with_forbidden, t->convs_with_forbidden == 1 ? "" : "s");
    for (size_t i = 0; i < lint_rule_count(r->lint); i++)
        if (t->per_rule[i])
            buf_printf(b, "    %6lu  %s -> %s\n", t->per_rule[i], lint_rule_phrase(r->lint, i),
                       lint_rule_better(r->lint, i) ? lint_rule_better(r->lint, i) : "");
    if (t->placeholders)
        buf_printf(b, "    %6lu  {placeholder} left unfilled\n", t->placeholders);
    if (t->missing)
        buf_printf(b, "    %6lu  【missing value】 marker\n", t->missing);
}

/* The totals section of the readable report. */
static void text_totals(report *r, const audit_totals *t)
{
    buf *b = &r->out;
    buf_printf(b, "%sTotals\n", r->rows ? "\n" : "");
    buf_printf(b, "  %-16s %lu lines, %lu events, %lu bad lines\n", "input", t->lines, t->events,
               t->bad_lines);
    buf_printf(b, "  %-16s %lu (%lu closed, %lu open at end)\n", "conversations", t->conversations,
               t->closed, t->open_at_end);
    text_stats(b, "first response", &t->first_response);
    text_stats(b, "next responses", &t->next_response);
    buf_printf(b, "  %-16s ", "service level");
    double sl = audit_percent(t->answered_within, t->sl_counted);
    if (sl < 0)
        buf_puts(b, "-");
    else
        buf_printf(b, "%.1f%% answered within %llds (%llu/%llu)", sl,
                   (long long)(t->answer_within_ms / 1000), (unsigned long long)t->answered_within,
                   (unsigned long long)t->sl_counted);
    if (t->target_percent > 0 && sl >= 0)
        buf_printf(b, ", target %.0f%%: %s", t->target_percent,
                   sl >= t->target_percent ? "met" : "not met");
    buf_printf(b, "\n  %-16s ", "waited");
    put_duration(b, t->waited_ms);
    buf_printf(b, " in total, %lu wait%s never answered\n", t->unanswered,
               t->unanswered == 1 ? "" : "s");
    buf_printf(b, "  %-16s %lu, longest ", "holds", t->holds);
    put_duration(b, t->longest_hold_ms);
    buf_printf(b, ", check-ins %lu, late %lu, on time ", t->checkins, t->late_checkins);
    put_ratio(b, t->holds_ok, t->holds);
    buf_printf(b, "\n  %-16s average ", "handle time");
    put_duration(b, t->closed ? t->handle_total_ms / (int64_t)t->closed : AUDIT_NONE);
    buf_puts(b, ", median ");
    put_duration(b, t->handle.median);
    buf_puts(b, ", max ");
    put_duration(b, t->handle.max);
    buf_printf(b, " (%lu closed)\n  %-16s present ", t->closed, "greeting");
    put_ratio(b, t->greeting_present, t->greeted_convs);
    buf_puts(b, ", correct ");
    put_ratio(b, t->greeting_correct, t->greeted_convs);
    buf_printf(b, "\n  %-16s asked before goodbye ", "closing");
    put_ratio(b, t->closing_followed, t->goodbyes);
    buf_printf(b, "\n  %-16s used once known ", "surname");
    put_ratio(b, t->surname_used, t->surname_known);
    buf_printf(b, "\n  %-16s %lu: apology ", "complaints", t->complaints);
    put_ratio(b, t->apologies, t->complaints);
    buf_printf(b, ", promised %lu (met %lu, missed %lu, pending %lu)\n", t->promised,
               t->promises_met, t->promises_missed, t->promises_pending);
    text_phrases(r, t);
}

/* Appends a total's statistics; median and p90 come from a histogram, within 0.05 %, so they
 * are written to a tenth of a second. */
static void json_stats(buf *b, const char *name, const audit_stats *s)
{
    buf_printf(b, ",\"%s\":{\"count\":%llu,\"median_s\":", name, (unsigned long long)s->count);
    if (s->count)
        buf_printf(b, "%.1f,\"p90_s\":%.1f,\"max_s\":", (double)s->median / 1000.0,
                   (double)s->p90 / 1000.0);
    else
        buf_puts(b, "null,\"p90_s\":null,\"max_s\":");
    put_seconds(b, s->max, false);
    buf_putc(b, '}');
}

/* A percentage for JSON: null when nothing counts. */
static void json_percent(buf *b, const char *name, uint64_t part, uint64_t whole)
{
    double p = audit_percent(part, whole);
    if (p < 0)
        buf_printf(b, ",\"%s\":null", name);
    else
        buf_printf(b, ",\"%s\":%.2f", name, p);
}

/* The per-phrase counts of the JSON totals. */
static void json_phrases(report *r, const audit_totals *t)
{
    buf *b = &r->out;
    buf_puts(b, ",\"phrases\":[");
    bool first = true;
    for (size_t i = 0; i < lint_rule_count(r->lint); i++) {
        if (!t->per_rule[i])
            continue;
        buf_puts(b, first ? "{\"phrase\":" : ",{\"phrase\":");
        first = false;
        buf_json_string(b, lint_rule_phrase(r->lint, i));
        buf_printf(b, ",\"kind\":\"%s\",\"better\":", lint_kind_name(lint_rule_kind(r->lint, i)));
        buf_json_string(b, lint_rule_better(r->lint, i) ? lint_rule_better(r->lint, i) : "");
        buf_printf(b, ",\"count\":%lu}", t->per_rule[i]);
    }
    buf_printf(b, "],\"placeholders\":%lu,\"missing_markers\":%lu", t->placeholders, t->missing);
}

/* The "totals" object, closing the JSON document. */
static void json_totals(report *r, const audit_totals *t)
{
    buf *b = &r->out;
    if (!r->args->summary)
        buf_puts(b, r->rows ? "\n]," : "],");
    buf_printf(b, "\"totals\":{\"lines\":%lu,\"events\":%lu,\"bad_lines\":%lu", t->lines, t->events,
               t->bad_lines);
    buf_printf(b, ",\"conversations\":%lu,\"closed\":%lu,\"open_at_end\":%lu", t->conversations,
               t->closed, t->open_at_end);
    json_stats(b, "first_response", &t->first_response);
    json_stats(b, "next_response", &t->next_response);
    json_stats(b, "handle", &t->handle);
    buf_puts(b, ",\"handle_average_s\":");
    put_seconds(b, t->closed ? t->handle_total_ms / (int64_t)t->closed : AUDIT_NONE, false);
    buf_printf(b, ",\"answer_within_s\":%.3f,\"answered_within\":%llu,\"sl_counted\":%llu",
               (double)t->answer_within_ms / 1000.0, (unsigned long long)t->answered_within,
               (unsigned long long)t->sl_counted);
    json_percent(b, "service_level", t->answered_within, t->sl_counted);
    if (t->target_percent > 0)
        buf_printf(b, ",\"target_percent\":%.2f", t->target_percent);
    buf_puts(b, ",\"waited_s\":");
    put_seconds(b, t->waited_ms, false);
    buf_printf(b, ",\"unanswered\":%lu,\"holds\":%lu,\"longest_hold_s\":", t->unanswered, t->holds);
    put_seconds(b, t->longest_hold_ms, false);
    buf_printf(b, ",\"checkins\":%lu,\"late_checkins\":%lu,\"holds_on_time\":%lu", t->checkins,
               t->late_checkins, t->holds_ok);
    buf_printf(b, ",\"agent_conversations\":%lu,\"greeting\":%lu,\"greeting_correct\":%lu",
               t->greeted_convs, t->greeting_present, t->greeting_correct);
    buf_printf(b, ",\"goodbyes\":%lu,\"closing_followed\":%lu", t->goodbyes, t->closing_followed);
    buf_printf(b, ",\"surname_known\":%lu,\"surname_used\":%lu", t->surname_known, t->surname_used);
    buf_printf(b, ",\"complaints\":%lu,\"apologies\":%lu,\"promised\":%lu", t->complaints,
               t->apologies, t->promised);
    buf_printf(b, ",\"promises_met\":%lu,\"promises_missed\":%lu,\"promises_pending\":%lu",
               t->promises_met, t->promises_missed, t->promises_pending);
    buf_printf(b, ",\"forbidden\":%lu,\"conversations_with_forbidden\":%lu", t->forbidden,
               t->convs_with_forbidden);
    json_phrases(r, t);
    buf_puts(b, ",\"percent\":{");
    for (int i = 0; gate_keys[i]; i++) {
        double v = gate_value(t, gate_keys[i]);
        if (v < 0)
            buf_printf(b, "%s\"%s\":null", i ? "," : "", gate_keys[i]);
        else
            buf_printf(b, "%s\"%s\":%.2f", i ? "," : "", gate_keys[i], v);
    }
    buf_puts(b, "}}}\n");
}

/* The TOTAL row of the CSV report. */
static void csv_totals(report *r, const audit_totals *t)
{
    buf *b = &r->out;
    buf_printf(b, "TOTAL,,,%lu conversations,", t->conversations);
    int64_t times[] = {t->closed ? t->handle_total_ms / (int64_t)t->closed : AUDIT_NONE,
                       t->first_response.median, t->next_response.median, t->next_response.p90,
                       t->next_response.max};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        put_seconds(b, times[i], true);
        buf_putc(b, ',');
    }
    buf_printf(b, "%llu,%llu,", (unsigned long long)t->answered_within,
               (unsigned long long)t->sl_counted);
    put_seconds(b, t->waited_ms, true);
    buf_printf(b, ",%lu,%lu,", t->unanswered, t->holds);
    put_seconds(b, t->longest_hold_ms, true);
    buf_printf(b, ",%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu,%lu met/%lu missed,%lu\n", t->checkins,
               t->late_checkins, t->greeting_present, t->greeting_correct, t->goodbyes,
               t->closing_followed, t->surname_known, t->surname_used, t->complaints, t->apologies,
               t->promises_met, t->promises_missed, t->forbidden);
}

/* Prints the totals; returns false when a --fail-under threshold is not met. */
static bool finish_report(report *r, const audit_totals *t)
{
    switch (r->args->format) {
    case FORMAT_TEXT:
        text_totals(r, t);
        break;
    case FORMAT_JSON:
        json_totals(r, t);
        break;
    case FORMAT_CSV:
        csv_totals(r, t);
        break;
    }
    flush_out(r, true);
    bool ok = true;
    for (int i = 0; i < r->args->gate_count; i++) {
        const gate *g = &r->args->gates[i];
        double v = gate_value(t, g->key);
        if (v >= 0 && v < g->min) {
            fprintf(stderr, "huashu audit: %s %.1f%% is under %.1f%%\n", g->key, v, g->min);
            ok = false;
        }
    }
    return ok;
}

/* ---- input ----------------------------------------------------------------------------------- */

typedef struct source {
    int fd;
    pid_t gzip; /* a decompressing child, 0 when none */
} source;

/* True when fd (a regular file) starts with the gzip magic; the offset is put back. */
static bool is_gzip(int fd)
{
    unsigned char magic[2];
    ssize_t n = pread(fd, magic, 2, 0);
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

/* Starts `gzip -dc` (no shell) reading fd; src->fd becomes the pipe of its output. */
static bool spawn_gzip(source *src, int fd, const char *path)
{
    int p[2];
    if (pipe(p) != 0)
        return false;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    char *argv[] = {"gzip", "-dc", NULL};
    int err = posix_spawnp(&src->gzip, "gzip", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    close(fd);
    if (err) {
        close(p[0]);
        src->gzip = 0;
        fprintf(stderr, "huashu audit: %s: cannot run gzip: %s\n", path, strerror(err));
        return false;
    }
    src->fd = p[0];
    return true;
}

/* Opens a file (plain or gzip), or stdin for "-". */
static bool source_open(source *src, const char *path)
{
    src->gzip = 0;
    if (!strcmp(path, "-")) {
        src->fd = STDIN_FILENO;
        return true;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "huashu audit: %s: %s\n", path, strerror(errno));
        return false;
    }
    if (is_gzip(fd))
        return spawn_gzip(src, fd, path);
    src->fd = fd;
    return true;
}

/* Closes the source; false when gzip reported an error. */
static bool source_close(source *src, const char *path)
{
    if (src->fd != STDIN_FILENO)
        close(src->fd);
    if (!src->gzip)
        return true;
    int status = 0;
    while (waitpid(src->gzip, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    fprintf(stderr, "huashu audit: %s: gzip failed (the file is damaged or truncated)\n", path);
    return false;
}

/* Names a skipped line on standard error (the first BAD_LINES_SHOWN of them). */
static void bad_line(report *r, const char *name, unsigned long number, const char *err)
{
    if (r->bad_shown++ < BAD_LINES_SHOWN)
        fprintf(stderr, "%s:%lu: skipped: %s\n", name, number, err);
}

/* Feeds every line of one source; false on a read error. */
static bool audit_source(audit *a, report *r, int fd, const char *name)
{
    linereader lr;
    if (!linereader_init(&lr, fd, EVENT_MAX_LINE)) {
        fprintf(stderr, "huashu audit: out of memory\n");
        return false;
    }
    const char *line;
    size_t len;
    linereader_status st;
    bool ok = true;
    while ((st = linereader_next(&lr, &line, &len)) != LINE_EOF) {
        char err[256];
        if (st == LINE_ERROR) {
            fprintf(stderr, "%s: read error: %s\n", name, strerror(errno));
            ok = false;
            break;
        }
        if (st == LINE_TOO_LONG) {
            audit_count_bad(a);
            bad_line(r, name, lr.line_number, "line longer than 64 KiB");
        } else if (!audit_feed_line(a, line, len, name, lr.line_number, err, sizeof err))
            bad_line(r, name, lr.line_number, err);
    }
    linereader_free(&lr);
    return ok;
}

/* Audits every input; false when one could not be read. */
static bool audit_inputs(audit *a, report *r, char **files, int count)
{
    static char *const stdin_only[] = {"-"};
    if (count == 0) {
        files = (char **)stdin_only;
        count = 1;
    }
    bool ok = true;
    for (int i = 0; i < count; i++) {
        source src;
        const char *name = strcmp(files[i], "-") ? files[i] : "<stdin>";
        if (!source_open(&src, files[i])) {
            ok = false;
            continue;
        }
        ok = audit_source(a, r, src.fd, name) && ok;
        ok = source_close(&src, name) && ok;
    }
    return ok;
}

int cmd_audit(int argc, char **argv)
{
    audit_args args;
    memset(&args, 0, sizeof args);
    args.files = argv + 1;
    cli_result parsed = cli_parse(&audit_spec, argc, argv, take_option, &args);
    if (parsed != CLI_OK)
        return parsed == CLI_HELP ? 0 : 2;
    playbook *pb = paths_command_playbook(args.playbook);
    if (!pb)
        return 2;
    lint *l = lint_new(pb);
    audit *a = l ? audit_new(pb, l, &args.opt) : NULL;
    if (!a) {
        fprintf(stderr, "huashu audit: out of memory\n");
        lint_free(l);
        playbook_free(pb);
        return 2;
    }
    if (args.opt.answer_within_ms == 0)
        args.opt.answer_within_ms = audit_get_totals(a)->answer_within_ms;
    report r = {.args = &args, .lint = l};
    buf_init(&r.out);
    audit_set_reporter(a, on_conversation, &r);
    if (args.format == FORMAT_JSON)
        buf_puts(&r.out, args.summary ? "{" : "{\"conversations\":[");
    else if (args.format == FORMAT_CSV)
        buf_puts(&r.out, csv_header);
    bool inputs_ok = audit_inputs(a, &r, args.files, args.file_count);
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    if (r.bad_shown > BAD_LINES_SHOWN)
        fprintf(stderr, "huashu audit: %lu more bad lines not shown\n",
                r.bad_shown - BAD_LINES_SHOWN);
    if (t->bad_lines)
        fprintf(stderr, "huashu audit: %lu bad line%s skipped\n", t->bad_lines,
                t->bad_lines == 1 ? "" : "s");
    bool gates_ok = finish_report(&r, t);
    buf_free(&r.out);
    audit_free(a);
    lint_free(l);
    playbook_free(pb);
    if (fflush(stdout) != 0 || !inputs_ok)
        return 2;
    return gates_ok ? 0 : 1;
}
