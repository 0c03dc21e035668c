/* The queue pane: every conversation, most urgent first, with the one timer that matters
 * (unanswered for, on hold for, the ladder's next step) coloured as it nears its limit. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "intl.h"
#include "ui/app.h"

/* Who the conversation is with: the name, else surname and title, else its id. */
static const char *who(const conversation *c, char *out, size_t cap)
{
    if (c->name[0])
        snprintf(out, cap, "%s", c->name);
    else if (c->surname[0])
        snprintf(out, cap, "%s%s", c->surname, c->title);
    else
        snprintf(out, cap, "%s", c->id);
    return out;
}

static int level_attr(const queue_item *it)
{
    switch (it->level) {
    case LEVEL_PAST:
        return ATTR_PAST;
    case LEVEL_NEAR:
        return ATTR_NEAR;
    default:
        return it->timer == QUEUE_IDLE || it->timer == QUEUE_CLOSED ? ATTR_DIM : ATTR_OK;
    }
}

/* The timer text of an item: "0:23", "3s", "now", "" or "closed". */
static void timer_text(const queue_item *it, int64_t now, char *out, size_t cap)
{
    out[0] = '\0';
    switch (it->timer) {
    case QUEUE_WAITING:
    case QUEUE_HOLD:
        draw_duration(it->elapsed, out, cap);
        break;
    case QUEUE_LADDER:
        if (it->prompt)
            snprintf(out, cap, "%s", _("now"));
        else
            snprintf(out, cap, "%ds", (int)((it->due - now + 999) / 1000));
        break;
    case QUEUE_CLOSED:
        snprintf(out, cap, "%s", _("closed"));
        break;
    case QUEUE_IDLE:
        break;
    }
    if (it->timer == QUEUE_HOLD && it->prompt)
        strncat(out, "!", cap - strlen(out) - 1);
}

/* One item on one row: marker, who, then state and timer right-aligned. */
static void draw_item(app *a, pane *p, int y, int width, const queue_item *it, int64_t now)
{
    const conversation *c = engine_at(a->engine, it->index);
    bool selected = (int)it->index == a->selected;
    char name[160], timer[32];
    timer_text(it, now, timer, sizeof timer);
    const char *label = a->pb->states[c->state].label;
    int base = selected ? ATTR_SELECTED : c->closed ? ATTR_DIM : ATTR_NORMAL;
    if (selected)
        draw_fill(a, p->win, y, 0, width, ATTR_SELECTED);
    draw_text(a, p->win, y, 0, selected ? ">" : " ", 1, 1, base);
    int tw = (int)draw_width(a, timer, strlen(timer));
    int lw = (int)draw_width(a, label, strlen(label));
    if (lw > 8)
        lw = 8;
    int right = tw + (tw ? 1 : 0) + lw;
    int name_w = width - 2 - right - 1;
    if (name_w < 4) { /* narrow: the timer matters more than the state */
        lw = 0;
        right = tw + 1;
        name_w = width - 2 - right;
    }
    who(c, name, sizeof name);
    draw_text_cut(a, p->win, y, 1, name, strlen(name), name_w, base);
    int x = width - right;
    if (lw > 0 && x > 1)
        draw_text(a, p->win, y, x, label, strlen(label), lw, c->closed ? ATTR_DIM : base);
    if (tw && width - tw > 1)
        draw_text(a, p->win, y, width - tw, timer, strlen(timer), tw, level_attr(it));
}

/* One row listing the conversations side by side (the single-column layout). */
static void draw_strip(app *a, pane *p, int64_t now)
{
    int x = 0;
    for (size_t i = 0; i < a->queue_count && x < p->w; i++) {
        const queue_item *it = &a->queue[i];
        const conversation *c = engine_at(a->engine, it->index);
        if (c->closed && (int)it->index != a->selected)
            continue;
        char name[160], timer[32], item[224];
        timer_text(it, now, timer, sizeof timer);
        snprintf(item, sizeof item, "%s%s%s", who(c, name, sizeof name), timer[0] ? " " : "",
                 timer);
        int attr = (int)it->index == a->selected ? ATTR_SELECTED : level_attr(it);
        if (it->level == LEVEL_OK && (int)it->index != a->selected)
            attr = ATTR_NORMAL;
        x += draw_text(a, p->win, 0, x, item, strlen(item), p->w - x, attr);
        x += draw_text(a, p->win, 0, x, " | ", 3, p->w - x, ATTR_DIM);
    }
    if (a->queue_count == 0)
        draw_text(a, p->win, 0, 0, _("no conversations"), strlen(_("no conversations")), p->w,
                  ATTR_DIM);
}

static size_t urgent_count(const app *a)
{
    size_t n = 0;
    for (size_t i = 0; i < a->queue_count; i++)
        n += a->queue[i].level == LEVEL_PAST;
    return n;
}

/* The first row to show so that the selected conversation stays visible. */
static size_t first_row(const app *a, int rows)
{
    size_t pos = 0;
    for (size_t i = 0; i < a->queue_count; i++)
        if ((int)a->queue[i].index == a->selected)
            pos = i;
    return rows > 0 && pos >= (size_t)rows ? pos - (size_t)rows + 1 : 0;
}

static void draw_queue(app *a, pane *p)
{
    int64_t now = app_now(a);
    if (p->h == 1) {
        draw_strip(a, p, now);
        return;
    }
    int top = a->single_column ? 0 : 1, width = a->single_column ? p->w : p->w - 1;
    if (!a->single_column) {
        char right[64];
        snprintf(right, sizeof right, _("%zu open, %zu late"), app_open_count(a), urgent_count(a));
        draw_header(a, p, _("Queue"), right);
        wattrset(p->win, a->attrs[ATTR_DIM]);
        mvwvline(p->win, 1, p->w - 1, '|', p->h - 1);
        wattrset(p->win, A_NORMAL);
    }
    int rows = p->h - top;
    size_t first = first_row(a, rows);
    for (int r = 0; r < rows && first + (size_t)r < a->queue_count; r++)
        draw_item(a, p, top + r, width, &a->queue[first + (size_t)r], now);
    if (a->queue_count == 0)
        draw_text(a, p->win, top, 1, _("waiting for customers"), strlen(_("waiting for customers")),
                  width - 1, ATTR_DIM);
}

const pane_ops queue_pane_ops = {"queue", draw_queue};
