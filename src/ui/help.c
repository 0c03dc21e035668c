/* The help overlay (F1, or ? on an empty compose line): every action with its keys. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "intl.h"
#include "ui/app.h"

static const char *const fixed_help[] = {
    N_("Left Right Home End, C-a C-e C-b C-f: move in the compose line"),
    N_("BSpace Del C-d, C-u C-k C-w: delete (all before, all after, a word)"),
    N_("Up Down: choose in the / search; Enter inserts the line"),
    N_("1-9 ? / act only when the compose line is empty; otherwise they type."),
    N_("A line with a 【hole】 asks for the value in place; Enter confirms, Esc cancels."),
};

#define FIXED (sizeof fixed_help / sizeof fixed_help[0])

/* Lines in the feed's log (the log view, F11); 0 without a feed. */
static size_t log_rows(const app *a)
{
    return a->ops.feed_log_count ? a->ops.feed_log_count(a->ops_ctx) : 0;
}

static int help_rows(const app *a)
{
    if (a->help_shows_log)
        return log_rows(a) ? (int)log_rows(a) : 1;
    return (ACT_COUNT - 1) + 1 + (int)FIXED + connect_help_rows(a);
}

/* Row r of the help text: an action with its keys, the fixed notes, then how to connect a
 * chat (connect.c; its text goes to more). */
static void help_row(app *a, int r, char *keys, size_t kcap, const char **text, char *more,
                     size_t mcap)
{
    keys[0] = '\0';
    if (a->help_shows_log) {
        *text = log_rows(a) ? a->ops.feed_log_line(a->ops_ctx, (size_t)r)
                            : _("(nothing logged: no feed, or no bad line or message yet)");
    } else if (r < ACT_COUNT - 1) {
        keymap_describe(&a->keys, (action)(r + 1), keys, kcap);
        *text = _(action_table[r + 1].help);
    } else if (r == ACT_COUNT - 1) {
        *text = "";
    } else if (r - ACT_COUNT < (int)FIXED) {
        *text = _(fixed_help[r - ACT_COUNT]);
    } else {
        connect_help_row(a, r - ACT_COUNT - (int)FIXED, keys, kcap, more, mcap);
        *text = more;
    }
}

static void place_window(app *a)
{
    int h = a->rows - 1 < help_rows(a) + 2 ? a->rows - 1 : help_rows(a) + 2;
    int w = a->cols < 78 ? a->cols : 78;
    if (a->help_shows_log) /* log lines are long: the whole width */
        w = a->cols;
    if (h < 1)
        h = 1;
    if (w < 1)
        w = 1;
    int y = (a->rows - 1 - h) / 2, x = (a->cols - w) / 2;
    if (a->help_win) {
        int oh, ow;
        getmaxyx(a->help_win, oh, ow);
        if (oh == h && ow == w)
            return;
        delwin(a->help_win);
    }
    a->help_win = newwin(h, w, y < 0 ? 0 : y, x < 0 ? 0 : x);
    if (a->help_win)
        leaveok(a->help_win, TRUE);
}

void help_draw(app *a)
{
    place_window(a);
    WINDOW *w = a->help_win;
    if (!w)
        return;
    int h, width;
    getmaxyx(w, h, width);
    werase(w);
    pane p = {.win = w, .h = h, .w = width};
    draw_header(a, &p,
                a->help_shows_log ? _("feed log (Esc closes, Up/Down scroll)")
                                  : _("huashu keys (Esc closes, Up/Down scroll)"),
                "");
    int rows = h - 1, total = help_rows(a);
    if (a->help_scroll > total - rows)
        a->help_scroll = total - rows > 0 ? total - rows : 0;
    int kw = width >= 60 ? 16 : width / 3;
    for (int r = 0; r < rows && a->help_scroll + r < total; r++) {
        char keys[64], more[256];
        const char *text;
        help_row(a, a->help_scroll + r, keys, sizeof keys, &text, more, sizeof more);
        int x = 1;
        if (keys[0])
            x += draw_text(a, w, 1 + r, 1, keys, strlen(keys), kw, ATTR_KEY);
        x = keys[0] ? 1 + kw + 1 : 1;
        draw_text_cut(a, w, 1 + r, x, text, strlen(text), width - x - 1, ATTR_NORMAL);
    }
    touchwin(w);
    wnoutrefresh(w);
}

bool help_key(app *a, int key)
{
    switch (key) {
    case HK_UP:
        a->help_scroll = a->help_scroll > 0 ? a->help_scroll - 1 : 0;
        break;
    case HK_DOWN:
        a->help_scroll++;
        break;
    case HK_PGUP:
        a->help_scroll = a->help_scroll > 10 ? a->help_scroll - 10 : 0;
        break;
    case HK_PGDN:
        a->help_scroll += 10;
        break;
    default:
        a->help_open = false;
        app_mark_all(a);
        return true;
    }
    help_draw(a);
    return true;
}
