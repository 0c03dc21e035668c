/* connect: how the console reaches the customer, said where a newcomer looks. On the bundled
 * demo a hint line above the compose line names --feed and the config's feed:; the help
 * overlay (F1) ends with a section saying where a sent line goes for the current feed (to
 * the chat, or to the clipboard by OSC 52, and what tmux needs to pass that on). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "intl.h"
#include "ui/app.h"

/* The section's rows after the current-feed row: a key-column label and the text. */
static const struct {
    const char *label;
    const char *text;
} connect_rows[] = {
    {"--feed SPEC", N_("or feed: SPEC in ~/.config/huashu/config.yaml")},
    {"SPEC", N_("- (stdin)  file:PATH  unix:PATH  exec:COMMAND  chatwoot:")},
    {N_("to the chat"), N_("unix:, exec:, chatwoot: send a line to the customer")},
    {N_("clipboard"), N_("- and file: copy it (OSC 52); paste it in the chat")},
    {"tmux", N_("set -g set-clipboard on (~/.tmux.conf) passes OSC 52 on")},
    {"screen", N_("does not pass OSC 52 on: run in tmux, or use xclip/wl-copy")},
};

#define CONNECT_FIXED (sizeof connect_rows / sizeof connect_rows[0])

int connect_help_rows(const app *a)
{
    (void)a;
    return 3 + (int)CONNECT_FIXED; /* a blank row, the title, the current feed, the rest */
}

/* Where a sent line goes now, for the feed the console runs on. */
static void current_feed(const app *a, char *out, size_t cap)
{
    if (a->feed_kind && a->feed_sends)
        snprintf(out, cap, _("%s: a sent line goes to the chat"), a->feed_kind);
    else if (a->feed_kind)
        snprintf(out, cap, _("%s: read-only, a sent line is copied to the clipboard"),
                 a->feed_kind);
    else if (a->on_demo)
        snprintf(out, cap, "%s", _("demo: a sent line stays in the transcript and session log"));
    else
        snprintf(out, cap, "%s", _("no feed: a sent line stays in the transcript and session log"));
}

void connect_help_row(const app *a, int r, char *label, size_t lcap, char *text, size_t tcap)
{
    label[0] = text[0] = '\0';
    if (r == 1) {
        snprintf(label, lcap, "%s", _("CONNECT"));
        snprintf(text, tcap, "%s", _("Connect your chat: where lines come from, where replies go"));
    } else if (r == 2) {
        snprintf(label, lcap, "%s", _("now"));
        current_feed(a, text, tcap);
    } else if (r >= 3 && r - 3 < (int)CONNECT_FIXED) {
        snprintf(label, lcap, "%s", _(connect_rows[r - 3].label));
        snprintf(text, tcap, "%s", _(connect_rows[r - 3].text));
    }
}

/* The bundled demo's hint line: how to connect a real chat instead. */
static void draw_hint(app *a, pane *p)
{
    const char *hint = _(
        "Demo: a sent line stays here. Connect a chat: --feed SPEC, or feed: in config.yaml (F1)");
    draw_fill(a, p->win, 0, 0, p->w, ATTR_DIM);
    draw_text_cut(a, p->win, 0, 1, hint, strlen(hint), p->w - 2, ATTR_DIM);
}

const pane_ops hint_pane_ops = {"hint", draw_hint};
