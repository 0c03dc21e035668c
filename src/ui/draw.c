/* draw: the one way panes put text on screen. Cuts by display width with text_fit, never
 * splits a glyph or lets curses wrap one, and picks colours or, with NO_COLOR, bold/reverse. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "core/civil.h"
#include "core/text.h"
#include "ui/app.h"

enum {
    PAIR_HEADER = 1,
    PAIR_OK,
    PAIR_NEAR,
    PAIR_PAST,
    PAIR_HOLE,
    PAIR_CUSTOMER,
    PAIR_AGENT,
    PAIR_KEY
};

static void color_attrs(attr_t *t)
{
    init_pair(PAIR_HEADER, COLOR_WHITE, COLOR_BLUE);
    init_pair(PAIR_OK, COLOR_GREEN, -1);
    init_pair(PAIR_NEAR, COLOR_YELLOW, -1);
    init_pair(PAIR_PAST, COLOR_WHITE, COLOR_RED);
    init_pair(PAIR_HOLE, COLOR_BLACK, COLOR_YELLOW);
    init_pair(PAIR_CUSTOMER, COLOR_CYAN, -1);
    init_pair(PAIR_AGENT, COLOR_GREEN, -1);
    init_pair(PAIR_KEY, COLOR_YELLOW, -1);
    t[ATTR_HEADER] = COLOR_PAIR(PAIR_HEADER) | A_BOLD;
    t[ATTR_SELECTED] = A_REVERSE;
    t[ATTR_OK] = COLOR_PAIR(PAIR_OK);
    t[ATTR_NEAR] = COLOR_PAIR(PAIR_NEAR) | A_BOLD;
    t[ATTR_PAST] = COLOR_PAIR(PAIR_PAST) | A_BOLD;
    t[ATTR_HOLE] = COLOR_PAIR(PAIR_HOLE);
    t[ATTR_DIM] = A_DIM;
    t[ATTR_CUSTOMER] = COLOR_PAIR(PAIR_CUSTOMER);
    t[ATTR_AGENT] = COLOR_PAIR(PAIR_AGENT);
    t[ATTR_KEY] = COLOR_PAIR(PAIR_KEY) | A_BOLD;
    t[ATTR_ALERT] = COLOR_PAIR(PAIR_PAST) | A_BOLD;
}

/* Without colour (NO_COLOR, or a terminal without it) emphasis is bold, reverse, underline. */
static void mono_attrs(attr_t *t)
{
    t[ATTR_HEADER] = A_REVERSE;
    t[ATTR_SELECTED] = A_BOLD | A_UNDERLINE;
    t[ATTR_NEAR] = A_BOLD;
    t[ATTR_PAST] = A_REVERSE | A_BOLD;
    t[ATTR_HOLE] = A_UNDERLINE | A_BOLD;
    t[ATTR_DIM] = A_DIM;
    t[ATTR_CUSTOMER] = A_BOLD;
    t[ATTR_KEY] = A_BOLD;
    t[ATTR_ALERT] = A_REVERSE | A_BOLD;
}

void draw_init_attrs(app *a)
{
    for (int i = 0; i < ATTR_COUNT; i++)
        a->attrs[i] = A_NORMAL;
    if (a->colors)
        color_attrs(a->attrs);
    else
        mono_attrs(a->attrs);
}

size_t draw_width(const app *a, const char *s, size_t len)
{
    return text_width(s, len, a->opt.ambiguous_width == 2);
}

/* The character curses is given for cp: never one curses thinks wider than we budgeted, never
 * a control, and a bidi or format character (from a name, an id, a looked-up value) as U+FFFD
 * where it takes a column, else nothing. */
static wchar_t safe_char(uint32_t cp, int budget)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        return 0;
    if (text_is_format_cp(cp)) /* bidi, zero-width and tag characters: shown, never obeyed */
        return budget > 0 ? (wchar_t)TEXT_REPLACEMENT : 0;
    int cw = wcwidth((wchar_t)cp);
    if (cw < 0 || cw > budget)
        return budget > 0 ? (wchar_t)TEXT_REPLACEMENT : 0;
    return (wchar_t)cp;
}

int draw_text(app *a, WINDOW *w, int y, int x, const char *s, size_t len, int cols, int attr)
{
    if (!w || cols <= 0 || !s)
        return 0;
    bool amb = a->opt.ambiguous_width == 2;
    size_t used;
    size_t fit = text_fit(s, len, (size_t)cols, amb, &used);
    wchar_t chunk[128];
    size_t n = 0;
    wattrset(w, a->attrs[attr]);
    wmove(w, y, x);
    for (size_t i = 0; i < fit;) {
        uint32_t cp;
        i += text_decode(s + i, fit - i, &cp);
        wchar_t wc = safe_char(cp, text_cp_width(cp, amb));
        if (wc)
            chunk[n++] = wc;
        if (n == sizeof chunk / sizeof chunk[0]) {
            waddnwstr(w, chunk, (int)n);
            n = 0;
        }
    }
    if (n)
        waddnwstr(w, chunk, (int)n);
    if (fit < len && used < (size_t)cols) { /* a wide glyph would straddle the edge */
        mvwaddch(w, y, x + (int)used, ' ');
        used++;
    }
    wattrset(w, A_NORMAL);
    return (int)used;
}

int draw_text_cut(app *a, WINDOW *w, int y, int x, const char *s, size_t len, int cols, int attr)
{
    if (cols <= 0 || !s)
        return 0;
    if (draw_width(a, s, len) <= (size_t)cols || cols < 4)
        return draw_text(a, w, y, x, s, len, cols, attr);
    int used = draw_text(a, w, y, x, s, len, cols - 2, attr);
    return used + draw_text(a, w, y, x + used, "..", 2, 2, ATTR_DIM);
}

void draw_fill(app *a, WINDOW *w, int y, int x, int cols, int attr)
{
    if (!w || cols <= 0)
        return;
    wattrset(w, a->attrs[attr]);
    mvwhline(w, y, x, ' ', cols);
    wattrset(w, A_NORMAL);
}

void draw_header(app *a, pane *p, const char *title, const char *right)
{
    draw_fill(a, p->win, 0, 0, p->w, ATTR_HEADER);
    int used = 1 + draw_text(a, p->win, 0, 1, title, strlen(title), p->w - 2, ATTR_HEADER);
    if (!right || !*right)
        return;
    int rw = (int)draw_width(a, right, strlen(right));
    int room = p->w - used - 2;
    if (room <= 0)
        return;
    if (rw > room)
        rw = room;
    draw_text(a, p->win, 0, p->w - 1 - rw, right, strlen(right), rw, ATTR_HEADER);
}

void draw_duration(int64_t ms, char *out, size_t cap)
{
    int64_t s = ms > 0 ? ms / 1000 : 0;
    if (s >= 3600)
        snprintf(out, cap, "%d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    else
        snprintf(out, cap, "%d:%02d", (int)(s / 60), (int)(s % 60));
}

void draw_clock(int64_t ms, int tz, char *out, size_t cap)
{
    civil_time t = civil_from_ms(ms, tz);
    snprintf(out, cap, "%02d:%02d:%02d", t.hour, t.minute, t.second);
}
