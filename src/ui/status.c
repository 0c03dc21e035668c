/* The status line: mode, clock, counts, the latest message, and hints for the main keys.
 * Asks "quit?" when chats are open. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "intl.h"
#include "ui/app.h"

static size_t late_count(const app *a)
{
    size_t n = 0;
    for (size_t i = 0; i < a->queue_count; i++)
        n += a->queue[i].level == LEVEL_PAST;
    return n;
}

/* "F1 help  Tab next  Enter send" from the current key bindings. */
static void hints(app *a, char *out, size_t cap)
{
    static const struct {
        action act;
        const char *label;
    } shown[] = {{ACT_HELP, N_("help")},
                 {ACT_NEXT, N_("next")},
                 {ACT_SEND, N_("send")},
                 {ACT_HOLD, N_("hold")},
                 {ACT_QUIT, N_("quit")}};
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof shown / sizeof shown[0] && used + 1 < cap; i++) {
        char keys[32];
        keymap_describe(&a->keys, shown[i].act, keys, sizeof keys);
        char *space = strchr(keys, ' ');
        if (space)
            *space = '\0'; /* the first key is enough here */
        int n =
            snprintf(out + used, cap - used, "%s%s %s", used ? "  " : "", keys, _(shown[i].label));
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
}

static void draw_status(app *a, pane *p)
{
    if (a->quit_asked) {
        char q[160];
        size_t open = app_open_count(a);
        snprintf(q, sizeof q,
                 ngettext("%zu conversation is open. Quit? (y/n)",
                          "%zu conversations are open. Quit? (y/n)", open),
                 open);
        draw_fill(a, p->win, 0, 0, p->w, ATTR_ALERT);
        draw_text(a, p->win, 0, 1, q, strlen(q), p->w - 2, ATTR_ALERT);
        return;
    }
    draw_fill(a, p->win, 0, 0, p->w, ATTR_HEADER);
    char clock[16], left[128];
    draw_clock(app_now(a), a->tz_offset, clock, sizeof clock);
    snprintf(left, sizeof left, _("%s %s | %zu open, %zu late"), a->mode_label, clock,
             app_open_count(a), late_count(a));
    int x = 1 + draw_text(a, p->win, 0, 1, left, strlen(left), p->w - 2, ATTR_HEADER);
    if (a->status[0]) {
        x += 2;
        x += draw_text_cut(a, p->win, 0, x, a->status, strlen(a->status), p->w - x - 1,
                           a->status_alert ? ATTR_ALERT : ATTR_HEADER);
        return;
    }
    char h[160];
    hints(a, h, sizeof h);
    int hw = (int)draw_width(a, h, strlen(h));
    if (x + 2 + hw < p->w)
        draw_text(a, p->win, 0, p->w - 1 - hw, h, strlen(h), hw, ATTR_HEADER);
}

const pane_ops status_pane_ops = {"status", draw_status};
