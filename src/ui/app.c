/* The console screen's lifecycle: curses set-up, feeding events, the engine's observer, and
 * what the console layer's loop calls: tick, wake-up, resize, suspend, and the redraw of only
 * what changed. */
#include "config.h"

#include "ui/app.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "core/text.h"
#include "ui/crash.h"
#include "intl.h"

#define STATUS_MS 5000

static const pane_ops *const pane_table[PANE_COUNT] = {
    [PANE_QUEUE] = &queue_pane_ops,     [PANE_CHAT] = &chat_pane_ops,
    [PANE_SUGGEST] = &suggest_pane_ops, [PANE_INFO] = &info_pane_ops,
    [PANE_COMPOSE] = &compose_pane_ops, [PANE_STATUS] = &status_pane_ops,
    [PANE_HINT] = &hint_pane_ops,
};

int64_t app_now(const app *a)
{
    return a->ops.now(a->ops_ctx);
}

void app_mark(app *a, enum pane_id id)
{
    a->panes[id].dirty = true;
}

void app_mark_all(app *a)
{
    for (int i = 0; i < PANE_COUNT; i++)
        a->panes[i].dirty = true;
}

void app_message(app *a, bool alert, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->status, sizeof a->status, fmt, ap);
    va_end(ap);
    a->status_alert = alert;
    a->status_until = app_now(a) + STATUS_MS;
    app_mark(a, PANE_STATUS);
}

/* ---- conversations: the console's side, indexed like the engine's ------------------ */

static size_t pointer_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x;
}

static void index_insert(app *a, const conversation *c, size_t index)
{
    size_t slot = pointer_hash(c) & (a->index_cap - 1);
    while (a->index_table[slot])
        slot = (slot + 1) & (a->index_cap - 1);
    a->index_table[slot] = index + 1;
}

static bool index_grow(app *a)
{
    size_t cap = a->index_cap ? a->index_cap * 2 : 64;
    size_t *t = calloc(cap, sizeof *t);
    if (!t)
        return false;
    free(a->index_table);
    a->index_table = t;
    a->index_cap = cap;
    for (size_t i = 0; i < a->conv_count; i++)
        index_insert(a, engine_at(a->engine, i), i);
    return true;
}

/* The engine index of c, -1 when unknown. */
static int index_of(const app *a, const conversation *c)
{
    if (!c || !a->index_cap)
        return -1;
    size_t slot = pointer_hash(c) & (a->index_cap - 1);
    while (a->index_table[slot]) {
        size_t i = a->index_table[slot] - 1;
        if (engine_at(a->engine, i) == c)
            return (int)i;
        slot = (slot + 1) & (a->index_cap - 1);
    }
    return -1;
}

/* Adds console state for conversations the engine has started since the last call. */
static bool sync_convs(app *a)
{
    size_t n = engine_count(a->engine);
    while (a->conv_count < n) {
        if (a->conv_count == a->conv_cap) {
            size_t cap = a->conv_cap ? a->conv_cap * 2 : 16;
            ui_conv *grown = realloc(a->convs, cap * sizeof *grown);
            queue_item *q = grown ? realloc(a->queue, cap * sizeof *q) : NULL;
            if (grown)
                a->convs = grown;
            if (!q)
                return false;
            a->queue = q;
            a->conv_cap = cap;
        }
        if ((a->conv_count + 1) * 2 > a->index_cap && !index_grow(a))
            return false;
        ui_conv *u = &a->convs[a->conv_count];
        memset(u, 0, sizeof *u);
        buf_init(&u->draft);
        buf_init(&u->undo);
        u->draft_line = PB_NONE;
        u->undo_line = PB_NONE;
        index_insert(a, engine_at(a->engine, a->conv_count), a->conv_count);
        a->conv_count++;
    }
    return true;
}

ui_conv *app_conv(app *a, int index)
{
    return index >= 0 && (size_t)index < a->conv_count ? &a->convs[index] : NULL;
}

const conversation *app_selected(const app *a)
{
    return a->selected >= 0 ? engine_at(a->engine, (size_t)a->selected) : NULL;
}

size_t app_open_count(const app *a)
{
    size_t n = 0;
    for (size_t i = 0; i < engine_count(a->engine); i++)
        if (!engine_at(a->engine, i)->closed)
            n++;
    return n;
}

static chat_msg *msg_at(ui_conv *u, size_t i)
{
    return &u->msgs[(u->start + i) % u->cap];
}

/* Appends a sanitised message to the transcript, dropping the oldest past the scrollback. */
static void transcript_add(app *a, ui_conv *u, msg_kind kind, int64_t ts, int tz, const char *text)
{
    buf clean;
    buf_init(&clean);
    text_sanitize(&clean, text, strlen(text), true);
    char *copy = buf_take(&clean);
    if (!copy)
        return;
    size_t limit = (size_t)a->opt.scrollback;
    if (u->count == u->cap && u->cap < limit) {
        size_t cap = u->cap ? u->cap * 2 : 8;
        if (cap > limit)
            cap = limit;
        chat_msg *grown = realloc(u->msgs, cap * sizeof *grown);
        if (!grown) {
            free(copy);
            return;
        }
        u->msgs = grown;
        u->cap = cap;
    }
    if (u->count == u->cap) { /* full at the scrollback limit: drop the oldest */
        free(msg_at(u, 0)->text);
        u->start = (u->start + 1) % u->cap;
        u->count--;
    }
    *msg_at(u, u->count++) = (chat_msg){ts, tz, kind, copy};
}

/* Engine observer: marks what must be redrawn, notes state changes, raises alerts. */
static void on_change(void *ctx, const conversation *c, int64_t at, unsigned changes)
{
    app *a = ctx;
    sync_convs(a);
    int i = index_of(a, c);
    if (i < 0)
        return;
    app_mark(a, PANE_QUEUE);
    app_mark(a, PANE_STATUS);
    if (i == a->selected) {
        app_mark(a, PANE_CHAT);
        app_mark(a, PANE_SUGGEST);
        app_mark(a, PANE_INFO);
        a->shown_for = -1;
    }
    if ((changes & CHANGE_STATE) && !(changes & CHANGE_OPEN) && !c->closed) {
        char note[160];
        snprintf(note, sizeof note, "%s", a->pb->states[c->state].label);
        transcript_add(a, &a->convs[i], MSG_NOTE, at, c->tz_offset, note);
    }
    bool hold = strcmp(a->pb->states[c->state].id, "hold") == 0;
    if (((changes & CHANGE_URGENT) && c->urgent) || ((changes & CHANGE_LADDER) && hold))
        a->bell_pending = true;
    if ((changes & CHANGE_OPEN) && a->selected < 0 && !c->closed)
        app_select(a, i);
    if (a->mode && a->mode->changed)
        a->mode->changed(a, c, at, changes);
}

/* The session log takes ev; the status line says so, with the reason, when writing starts
 * failing (a full disk, a file-size limit) and the console goes on. */
static void log_event(app *a, const event *ev)
{
    char err[640];
    if (!a->ops.record || a->ops.record(a->ops_ctx, ev, err, sizeof err)) {
        a->log_failing = false;
        return;
    }
    if (!a->log_failing)
        app_message(a, true, "%s", err);
    a->log_failing = true;
}

bool app_feed(app *a, event *ev)
{
    log_event(a, ev);
    char err[256];
    if (!engine_feed(a->engine, ev, err, sizeof err)) {
        app_message(a, true, "%s: %s", ev->conv ? ev->conv : "?", err);
        return false;
    }
    if (ev->type == EVENT_CLOSE && a->ops.lookup_closed)
        a->ops.lookup_closed(a->ops_ctx, ev->conv);
    sync_convs(a);
    int i = index_of(a, engine_find(a->engine, ev->conv));
    ui_conv *u = app_conv(a, i);
    if (!u)
        return true;
    if (ev->type == EVENT_MESSAGE && ev->text) {
        msg_kind kind = ev->from == FROM_CUSTOMER ? MSG_CUSTOMER
                        : ev->from == FROM_AGENT  ? MSG_AGENT
                                                  : MSG_SYSTEM;
        transcript_add(a, u, kind, ev->ts_ms, ev->tz_offset, ev->text);
        if (kind == MSG_AGENT)
            u->last_agent_at = ev->ts_ms;
    } else if (ev->type == EVENT_CLOSE) {
        transcript_add(a, u, MSG_NOTE, ev->ts_ms, ev->tz_offset, _("closed"));
    }
    if (i == a->selected) {
        app_mark(a, PANE_CHAT);
        app_mark(a, PANE_SUGGEST);
        app_mark(a, PANE_INFO);
        a->shown_for = -1;
    }
    a->queue_stale = true; /* recomputed once per frame, not per event */
    app_mark(a, PANE_QUEUE);
    if (a->mode && a->mode->fed)
        a->mode->fed(a, ev);
    return true;
}

void app_queue_update(app *a, int64_t now)
{
    sync_convs(a);
    a->queue_count = a->conv_count;
    for (size_t i = 0; i < a->conv_count; i++)
        queue_item_compute(a->engine, i, now, a->convs[i].last_agent_at, &a->queue[i]);
    queue_sort(a->queue, a->queue_count);
    a->queue_stale = false;
    app_mark(a, PANE_QUEUE);
}

void app_select(app *a, int index)
{
    if (a->compose.mode != COMPOSE_TEXT)
        compose_cancel(a);
    a->selected = index;
    a->shown_for = -1;
    app_mark_all(a);
}

/* Keys that stay put: the ladder's line goes on its own key (0) instead of pushing the others
 * down, and while the agent types, or within SHOWN_GRACE_MS of the last change, every line
 * still suggested keeps its number. */
void app_suggestions_update(app *a)
{
    suggestion fresh[SUGGEST_MAX];
    size_t n = 0;
    int64_t now = app_now(a);
    const conversation *c = app_selected(a);
    if (c && !c->closed)
        n = suggest_rank(a->engine, c, now, fresh, SUGGEST_MAX);
    suggest_clear(&a->ladder_shown, a->ladder_shown_set ? 1 : 0);
    a->ladder_shown_set = false;
    for (size_t i = 0; i < n; i++) {
        if (fresh[i].reason == REASON_LADDER) {
            a->ladder_shown = fresh[i];
            a->ladder_shown_set = true;
            memmove(&fresh[i], &fresh[i + 1], (n - i - 1) * sizeof *fresh);
            n--;
            break;
        }
    }
    bool same = a->shown_conv == a->selected && a->selected >= 0;
    const ui_conv *u = a->selected >= 0 ? &a->convs[a->selected] : NULL;
    if (same && ((u && u->draft.len > 0) || now - a->shown_changed_at < SHOWN_GRACE_MS))
        suggest_keep_order(a->shown, a->shown_count, fresh, n);
    bool changed = !same || n != a->shown_count;
    for (size_t i = 0; !changed && i < n; i++)
        changed = fresh[i].line != a->shown[i].line;
    if (changed)
        a->shown_changed_at = now;
    suggest_clear(a->shown, a->shown_count);
    memcpy(a->shown, fresh, n * sizeof *fresh);
    a->shown_count = n;
    a->shown_for = a->selected;
    a->shown_conv = a->selected;
}

/* ---- terminal ------------------------------------------------------------------ */

#define PASTE_ON  "\033[?2004h"
#define PASTE_OFF "\033[?2004l"

/* Bracketed paste on or off: a pasted newline must never send a half-written line. */
static void bracketed_paste(bool on)
{
    const char *seq = on ? PASTE_ON : PASTE_OFF;
    if (write(STDOUT_FILENO, seq, strlen(seq)) < 0) {
        /* the terminal is gone: nothing to restore */
    }
}

void app_suspend(app *a)
{
    a->suspend_pending = false;
    bracketed_paste(false);
    endwin();
}

void app_resume(app *a)
{
    bracketed_paste(true);
    a->resize_pending = true;
    a->full_redraw = true;
}

void app_resize(app *a)
{
    a->resize_pending = false;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resize_term(ws.ws_row, ws.ws_col);
    layout_apply(a, LINES, COLS);
    a->full_redraw = true;
}

static bool want_color(const app *a)
{
    const char *no = getenv("NO_COLOR");
    return a->opt.color && !(no && *no) && has_colors();
}

static void curses_start(app *a)
{
    crash_guard_save_modes();
    initscr();
    raw();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    set_escdelay(a->opt.escape_delay);
    a->colors = want_color(a);
    if (a->colors) {
        start_color();
        use_default_colors();
    }
    draw_init_attrs(a);
    a->input = newwin(1, 1, 0, 0);
    keypad(a->input, TRUE);
    meta(a->input, TRUE); /* 8-bit bytes as they are: input.c decodes UTF-8 itself */
    nodelay(a->input, TRUE);
    wnoutrefresh(a->input);
    define_key("\033[200~", KEY_MAX + 1);
    define_key("\033[201~", KEY_MAX + 2);
    bracketed_paste(true);
    crash_guard_install();
    layout_apply(a, LINES, COLS);
}

bool app_init(app *a)
{
    a->selected = -1;
    a->shown_for = -1;
    a->shown_conv = -1;
    a->running = true;
    buf_init(&a->compose.answer);
    buf_init(&a->paste);
    buf_init(&a->compose.before);
    buf_init(&a->compose.after);
    a->compose.ask_line = PB_NONE;
    engine_set_observer(a->engine, on_change, a);
    curses_start(a);
    app_mark_all(a);
    return true;
}

void app_free(app *a)
{
    layout_free(a);
    lint_free(a->lint);
    a->lint = NULL;
    if (a->input)
        delwin(a->input);
    crash_guard_remove();
    bracketed_paste(false);
    endwin();
    suggest_clear(a->shown, a->shown_count);
    suggest_clear(&a->ladder_shown, a->ladder_shown_set ? 1 : 0);
    for (size_t i = 0; i < a->conv_count; i++) {
        ui_conv *u = &a->convs[i];
        for (size_t k = 0; k < u->count; k++)
            free(msg_at(u, k)->text);
        free(u->msgs);
        buf_free(&u->draft);
        buf_free(&u->undo);
    }
    buf_free(&a->paste);
    free(a->convs);
    free(a->queue);
    free(a->index_table);
    buf_free(&a->compose.answer);
    buf_free(&a->compose.before);
    buf_free(&a->compose.after);
}

/* ---- what the loop calls --------------------------------------------------------- */

/* Once per clock second: timers on screen move; expired status messages go. */
static void tick(app *a, int64_t now)
{
    int64_t second = now / 1000;
    if (second != a->shown_second) {
        a->shown_second = second;
        app_queue_update(a, now);
        app_mark(a, PANE_STATUS);
        app_mark(a, PANE_INFO);
        app_mark(a, PANE_SUGGEST);
    }
    clipboard_reap(a);
    if (a->status_until && now >= a->status_until) {
        a->status_until = 0;
        a->status[0] = '\0';
        app_mark(a, PANE_STATUS);
    }
}

void app_tick(app *a, int64_t now)
{
    if (a->mode && a->mode->deadline && a->mode->deadline(a) <= now)
        a->mode->due(a, now);
    engine_advance(a->engine, now);
    tick(a, now);
}

int64_t app_next_wakeup(const app *a, int64_t now)
{
    int64_t next = (now / 1000 + 1) * 1000;
    int64_t engine_next = engine_next_deadline(a->engine);
    if (engine_next < next)
        next = engine_next;
    int64_t mode_next = a->mode && a->mode->deadline ? a->mode->deadline((app *)a) : ENGINE_NEVER;
    if (mode_next < next)
        next = mode_next;
    if (a->status_until && a->status_until < next)
        next = a->status_until;
    return next;
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void app_render(app *a)
{
    if (a->full_redraw) {
        clearok(curscr, TRUE);
        app_mark_all(a);
        a->full_redraw = false;
    }
    if (a->queue_stale)
        app_queue_update(a, app_now(a));
    if (a->panes[PANE_SUGGEST].dirty || a->shown_for != a->selected)
        app_suggestions_update(a);
    bool any = false;
    for (int i = 0; i < PANE_COUNT; i++) {
        pane *p = &a->panes[i];
        if (!p->dirty || !p->win) {
            p->dirty = false;
            continue;
        }
        werase(p->win);
        const pane_ops *ops = a->mode && a->mode->pane ? a->mode->pane(a, i) : NULL;
        (ops ? ops : pane_table[i])->draw(a, p);
        wnoutrefresh(p->win);
        p->dirty = false;
        any = true;
    }
    if (a->help_open && (any || !a->help_win))
        help_draw(a);
    if (a->mode && a->mode->overlay && any)
        a->mode->overlay(a);
    bool cursor = !a->help_open && a->panes[PANE_COMPOSE].win;
    curs_set(cursor ? 1 : 0);
    if (cursor)
        wnoutrefresh(a->panes[PANE_COMPOSE].win); /* leaves the cursor in the compose line */
    if (a->bell_pending && a->opt.bell)
        beep();
    a->bell_pending = false;
    doupdate();
    if (!a->first_frame_done) {
        a->first_frame_done = true;
        a->first_frame_ms = mono_ms() - (double)a->started_mono_us / 1000.0;
    }
}

void app_bench(app *a)
{
    app_queue_update(a, app_now(a));
    double start = mono_ms();
    for (int i = 0; i < a->bench_frames; i++) {
        app_mark_all(a);
        a->shown_for = -1;
        app_render(a);
    }
    a->bench_redraw_ms = (mono_ms() - start) / a->bench_frames;
    double cleared = mono_ms();
    for (int i = 0; i < a->bench_frames; i++) {
        a->full_redraw = true;
        app_render(a);
    }
    a->bench_repaint_ms = (mono_ms() - cleared) / a->bench_frames;
}
