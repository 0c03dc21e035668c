/* input: keys from curses turned into HK_ codes (a lone Esc told apart from an Alt chord),
 * then routed: quit question, help, the compose line's modes, bound actions, typing. */
#include "config.h"

#include <poll.h>

#include "intl.h"
#include "ui/app.h"

/* The HK_ code of a curses function key, 0 when huashu has no use for it. */
static int translate_function_key(wint_t k)
{
    if (k >= (wint_t)KEY_F(1) && k <= (wint_t)KEY_F(24))
        return HK_F((int)(k - KEY_F(0)));
    switch (k) {
    case KEY_ENTER:
        return HK_ENTER;
    case KEY_BACKSPACE:
        return HK_BACKSPACE;
    case KEY_DC:
        return HK_DELETE;
    case KEY_IC:
        return HK_INSERT;
    case KEY_UP:
        return HK_UP;
    case KEY_DOWN:
        return HK_DOWN;
    case KEY_LEFT:
        return HK_LEFT;
    case KEY_RIGHT:
        return HK_RIGHT;
    case KEY_HOME:
        return HK_HOME;
    case KEY_END:
        return HK_END;
    case KEY_PPAGE:
        return HK_PGUP;
    case KEY_NPAGE:
        return HK_PGDN;
    case KEY_BTAB:
        return HK_BTAB;
    case KEY_MAX + 1:
        return HK_PASTE_BEGIN;
    case KEY_MAX + 2:
        return HK_PASTE_END;
    default:
        return 0;
    }
}

static int translate(int rc, wint_t ch)
{
    if (rc == KEY_CODE_YES)
        return translate_function_key(ch);
    switch (ch) {
    case '\r':
    case '\n':
        return HK_ENTER;
    case '\t':
        return HK_TAB;
    case 27:
        return HK_ESC;
    case 127:
    case 8:
        return HK_BACKSPACE;
    default:
        return (int)ch;
    }
}

void input_on_ready(void *ctx, int fd, short revents)
{
    app *a = ctx;
    wint_t ch;
    int rc;
    if (revents & (POLLHUP | POLLERR | POLLNVAL)) { /* the terminal went away */
        a->running = false;
        return;
    }
    while ((rc = wget_wch(a->input, &ch)) != ERR) {
        if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
            a->resize_pending = true;
            continue;
        }
        int key = translate(rc, ch);
        if (key == HK_ESC) {
            /* curses waited escape_delay ms for a sequence: a key now means Alt+key */
            wint_t next;
            int rc2 = wget_wch(a->input, &next);
            if (rc2 != ERR) {
                int k2 = translate(rc2, next);
                key = k2 && k2 != HK_ESC ? k2 | HK_ALT : HK_ESC;
            }
        }
        if ((key & HK_ALT) && !keys_printable(key & ~HK_ALT) &&
            keymap_lookup(&a->keys, key) == ACT_NONE) {
            input_key(a, HK_ESC); /* Esc then a function key, typed fast: not a chord */
            key &= ~HK_ALT;
        }
        if (key && a->running)
            input_key(a, key);
        if (!a->running)
            return;
    }
}

/* y quits, anything else goes back to work. */
static void quit_answer(app *a, int key)
{
    a->quit_asked = false;
    app_mark(a, PANE_STATUS);
    if (key == 'y' || key == 'Y')
        a->running = false;
}

/* Inside a bracketed paste everything is text: line breaks and tabs become spaces. */
static bool paste_key(app *a, int key)
{
    if (key == HK_PASTE_BEGIN || key == HK_PASTE_END) {
        a->pasting = key == HK_PASTE_BEGIN;
        return true;
    }
    if (!a->pasting)
        return false;
    if (key == HK_ENTER || key == HK_TAB)
        key = ' ';
    if (keys_printable(key) && !compose_mode_key(a, key))
        compose_edit_key(a, key);
    return true;
}

void input_key(app *a, int key)
{
    if (a->mode && a->mode->key && a->mode->key(a, key))
        return;
    if (a->quit_asked) {
        quit_answer(a, key);
        return;
    }
    if (paste_key(a, key))
        return;
    if (a->help_open) {
        help_key(a, key);
        return;
    }
    if (compose_mode_key(a, key))
        return;
    action act = keymap_lookup(&a->keys, key);
    if (act != ACT_NONE && keys_printable(key) && !compose_empty(a))
        act = ACT_NONE; /* mid-sentence, a printable key always types */
    if (act != ACT_NONE) {
        action_run(a, act);
        return;
    }
    compose_edit_key(a, key);
}
