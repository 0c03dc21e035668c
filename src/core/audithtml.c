/* audithtml: the audit report as one self-contained HTML page — no script, no network, no
 * external font — with the charts drawn here as inline SVG. Drawing them ourselves keeps the
 * page one file with no dependency: the four charts are a polyline, a dashed line and some
 * rectangles, less code than feeding a plotting library, and the numbers stay exactly those
 * of the JSON report (each mark carries its value in a data- attribute). Every piece of text
 * from the logs is sanitised and HTML-escaped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auditreport_impl.h"
#include "core/text.h"

/* Appends text made safe for the page: control characters removed, markup escaped. */
static void html_text(buf *b, const char *s)
{
    buf clean;
    buf_init(&clean);
    text_sanitize(&clean, s, strlen(s), false);
    for (const char *p = buf_str(&clean); *p; p++) {
        switch (*p) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        default:
            buf_putc(b, *p);
        }
    }
    buf_free(&clean);
}

static const char page_head[] =
    "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"generator\" content=\"huashu audit\">\n<title>Service report</title>\n"
    "<style>\n"
    "body{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"WenQuanYi Micro Hei\",sans-serif;"
    "color:#1d2330;margin:24px auto;max-width:1000px;padding:0 16px;font-size:14px}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:2px solid "
    "#1d2330;padding-bottom:3px}\n"
    ".meta{color:#555;margin:0 0 12px}.meta b{color:#1d2330}\n"
    "table{border-collapse:collapse;width:100%}th,td{padding:4px 6px;text-align:right;"
    "border-bottom:1px solid #dde}th{background:#eef0f5;font-weight:600}"
    "td.l,th.l{text-align:left;white-space:nowrap}\n"
    ".kpis{display:flex;flex-wrap:wrap;gap:8px}.kpi{border:1px solid #ccd;border-radius:4px;"
    "padding:6px 10px;min-width:110px}.kpi .v{font-size:20px;font-weight:600}.kpi .k{color:#555;"
    "font-size:12px}.bad{color:#b3261e}.good{color:#1b6e3a}\n"
    "svg{display:block}svg text{font-size:11px;fill:#333}.cell svg{display:inline-block;"
    "vertical-align:middle;margin-right:4px}\n"
    ".conv{border:1px solid #ccd;border-radius:4px;padding:6px 10px;margin:8px 0;"
    "page-break-inside:avoid}.conv .h{font-weight:600}.conv .why{color:#b3261e}"
    ".msg{margin:2px 0 2px 12px}.msg .who{display:inline-block;width:64px;color:#555}"
    ".msg.a .who{color:#1f4e9c}.off{margin:2px 0 2px 12px;color:#b3261e}.src{color:#777;"
    "font-family:monospace;font-size:12px}\n"
    ".phr{font-size:12px;color:#444;text-align:left}\n"
    "@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}}\n"
    "</style>\n</head>\n<body>\n";

/* A small horizontal bar (inline SVG) for a percentage cell, then the number. */
static void html_pct_cell(buf *b, uint64_t part, uint64_t whole, double target)
{
    double p = audit_percent(part, whole);
    if (p < 0) {
        buf_puts(b, "<td>-</td>");
        return;
    }
    const char *colour = target > 0 && p < target ? "#d9534f" : "#3c7dd9";
    buf_printf(b,
               "<td class=\"cell\"><svg width=\"70\" height=\"10\" class=\"pbar\" "
               "data-value=\"%.2f\"><rect width=\"70\" height=\"10\" fill=\"#e6e8ee\"/>"
               "<rect width=\"%.1f\" height=\"10\" fill=\"%s\"/></svg>%.1f%%</td>",
               p, 70.0 * p / 100.0, colour, p);
}

static void html_duration_cell(buf *b, int64_t ms)
{
    buf_puts(b, "<td>");
    report_duration(b, ms);
    buf_puts(b, "</td>");
}

/* A key figure box. */
static void html_kpi(buf *b, const char *key, double pct, const char *value, double target)
{
    buf_puts(b, "<div class=\"kpi\"><div class=\"v");
    if (pct >= 0 && target > 0)
        buf_puts(b, pct >= target ? " good" : " bad");
    buf_puts(b, "\">");
    if (value)
        buf_puts(b, value);
    else if (pct < 0)
        buf_puts(b, "-");
    else
        buf_printf(b, "%.1f%%", pct);
    buf_printf(b, "</div><div class=\"k\">%s</div></div>\n", key);
}

static void html_header(auditreport *r, const audit_totals *t, buf *b)
{
    const audit_options *o = &r->opt.audit;
    buf_puts(b, "<h1>Service report</h1>\n<p class=\"meta\"><b>Period</b> ");
    report_period(b, t);
    buf_puts(b, " (conversations opened) &nbsp; <b>Playbook</b> ");
    html_text(b, r->opt.playbook ? r->opt.playbook : "-");
    buf_puts(b, " &nbsp; <b>Targets</b> service level ");
    if (t->target_percent > 0)
        buf_printf(b, "%.0f%% ", t->target_percent);
    buf_printf(b, "within %llds, hold check-in every %llds",
               (long long)(t->answer_within_ms / 1000), (long long)(o->checkin_ms / 1000));
    if (o->agent) {
        buf_puts(b, " &nbsp; <b>Agent</b> ");
        html_text(b, o->agent);
    }
    buf_puts(b, "<br>Median: the middle value, or the mean of the two middle ones; p90: nearest "
                "rank.</p>\n<div class=\"kpis\" id=\"kpis\">\n");
    char v[64];
    snprintf(v, sizeof v, "%lu", t->conversations);
    html_kpi(b, "conversations", -1, v, 0);
    html_kpi(b, "service level", audit_percent(t->answered_within, t->sl_counted), NULL,
             t->target_percent);
    buf tmp;
    buf_init(&tmp);
    report_duration(&tmp, t->first_response.median);
    buf_puts(&tmp, " / ");
    report_duration(&tmp, t->first_response.p90);
    html_kpi(b, "first response median / p90", -1, buf_str(&tmp), 0);
    buf_clear(&tmp);
    report_duration(&tmp, t->closed ? t->handle_total_ms / (int64_t)t->closed : AUDIT_NONE);
    html_kpi(b, "average handle time", -1, buf_str(&tmp), 0);
    buf_free(&tmp);
    html_kpi(b, "greeting correct", audit_percent(t->greeting_correct, t->greeted_convs), NULL, 0);
    html_kpi(b, "您, never 你", audit_percent(t->polite, t->polite_checked), NULL, 0);
    html_kpi(b, "surname used", audit_percent(t->surname_used, t->surname_known), NULL, 0);
    html_kpi(b, "holds checked in on time", audit_percent(t->holds_ok, t->holds), NULL, 0);
    html_kpi(b, "closing question asked", audit_percent(t->closing_followed, t->goodbyes), NULL, 0);
    snprintf(v, sizeof v, "%lu", t->forbidden);
    html_kpi(b, "forbidden phrases", -1, v, 0);
    buf_puts(b, "</div>\n");
}

#define CHART_W 960
#define CHART_H 240
#define CHART_L 44 /* left margin: the axis labels */
#define CHART_R 16
#define CHART_T 12
#define CHART_B 40

/* A service-level line chart over the groups of gr (days or hours) with the target drawn. */
static void html_sl_chart(buf *b, const grouping *gr, double target, const char *id, bool hours)
{
    double w = CHART_W - CHART_L - CHART_R, h = CHART_H - CHART_T - CHART_B;
    buf_printf(b,
               "<svg id=\"%s\" class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "role=\"img\">\n",
               id, CHART_W, CHART_H, CHART_W, CHART_H);
    for (int p = 0; p <= 100; p += 25) {
        double y = CHART_T + h - h * p / 100.0;
        buf_printf(b,
                   "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e5ea\"/>"
                   "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>\n",
                   CHART_L, y, CHART_L + w, y, CHART_L - 6, y + 4, p);
    }
    size_t n = gr->count;
    double step = n > 1 ? w / (double)(n - 1) : 0;
    size_t label_every = n > 16 ? (n + 15) / 16 : 1;
    for (int hr = 0; hours && hr < 24; hr += 2)
        buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%02d</text>\n",
                   CHART_L + w * hr / 23.0, CHART_H - CHART_B + 16, hr);
    buf polyline;
    buf_init(&polyline);
    for (size_t i = 0; i < n; i++) {
        const group *g = gr->items[i];
        /* hours on a 00-23 axis (a missing hour leaves its gap); days one after another */
        double x = hours   ? CHART_L + w * g->hour / 23.0
                   : n > 1 ? CHART_L + step * (double)i
                           : CHART_L + w / 2;
        if (!hours && i % label_every == 0)
            buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x,
                       CHART_H - CHART_B + 16, g->day + 5);
        double sl = group_sl(g);
        if (sl < 0)
            continue;
        double y = CHART_T + h - h * sl / 100.0;
        buf_printf(&polyline, "%.1f,%.1f ", x, y);
        buf_printf(b, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\" ", x, y,
                   target > 0 && sl < target ? "#d9534f" : "#3c7dd9");
        if (hours)
            buf_printf(b, "data-hour=\"%d\"", g->hour);
        else
            buf_printf(b, "data-day=\"%s\"", g->day);
        buf_printf(b, " data-sl=\"%.2f\"><title>%.1f%% (%llu/%llu)</title></circle>\n", sl, sl,
                   (unsigned long long)g->answered_within, (unsigned long long)g->sl_counted);
    }
    if (polyline.len)
        buf_printf(
            b, "<polyline points=\"%s\" fill=\"none\" stroke=\"#3c7dd9\" stroke-width=\"2\"/>\n",
            buf_str(&polyline));
    buf_free(&polyline);
    if (target > 0) {
        double y = CHART_T + h - h * target / 100.0;
        buf_printf(b,
                   "<line class=\"target\" data-target=\"%.2f\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" "
                   "y2=\"%.1f\" stroke=\"#b3261e\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#b3261e\">target "
                   "%.0f%%</text>\n",
                   target, CHART_L, y, CHART_L + w, y, CHART_L + w, y - 4, target);
    }
    buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n</svg>\n",
               CHART_L + w / 2, CHART_H - 6, hours ? "hour of the day" : "day (month-day)");
}

/* The first-response histogram with the answer limit marked. */
static void html_frt_chart(auditreport *r, const audit_totals *t, buf *b)
{
    double w = CHART_W - CHART_L - CHART_R, h = CHART_H - CHART_T - CHART_B;
    uint64_t most = 1;
    for (size_t i = 0; i < FRT_BINS; i++)
        if (r->frt_bins[i] > most)
            most = r->frt_bins[i];
    buf_printf(b,
               "<svg id=\"frt\" class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "role=\"img\">\n",
               CHART_W, CHART_H, CHART_W, CHART_H);
    double slot = w / FRT_BINS;
    int limit_s = (int)(t->answer_within_ms / 1000);
    for (size_t i = 0; i < FRT_BINS; i++) {
        double bh = h * (double)r->frt_bins[i] / (double)most;
        double x = CHART_L + slot * (double)i;
        bool late = frt_edges[i] >= limit_s;
        char label[24];
        if (i + 1 < FRT_BINS)
            snprintf(label, sizeof label, "%d–%ds", frt_edges[i], frt_edges[i + 1]);
        else
            snprintf(label, sizeof label, "%ds+", frt_edges[i]);
        buf_printf(b,
                   "<rect class=\"bar\" data-from=\"%d\" data-count=\"%llu\" x=\"%.1f\" "
                   "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: "
                   "%llu</title></rect>\n",
                   frt_edges[i], (unsigned long long)r->frt_bins[i], x + 4, CHART_T + h - bh,
                   slot - 8, bh, late ? "#d9534f" : "#3c7dd9", label,
                   (unsigned long long)r->frt_bins[i]);
        buf_printf(b,
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%llu</text>"
                   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                   x + slot / 2, CHART_T + h - bh - 3, (unsigned long long)r->frt_bins[i],
                   x + slot / 2, CHART_H - CHART_B + 16, label);
    }
    buf_printf(b,
               "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>"
               "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">first response (red: at or "
               "past the %ds answer limit)</text>\n</svg>\n",
               CHART_L, CHART_T + h, CHART_L + w, CHART_T + h, CHART_L + w / 2, CHART_H - 6,
               limit_s);
}

/* The per-agent table: SL and each compliance item as bars, then phrases with context. */
static void html_agents(auditreport *r, const audit_totals *t, buf *b)
{
    grouping *gr = r->opt.by ? &r->user : &r->by_agent;
    buf_printf(b,
               "<h2>%s</h2>\n<table id=\"agents\">\n<tr><th class=\"l\">%s</th><th>convs</th>"
               "<th>service level</th><th>FRT median</th><th>FRT p90</th><th>AHT</th>"
               "<th>greeting</th><th>您</th><th>surname</th><th>hold check-in</th>"
               "<th>closing</th><th>forbidden</th></tr>\n",
               r->opt.by ? "By group" : "By agent", r->opt.by ? "group" : "agent");
    for (size_t i = 0; i < gr->count; i++) {
        group *g = gr->items[i];
        buf_puts(b, "<tr class=\"agent\" data-label=\"");
        html_text(b, g->label);
        buf_puts(b, "\"><td class=\"l\">");
        html_text(b, g->label);
        buf_printf(b, "</td><td>%lu</td>", g->conversations);
        html_pct_cell(b, g->answered_within, g->sl_counted, t->target_percent);
        html_duration_cell(b, group_frt_quantile(g, true));
        html_duration_cell(b, group_frt_quantile(g, false));
        html_duration_cell(b, g->closed ? g->handle_total_ms / (int64_t)g->closed : AUDIT_NONE);
        html_pct_cell(b, g->greeting_correct, g->greeted, 0);
        html_pct_cell(b, g->polite, g->polite_checked, 0);
        html_pct_cell(b, g->surname_used, g->surname_known, 0);
        html_pct_cell(b, g->holds_ok, g->holds, 0);
        html_pct_cell(b, g->closing_asked, g->goodbyes, 0);
        buf_printf(b, "<td%s>%lu</td></tr>\n", g->forbidden ? " class=\"bad\"" : "", g->forbidden);
        if (!g->per_rule)
            continue;
        buf_puts(b, "<tr><td></td><td colspan=\"11\" class=\"phr\">");
        for (size_t k = 0; k < lint_rule_count(r->lint); k++) {
            if (!g->per_rule[k])
                continue;
            const phrase_example *e = &g->examples[k];
            buf_printf(b, "<div><b>%lu × ", g->per_rule[k]);
            html_text(b, lint_rule_phrase(r->lint, k));
            buf_puts(b, "</b> e.g. <span class=\"src\">");
            html_text(b, e->file);
            buf_printf(b, ":%lu:%zu</span> “", e->line, e->column + 1);
            html_text(b, e->text);
            buf_puts(b, "”</div>");
        }
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</table>\n");
}

static void html_worst(auditreport *r, buf *b)
{
    buf_puts(b, "<h2>Listen to these first</h2>\n<div id=\"worst\">\n");
    if (!r->worst_count)
        buf_puts(b, "<p>No conversation broke a rule or waited past the limit.</p>\n");
    for (size_t i = 0; i < r->worst_count; i++) {
        const worst_entry *w = &r->worst[i];
        buf_printf(b, "<div class=\"conv\" data-breaches=\"%u\"><div class=\"h\">%zu. ",
                   w->breaches, i + 1);
        html_text(b, w->id);
        if (w->agent[0]) {
            buf_puts(b, " · agent ");
            html_text(b, w->agent);
            if (w->agent_name[0]) {
                buf_putc(b, ' ');
                html_text(b, w->agent_name);
            }
        }
        buf_puts(b, " <span class=\"src\">");
        html_text(b, w->file);
        buf_printf(b, ":%lu</span></div>\n<div class=\"why\">%u breach%s", w->line, w->breaches,
                   w->breaches == 1 ? "" : "es");
        if (w->reasons[0]) {
            buf_puts(b, ": ");
            html_text(b, w->reasons);
        }
        buf_puts(b, "; longest wait ");
        report_duration(b, w->longest_wait_ms);
        buf_puts(b, "</div>\n");
        for (size_t k = 0; k < w->excerpt_count; k++) {
            const audit_message *m = &w->excerpt[k];
            buf_printf(b, "<div class=\"msg%s\"><span class=\"who\">%s</span>",
                       m->agent ? " a" : "", m->agent ? "agent" : "customer");
            html_text(b, m->text);
            buf_printf(b, " <span class=\"src\">:%lu</span></div>\n", m->line);
        }
        for (size_t k = 0; k < w->offence_count; k++) {
            const audit_offence *o = &w->offences[k];
            buf_puts(b, "<div class=\"off\">✗ “");
            html_text(b, o->match);
            buf_puts(b, "” <span class=\"src\">");
            html_text(b, o->file);
            buf_printf(b, ":%lu:%zu</span>", o->line, o->column + 1);
            const char *better = report_better(r, o->rule);
            if (better) {
                buf_puts(b, " → say “");
                html_text(b, better);
                buf_puts(b, "”");
            }
            buf_puts(b, "</div>\n");
        }
        buf_puts(b, "</div>\n");
    }
    buf_puts(b, "</div>\n");
}

void audithtml_finish(auditreport *r, const audit_totals *t, buf *out)
{
    buf_puts(out, page_head);
    html_header(r, t, out);
    buf_puts(out, "<h2>Service level by day</h2>\n");
    html_sl_chart(out, &r->by_day, t->target_percent, "sl-day", false);
    buf_puts(out, "<h2>Service level by hour of the day</h2>\n");
    html_sl_chart(out, &r->by_hour, t->target_percent, "sl-hour", true);
    buf_puts(out, "<h2>First response</h2>\n");
    html_frt_chart(r, t, out);
    html_agents(r, t, out);
    html_worst(r, out);
    buf_printf(out,
               "<p class=\"meta\">%lu lines, %lu events, %lu bad lines read. Made by huashu "
               "audit.</p>\n</body>\n</html>\n",
               t->lines, t->events, t->bad_lines);
}
