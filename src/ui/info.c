/* The info pane: who the customer is, how long in this state, a complaint's promised-by time,
 * and the values found so far (order and stock results, values the agent typed). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/civil.h"
#include "core/text.h"
#include "intl.h"
#include "ui/app.h"

static void customer_line(app *a, const conversation *c, char *out, size_t cap)
{
    char in_state[16];
    draw_duration(conversation_in_state(c, app_now(a)), in_state, sizeof in_state);
    const char *unknown = _("name not recorded");
    char who[200];
    if (c->name[0] && c->surname[0])
        snprintf(who, sizeof who, "%s (%s%s)", c->name, c->surname, c->title);
    else if (c->name[0] || c->surname[0])
        snprintf(who, sizeof who, "%s%s", c->name[0] ? c->name : c->surname,
                 c->name[0] ? "" : c->title);
    else
        snprintf(who, sizeof who, "%s", unknown);
    snprintf(out, cap, "%s | %s %s", who, a->pb->states[c->state].label, in_state);
}

/* The complaint promise, if one was made. */
static bool deadline_line(app *a, const conversation *c, char *out, size_t cap)
{
    if (!c->complaint_deadline)
        return false;
    char clock[32];
    civil_format_deadline(c->complaint_deadline, app_now(a), a->tz_offset, clock);
    snprintf(out, cap,
             c->complaint_overdue ? _("answer promised by %s: OVERDUE")
                                  : _("answer promised by %s"),
             clock);
    return true;
}

/* After a line marked end: was sent, that the call may be hung up or the chat closed. */
static bool end_line(app *a, const conversation *c, char *out, size_t cap)
{
    if (!c->end_sent || c->closed)
        return false;
    char keys[64];
    keymap_describe(&a->keys, ACT_HANGUP, keys, sizeof keys);
    snprintf(out, cap,
             c->phone ? _("the call may be ended: %s hangs up")
                      : _("the chat may be closed: %s closes it"),
             keys);
    return true;
}

/* Detection was unsure of the last customer message: "unsure: 库存? 物流?  M-j: 库存". */
static bool unsure_line(app *a, const conversation *c, char *out, size_t cap)
{
    if (!c->unsure_count)
        return false;
    size_t n = (size_t)snprintf(out, cap, "%s", _("unsure:"));
    for (unsigned i = 0; i < c->unsure_count && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, " %s?", a->pb->states[c->unsure[i]].label);
    char keys[64];
    keymap_describe(&a->keys, ACT_UNSURE, keys, sizeof keys);
    if (n < cap)
        snprintf(out + n, cap - n, "  %s: %s", keys, a->pb->states[c->unsure[0]].label);
    return true;
}

/* "label: value" for each value the conversation holds. */
static void values_line(app *a, const conversation *c, buf *out)
{
    for (size_t i = 0; i < c->value_count; i++) {
        const pb_placeholder *ph = playbook_placeholder(a->pb, c->values[i].name);
        buf_printf(out, "%s%s: %s", i ? "  " : "", ph && ph->label ? ph->label : c->values[i].name,
                   c->values[i].value);
    }
}

/* A value the shown suggestions miss that a lookup fills: "needs 快递单号: F8 M-o". */
static bool lookup_hint(app *a, char *out, size_t cap)
{
    for (size_t i = 0; a->ops.lookup && i < a->shown_count; i++) {
        for (size_t k = 0; k < a->shown[i].missing_count && k < SUGGEST_MAX_MISSING; k++) {
            const char *name = a->shown[i].missing[k];
            bool order = name && !strncmp(name, "order.", 6);
            if (!order && !(name && !strncmp(name, "stock.", 6)))
                continue;
            const pb_placeholder *ph = playbook_placeholder(a->pb, name);
            char keys[64];
            keymap_describe(&a->keys, order ? ACT_ORDER : ACT_STOCK, keys, sizeof keys);
            snprintf(out, cap, _("needs %s: %s looks it up"), ph && ph->label ? ph->label : name,
                     keys);
            return true;
        }
    }
    return false;
}

/* The lookup lines (app_ops.lookup_status): progress, result or error (wrapped over up to
 * three rows), else a hint to look something up. */
static void lookup_line(app *a, pane *p, const conversation *c, int row)
{
    bool alert = false;
    const char *s = a->ops.lookup_status ? a->ops.lookup_status(a->ops_ctx, c->id, &alert) : NULL;
    char hint[256];
    if (!s && lookup_hint(a, hint, sizeof hint))
        s = hint;
    size_t len = s ? strlen(s) : 0, pos = 0;
    bool amb = a->opt.ambiguous_width == 2;
    for (int lines = 0; s && pos < len && row < p->h && lines < 3; lines++, row++) {
        size_t next, width = (size_t)(p->w > 3 ? p->w - 2 : 1);
        size_t n = text_wrap_line(s + pos, len - pos, width, amb, &next);
        if (lines == 2 || row == p->h - 1) /* the last row it may take: cut what is left */
            n = len - pos;
        draw_text_cut(a, p->win, row, 1, s + pos, n, p->w - 2, alert ? ATTR_ALERT : ATTR_DIM);
        pos += next ? next : (n ? n : 1);
    }
}

static void draw_info(app *a, pane *p)
{
    const conversation *c = app_selected(a);
    int row = 0;
    if (p->h >= 3) {
        draw_header(a, p, _("Customer"), c ? (c->phone ? _("phone") : _("chat")) : "");
        row = 1;
    }
    if (!c)
        return;
    char line[320];
    customer_line(a, c, line, sizeof line);
    draw_text_cut(a, p->win, row++, 1, line, strlen(line), p->w - 2, ATTR_NORMAL);
    if (row < p->h && unsure_line(a, c, line, sizeof line))
        draw_text_cut(a, p->win, row++, 1, line, strlen(line), p->w - 2, ATTR_NEAR);
    if (row < p->h && end_line(a, c, line, sizeof line))
        draw_text_cut(a, p->win, row++, 1, line, strlen(line), p->w - 2, ATTR_NEAR);
    if (row < p->h && deadline_line(a, c, line, sizeof line))
        draw_text_cut(a, p->win, row++, 1, line, strlen(line), p->w - 2,
                      c->complaint_overdue ? ATTR_PAST : ATTR_NEAR);
    if (row < p->h && c->value_count) {
        buf b;
        buf_init(&b);
        values_line(a, c, &b);
        draw_text_cut(a, p->win, row++, 1, buf_str(&b), b.len, p->w - 2, ATTR_NORMAL);
        buf_free(&b);
    }
    if (row < p->h)
        lookup_line(a, p, c, row);
}

const pane_ops info_pane_ops = {"info", draw_info};
