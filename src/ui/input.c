/* input: keys from curses turned into HK_ codes (a lone Esc told apart from an Alt chord),
 * then routed: quit question, help, the compose line's modes, bound actions, typing. */
#include "config.h"

#include <poll.h>

#include "core/lineedit.h"
#include "core/text.h"
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

/* Reads one key as wget_wch would: OK with a character, KEY_CODE_YES with a function key, ERR
 * when no whole one waits. The bytes of a UTF-8 character are gathered here, across reads:
 * ncurses' wget_wch loses a character split between two reads of a fast paste and then keeps
 * failing with EILSEQ; invalid bytes come out as U+FFFD. */
static int read_key(app *a, wint_t *ch)
{
    for (;;) {
        int c = wgetch(a->input);
        if (c == ERR)
            return ERR;
        if (c >= KEY_MIN || (c < 0x80 && a->utf8_len == 0)) {
            *ch = (wint_t)c;
            return c >= KEY_MIN ? KEY_CODE_YES : OK;
        }
        unsigned char byte = (unsigned char)c;
        bool continuation = (byte & 0xC0) == 0x80;
        if (a->utf8_len > 0 && !continuation) { /* a character cut short: U+FFFD for it */
            a->utf8_len = 0;
            ungetch(c); /* and this byte starts the next key */
            *ch = TEXT_REPLACEMENT;
            return OK;
        }
        a->utf8[a->utf8_len++] = byte;
        size_t need = a->utf8[0] >= 0xF0 ? 4 : a->utf8[0] >= 0xE0 ? 3 : a->utf8[0] >= 0xC0 ? 2 : 1;
        if (a->utf8_len < need && a->utf8_len < sizeof a->utf8)
            continue;
        uint32_t cp;
        size_t used = text_decode((const char *)a->utf8, a->utf8_len, &cp);
        if (used != a->utf8_len)
            cp = TEXT_REPLACEMENT;
        a->utf8_len = 0;
        *ch = (wint_t)cp;
        return OK;
    }
}

/* How long input may pause inside a paste (ms): a paste end marker followed by more input
 * within this time was part of the pasted text. */
#define PASTE_GRACE_MS 100

/* True when more input arrives on fd within PASTE_GRACE_MS. */
static bool input_follows(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, PASTE_GRACE_MS) == 1 && (p.revents & POLLIN);
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
    for (;;) {
        if ((rc = read_key(a, &ch)) == ERR) {
            if (!a->paste_ending || !input_follows(fd))
                break;
            a->paste_ending = false; /* more came at once: that end marker was pasted text */
            continue;
        }
        if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
            a->resize_pending = true;
            continue;
        }
        int key = translate(rc, ch);
        if (key == HK_ESC) {
            /* curses waited escape_delay ms for a sequence: a key now means Alt+key */
            wint_t next;
            int rc2 = read_key(a, &next);
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
    input_paste_flush(a);
}

void input_paste_flush(app *a)
{
    if (a->paste.len) {
        a->paste_left += compose_paste(a, a->paste.data, a->paste.len);
        buf_clear(&a->paste);
    }
    if (a->paste.failed) {
        app_message(a, true, "%s", _("out of memory: the paste was not put in"));
        buf_clear(&a->paste);
    }
    if (a->paste_ending) { /* no more input waits: that was the paste's real end */
        a->pasting = a->paste_ending = false;
        compose_paste_cut(a, a->paste_left);
        a->paste_left = 0;
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

/* Inside a bracketed paste everything is text: line breaks and tabs become spaces, and no key
 * does anything. The text is gathered and put in the compose line in one piece once the input
 * waiting has been read. A paste end marker ends the paste only when no more input follows it
 * within PASTE_GRACE_MS: pasted text holding the marker itself (then Enter) cannot send. */
static bool paste_key(app *a, int key)
{
    if (key == HK_PASTE_BEGIN) {
        if (!a->pasting)
            a->paste_left = 0;
        a->pasting = true;
        a->paste_ending = false;
        return true;
    }
    if (key == HK_PASTE_END) {
        a->paste_ending = a->pasting;
        return true;
    }
    if (!a->pasting)
        return false;
    if (key == HK_ENTER || key == HK_TAB)
        key = ' ';
    if (!keys_printable(key))
        return true;
    if (a->paste.len < 2 * LINEEDIT_MAX)
        text_encode(&a->paste, (uint32_t)key);
    else /* what cannot go in anyway is only counted */
        a->paste_left += key < 0x80 ? 1 : key < 0x800 ? 2 : key < 0x10000 ? 3 : 4;
    return true;
}

void input_key(app *a, int key)
{
    if (a->pasting && paste_key(a, key))
        return;
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
