/* The suggest pane: the lines that fit the selected conversation now, numbered for the keys
 * that use them, missing values shown as 【holes】; the ladder's next line and when it comes.
 * While "/" search is open it lists the playbook lines that match instead. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/queue.h"
#include "intl.h"
#include "ui/app.h"

#define HOLE_OPEN  "\xE3\x80\x90" /* 【 */
#define HOLE_CLOSE "\xE3\x80\x91" /* 】 */

/* Draws text with its 【holes】 highlighted; returns the columns used. */
static int draw_with_holes(app *a, WINDOW *w, int y, int x, const char *text, int cols, bool holes)
{
    int used = 0;
    const char *p = text;
    while (*p && used < cols) {
        const char *open = holes ? strstr(p, HOLE_OPEN) : NULL;
        const char *close = open ? strstr(open, HOLE_CLOSE) : NULL;
        if (!open || !close) {
            used += draw_text_cut(a, w, y, x + used, p, strlen(p), cols - used, ATTR_NORMAL);
            break;
        }
        used += draw_text(a, w, y, x + used, p, (size_t)(open - p), cols - used, ATTR_NORMAL);
        size_t hole = (size_t)(close + 3 - open);
        used += draw_text(a, w, y, x + used, open, hole, cols - used, ATTR_HOLE);
        p = close + 3;
    }
    return used;
}

static const char *reason_mark(suggest_reason r)
{
    switch (r) {
    case REASON_TRANSITION:
        return ">";
    case REASON_LADDER:
        return "*";
    case REASON_LATE:
        return "!";
    case REASON_GREETING:
        return "+";
    default:
        return " ";
    }
}

/* One suggestion: its key number (0 for the ladder's line), why it is here, the text and (when
 * wide) its short code. */
static void draw_suggestion(app *a, pane *p, int y, const suggestion *s, size_t key)
{
    const pb_line *l = &a->pb->lines[s->line];
    char num[24];
    snprintf(num, sizeof num, "%zu", key);
    int x = 1 + draw_text(a, p->win, y, 1, num, strlen(num), 2, ATTR_KEY);
    const char *mark = reason_mark(s->reason);
    x +=
        draw_text(a, p->win, y, x, mark, 1, 1, s->reason == REASON_STATE ? ATTR_NORMAL : ATTR_NEAR);
    x += 1;
    int code_w = l->code && p->w >= 60 ? (int)strlen(l->code) + 3 : 0;
    draw_with_holes(a, p->win, y, x, s->text, p->w - x - code_w, s->missing_count > 0);
    if (code_w) {
        char code[40];
        snprintf(code, sizeof code, "[%s]", l->code);
        draw_text(a, p->win, y, p->w - code_w + 1, code, strlen(code), code_w - 1, ATTR_DIM);
    }
}

/* "in 3s: <line>" for the ladder step still to come, NULL text when none is pending. */
static bool ladder_next(app *a, const conversation *c, char *when, size_t cap, const char **text)
{
    int64_t next = queue_ladder_next(a->engine, c);
    if (next == QUEUE_NEVER)
        return false;
    const pb_state *st = &a->pb->states[c->state];
    const pb_step *step = &st->ladder[c->ladder_step];
    int secs = (int)((next - app_now(a) + 999) / 1000);
    snprintf(when, cap, _("next line in %ds"), secs < 0 ? 0 : secs);
    int line = !c->phone && step->chat_line >= 0 ? step->chat_line : step->line;
    *text = line >= 0 ? a->pb->lines[line].text : "";
    return true;
}

static void draw_picks(app *a, pane *p)
{
    compose_state *cs = &a->compose;
    int top = p->h >= 3 ? 1 : 0;
    if (top) {
        char title[160], right[48];
        snprintf(title, sizeof title, _("Search: %s"), buf_str(&cs->answer));
        snprintf(right, sizeof right, _("%zu lines, Enter inserts"), cs->pick_count);
        draw_header(a, p, title, right);
    }
    int rows = p->h - top;
    size_t first = cs->pick_selected >= (size_t)rows ? cs->pick_selected - (size_t)rows + 1 : 0;
    for (int r = 0; r < rows && first + (size_t)r < cs->pick_count; r++) {
        size_t i = first + (size_t)r;
        const pb_line *l = &a->pb->lines[cs->picks[i]];
        bool sel = i == cs->pick_selected;
        if (sel)
            draw_fill(a, p->win, top + r, 0, p->w, ATTR_SELECTED);
        char head[96];
        snprintf(head, sizeof head, "%-4s %s: ", l->code ? l->code : "",
                 a->pb->states[l->state].label);
        int x = 1 + draw_text(a, p->win, top + r, 1, head, strlen(head), p->w - 2,
                              sel ? ATTR_SELECTED : ATTR_KEY);
        draw_text_cut(a, p->win, top + r, x, l->text, strlen(l->text), p->w - x - 1,
                      sel ? ATTR_SELECTED : ATTR_NORMAL);
    }
    if (cs->pick_count == 0)
        draw_text(a, p->win, top, 1, _("no line matches"), strlen(_("no line matches")), p->w - 2,
                  ATTR_DIM);
}

static void draw_suggest(app *a, pane *p)
{
    if (a->compose.mode == COMPOSE_PICK) {
        draw_picks(a, p);
        return;
    }
    const conversation *c = app_selected(a);
    int top = p->h >= 4 ? 1 : 0;
    char when[64] = "";
    const char *next_text = NULL;
    bool next = c && !c->closed && ladder_next(a, c, when, sizeof when, &next_text);
    if (top) {
        char title[160];
        snprintf(title, sizeof title, "%s%s%s", _("Suggestions"), c ? " | " : "",
                 c ? a->pb->states[c->state].label : "");
        draw_header(a, p, title, when);
    }
    int rows = p->h - top;
    if (a->ladder_shown_set && rows > 0) {
        draw_suggestion(a, p, top, &a->ladder_shown, 0);
        top++;
        rows--;
    }
    size_t n = a->shown_count < (size_t)rows ? a->shown_count : (size_t)rows;
    if (next && n == (size_t)rows && rows > 1)
        n--; /* keep a row for what the ladder says next */
    for (size_t i = 0; i < n; i++)
        draw_suggestion(a, p, top + (int)i, &a->shown[i], i + 1);
    if (next && (int)n < rows) {
        char line[512];
        snprintf(line, sizeof line, "   %s: %s", when, next_text);
        draw_text_cut(a, p->win, top + (int)n, 0, line, strlen(line), p->w - 1, ATTR_DIM);
    }
    if (c && c->closed)
        draw_text(a, p->win, top, 1, _("conversation closed"), strlen(_("conversation closed")),
                  p->w - 2, ATTR_DIM);
}

const pane_ops suggest_pane_ops = {"suggest", draw_suggest};
