/* The chat pane: the selected conversation's transcript, newest at the bottom, wrapped by
 * display width with kinsoku (text_wrap_line). Customer text was sanitised when it arrived. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "intl.h"
#include "ui/app.h"

typedef struct wrapped {
    size_t start, len;
} wrapped;

typedef struct wrap_list {
    wrapped *lines;
    size_t count, cap;
} wrap_list;

/* Wraps text to width columns into list (reusing its memory). */
static void wrap_text(app *a, const char *text, int width, wrap_list *list)
{
    list->count = 0;
    size_t len = strlen(text), pos = 0;
    bool amb = a->opt.ambiguous_width == 2;
    do {
        size_t next;
        size_t n =
            text_wrap_line(text + pos, len - pos, (size_t)(width > 0 ? width : 1), amb, &next);
        if (list->count == list->cap) {
            size_t cap = list->cap ? list->cap * 2 : 16;
            wrapped *grown = realloc(list->lines, cap * sizeof *grown);
            if (!grown)
                return;
            list->lines = grown;
            list->cap = cap;
        }
        list->lines[list->count++] = (wrapped){pos, n};
        if (next == 0)
            next = n ? n : 1;
        pos += next;
    } while (pos < len);
}

static const char *who_label(msg_kind kind)
{
    switch (kind) {
    case MSG_CUSTOMER:
        return _("Customer");
    case MSG_AGENT:
        return _("Me");
    case MSG_SYSTEM:
        return _("System");
    default:
        return "--";
    }
}

static int kind_attr(msg_kind kind)
{
    return kind == MSG_CUSTOMER ? ATTR_CUSTOMER : kind == MSG_AGENT ? ATTR_AGENT : ATTR_DIM;
}

/* The prefix of a message's first row: time (when there is room) and who spoke. */
static void prefix_of(app *a, const chat_msg *m, int width, char *out, size_t cap)
{
    char clock[16] = "";
    if (width >= 40)
        draw_clock(m->ts, a->tz_offset, clock, sizeof clock);
    snprintf(out, cap, "%s%s%s ", clock, clock[0] ? " " : "", who_label(m->kind));
}

/* Draws one message's rows bottom-up ending at *row; returns false when the pane is full. */
static bool draw_message(app *a, pane *p, const chat_msg *m, int top, int *row, int *skip,
                         wrap_list *list)
{
    char prefix[64];
    prefix_of(a, m, p->w, prefix, sizeof prefix);
    int pw = (int)draw_width(a, prefix, strlen(prefix));
    if (pw > p->w / 2)
        pw = 0;
    wrap_text(a, m->text, p->w - 1 - pw, list);
    for (size_t j = list->count; j-- > 0;) {
        if (*skip > 0) {
            (*skip)--;
            continue;
        }
        if (*row < top)
            return false;
        const wrapped *w = &list->lines[j];
        if (j == 0 && pw)
            draw_text(a, p->win, *row, 1, prefix, strlen(prefix), pw, kind_attr(m->kind));
        draw_text(a, p->win, *row, 1 + pw, m->text + w->start, w->len, p->w - 1 - pw,
                  m->kind == MSG_NOTE ? ATTR_DIM : ATTR_NORMAL);
        (*row)--;
    }
    return *row >= top;
}

static void draw_title(app *a, pane *p, const conversation *c)
{
    char who[160] = "", title[400];
    const char *channel = c->phone ? _("phone") : _("chat");
    if (c->name[0])
        snprintf(who, sizeof who, "%s", c->name);
    else if (c->surname[0])
        snprintf(who, sizeof who, "%s%s", c->surname, c->title);
    if (who[0])
        snprintf(title, sizeof title, "%s | %s | %s", who, channel, c->id);
    else
        snprintf(title, sizeof title, "%s | %s", c->id, channel);
    draw_header(a, p, title, a->pb->states[c->state].label);
}

static void draw_chat(app *a, pane *p)
{
    const conversation *c = app_selected(a);
    int top = p->h >= 3 ? 1 : 0;
    if (!c) {
        if (top)
            draw_header(a, p, _("Transcript"), "");
        const char *hint = a->manual ? _("No call yet: open one with the call key (F12).")
                                     : _("No conversation yet: waiting for customers.");
        draw_text(a, p->win, top, 1, hint, strlen(hint), p->w - 2, ATTR_DIM);
        return;
    }
    if (top)
        draw_title(a, p, c);
    ui_conv *u = app_conv(a, a->selected);
    wrap_list list = {0};
    int row = p->h - 1, skip = u->scroll;
    for (size_t i = u->count; i-- > 0;) {
        const chat_msg *m = &u->msgs[(u->start + i) % u->cap];
        if (!draw_message(a, p, m, top, &row, &skip, &list))
            break;
    }
    if (skip > 0) /* scrolled past the oldest message */
        u->scroll -= skip;
    free(list.lines);
}

const pane_ops chat_pane_ops = {"chat", draw_chat};
