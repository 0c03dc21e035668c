/* layout: where each pane goes. Two columns from 80x24 up (queue on the left; transcript,
 * info and suggestions on the right), one column below, compose and status lines at the
 * bottom. Any size works, down to a single row. */
#include "ui/app.h"

static void place(pane *p, int y, int x, int h, int w)
{
    p->y = y;
    p->x = x;
    p->h = h > 0 ? h : 0;
    p->w = w > 0 ? w : 0;
}

static void two_columns(app *a, int rows, int cols)
{
    int qw = a->opt.queue_width < cols / 3 ? a->opt.queue_width : cols / 3;
    int hint = a->connect_hint ? 1 : 0;
    int body = rows - 2 - hint, rw = cols - qw;
    int suggest_h = 10, info_h = 4;
    int chat_h = body - suggest_h - info_h;
    place(&a->panes[PANE_QUEUE], 0, 0, body, qw);
    place(&a->panes[PANE_CHAT], 0, qw, chat_h, rw);
    place(&a->panes[PANE_INFO], chat_h, qw, info_h, rw);
    place(&a->panes[PANE_SUGGEST], chat_h + info_h, qw, suggest_h, rw);
    place(&a->panes[PANE_HINT], rows - 3, 0, hint, cols);
    place(&a->panes[PANE_COMPOSE], rows - 2, 0, 1, cols);
    place(&a->panes[PANE_STATUS], rows - 1, 0, 1, cols);
}

static void one_column(app *a, int rows, int cols)
{
    int hint = a->connect_hint && rows >= 12 ? 1 : 0;
    int body = rows >= 2 ? rows - 2 - hint : 0;
    int queue_h = body >= 14 ? 3 : body >= 3 ? 1 : 0;
    int suggest_h = body >= 12 ? 5 : body >= 8 ? 3 : body >= 2 ? 1 : 0;
    int info_h = body >= 12 ? 1 : 0;
    int chat_h = body - queue_h - suggest_h - info_h;
    int y = 0;
    place(&a->panes[PANE_QUEUE], y, 0, queue_h, cols);
    y += queue_h;
    place(&a->panes[PANE_CHAT], y, 0, chat_h, cols);
    y += chat_h;
    place(&a->panes[PANE_INFO], y, 0, info_h, cols);
    y += info_h;
    place(&a->panes[PANE_SUGGEST], y, 0, suggest_h, cols);
    y += suggest_h;
    place(&a->panes[PANE_HINT], y, 0, hint, cols);
    place(&a->panes[PANE_COMPOSE], rows >= 2 ? rows - 2 : 0, 0, 1, cols);
    place(&a->panes[PANE_STATUS], rows - 1, 0, rows >= 2 ? 1 : 0, cols);
}

void layout_free(app *a)
{
    for (int i = 0; i < PANE_COUNT; i++) {
        if (a->panes[i].win)
            delwin(a->panes[i].win);
        a->panes[i].win = NULL;
    }
    if (a->help_win)
        delwin(a->help_win);
    a->help_win = NULL;
}

void layout_apply(app *a, int rows, int cols)
{
    layout_free(a);
    a->rows = rows;
    a->cols = cols;
    a->single_column = cols < 80 || rows < 24;
    if (a->single_column)
        one_column(a, rows, cols);
    else
        two_columns(a, rows, cols);
    for (int i = 0; i < PANE_COUNT; i++) {
        pane *p = &a->panes[i];
        if (p->h > 0 && p->w > 0 && p->y + p->h <= rows && p->x + p->w <= cols)
            p->win = newwin(p->h, p->w, p->y, p->x);
        if (p->win)
            leaveok(p->win, i != PANE_COMPOSE);
        p->dirty = true;
    }
}
