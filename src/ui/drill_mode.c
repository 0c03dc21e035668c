/* The console's drill mode (huashu drill FILE): plays the drill's customer through app_feed,
 * tells the loop the run's next deadline, draws the drill pane where the queue was, hides the
 * suggestions with --no-hints, and ends with a score screen. */
#include "config.h"

#include "ui/drill_mode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intl.h"

#define CONV_ID "drill"

/* After anything the run saw: the score screen when it is over, else its next timer. */
static void after_change(drill_console *dc);

/* ---- the run on the console's loop --------------------------------------------------- */

/* drill_emit: the customer's events go through app_feed like any other (and so to the log). */
static void emit_event(void *ctx, const event *ev)
{
    drill_console *dc = ctx;
    if (dc->torn_down)
        return;
    event copy = *ev;
    app_feed(dc->a, &copy);
}

/* app_mode.due: the run's deadline came: plays what is due. */
static void mode_due(app *a, int64_t now)
{
    drill_console *dc = a->mode_ctx;
    dc->timer_at = ENGINE_NEVER;
    drill_session_advance(dc->run, now);
    after_change(dc);
}

/* app_mode.deadline: when the run next needs the clock (the loop wakes up then). */
static int64_t mode_deadline(app *a)
{
    const drill_console *dc = a->mode_ctx;
    return dc->timer_at;
}

/* Keeps the deadline at the run's next one (or at `at` when that is sooner). */
static void schedule(drill_console *dc, int64_t at)
{
    int64_t next = drill_session_next_deadline(dc->run);
    dc->timer_at = at < next ? at : next;
}

static void add_row(drill_console *dc, int attr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends one row to the score screen. */
static void add_row(drill_console *dc, int attr, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    drill_row *grown = realloc(dc->rows, (dc->row_count + 1) * sizeof *grown);
    char *copy = grown ? strdup(text) : NULL;
    if (grown)
        dc->rows = grown;
    if (copy)
        dc->rows[dc->row_count++] = (drill_row){copy, attr};
}

/* "2.1s" of a duration in ms, rounded to a tenth as in the saved results. */
static void seconds(int64_t ms, char *out, size_t cap)
{
    long long tenths = (long long)((ms + 50) / 100);
    snprintf(out, cap, "%lld.%llds", tenths / 10, tenths % 10);
}

static int status_attr(drill_status s)
{
    return s == DRILL_MET                              ? ATTR_OK
           : s == DRILL_LATE                           ? ATTR_NEAR
           : s == DRILL_SKIPPED || s == DRILL_UNSCORED ? ATTR_DIM
                                                       : ATTR_PAST;
}

/* The status word of an outcome as the trainee reads it. */
static const char *status_label(drill_status s)
{
    switch (s) {
    case DRILL_MET:
        return _("met");
    case DRILL_LATE:
        return _("late");
    case DRILL_EARLY:
        return _("too early");
    case DRILL_NOT_REACHED:
        return _("not reached");
    case DRILL_SKIPPED:
        return _("skipped");
    case DRILL_UNSCORED:
        return _("unscored");
    default:
        return _("missed");
    }
}

/* The score screen's rows: verdict, every expectation met or missed with the time it took and
 * what was said, the penalties, where the result was saved. */
static void build_score_rows(drill_console *dc, const drill_result *res)
{
    const drill *dr = res->drill;
    buf why;
    buf_init(&why);
    drill_result_why(res, &why);
    add_row(dc, res->passed ? ATTR_OK : ATTR_PAST, "%s  %d%%  (%d/%d, %s %d%%)%s%s",
            res->passed ? _("PASSED") : _("FAILED"), res->percent, res->score, res->max,
            _("pass mark"), dr->scoring.pass, why.len ? "  " : "", buf_str(&why));
    buf_free(&why);
    add_row(dc, ATTR_DIM, "%s: %s", _("ended"), res->end_reason ? res->end_reason : "-");
    add_row(dc, ATTR_NORMAL, "%s", "");
    for (size_t i = 0; i < dr->expect_total; i++) {
        const drill_expect *x = drill_expect_at(dr, i, NULL);
        const drill_outcome *o = &res->outcomes[i];
        char took[32] = "-", within[32];
        if (o->met_at && (o->status == DRILL_MET || o->status == DRILL_LATE))
            seconds(o->met_at - o->opened_at, took, sizeof took);
        seconds(x->within.ms, within, sizeof within);
        bool never = x->kind == EXPECT_NEVER || x->kind == EXPECT_NEVER_LINE;
        add_row(dc, status_attr(o->status), "%-12s %-24s %6s%s%-7s %3d/%-3d %s%s%s%s",
                status_label(o->status), x->name, took, never ? "" : " / ", never ? "" : within,
                o->awarded, x->points, x->label ? x->label : "", o->said ? "  \"" : "",
                o->said ? o->said : "", o->said ? "\"" : "");
        buf advice;
        buf_init(&advice);
        drill_outcome_advice(res, i, &advice);
        if (advice.len)
            add_row(dc, ATTR_DIM, "             %s", buf_str(&advice));
        buf_free(&advice);
    }
    if (res->hit_count) {
        add_row(dc, ATTR_NORMAL, "%s", "");
        add_row(dc, ATTR_HEADER, "%s", _("Penalties"));
    }
    for (size_t i = 0; i < res->hit_count; i++) {
        const drill_hit *h = &res->hits[i];
        add_row(dc, ATTR_PAST, "-%d  \"%s\"%s%s  (%s)", h->points, h->phrase,
                h->better ? " -> " : "", h->better ? h->better : "", h->text);
    }
    add_row(dc, ATTR_NORMAL, "%s", "");
    add_row(dc, dc->saved_ok ? ATTR_DIM : ATTR_ALERT, "%s %s",
            dc->saved_ok ? _("saved:") : _("not saved:"), dc->saved);
}

/* The drill is over: score it, save it, let the customer go, show the score screen. */
static void finish(drill_console *dc)
{
    app *a = dc->a;
    const drill_result *res = drill_session_finish(dc->run, app_now(a));
    dc->finished = true;
    dc->timer_at = ENGINE_NEVER;
    char err[256] = "";
    dc->saved_ok = dc->save && dc->save(res, dc->saved, sizeof dc->saved, err, sizeof err);
    if (!dc->saved_ok)
        snprintf(dc->saved, sizeof dc->saved, "%s", err[0] ? err : "-");
    build_score_rows(dc, res);
    a->exit_status = res->passed ? 0 : 1;
    const conversation *c = engine_find(a->engine, CONV_ID);
    if (c && !c->closed) { /* the customer leaves with the drill */
        event ev;
        event_init(&ev, EVENT_CLOSE, CONV_ID, app_now(a), a->tz_offset);
        app_feed(a, &ev);
    }
    app_mark_all(a);
}

static void after_change(drill_console *dc)
{
    if (dc->finished || dc->torn_down)
        return;
    if (drill_session_done(dc->run))
        finish(dc);
    else
        schedule(dc, ENGINE_NEVER);
    app_mark(dc->a, PANE_QUEUE);
}

/* ---- app_mode ------------------------------------------------------------------------ */

static void mode_fed(app *a, const event *ev)
{
    drill_console *dc = a->mode_ctx;
    if (dc->finished)
        return;
    drill_session_event(dc->run, ev);
    after_change(dc);
}

/* app_mode.changed: states entered go to the run, looked at on the next loop turn. */
static void mode_changed(app *a, const conversation *c, int64_t at, unsigned changes)
{
    drill_console *dc = a->mode_ctx;
    if (dc->finished || !(changes & CHANGE_STATE))
        return;
    drill_session_change(dc->run, c, at, changes);
    schedule(dc, app_now(a)); /* looked at soon, unless an event brings it first */
}

/* A short description of what an expectation wants (only its label with --no-hints). */
static void describe(const drill_console *dc, const drill_expect *x, char *out, size_t cap)
{
    if (x->label || dc->no_hints) {
        snprintf(out, cap, "%s", x->label ? x->label : x->name);
        return;
    }
    snprintf(out, cap, "%s %s", drill_kind_name(x->kind), x->word_count ? x->words[0] : "");
}

/* One pending expectation: its countdown, coloured as it nears and passes its deadline. */
static void draw_pending(app *a, pane *p, int y, const drill_console *dc, size_t i, int64_t now)
{
    const drill_result *res = drill_session_result(dc->run);
    const drill_expect *x = drill_expect_at(dc->dr, i, NULL);
    const drill_outcome *o = &res->outcomes[i];
    char when[24], what[256];
    int attr = ATTR_OK;
    if (x->kind == EXPECT_NEVER || x->kind == EXPECT_NEVER_LINE) {
        snprintf(when, sizeof when, "%s", _("never"));
        attr = ATTR_DIM;
    } else if (now < o->opened_at + x->after.ms) {
        snprintf(when, sizeof when, "%s %ds", _("wait"),
                 (int)((o->opened_at + x->after.ms - now + 999) / 1000));
        attr = ATTR_DIM;
    } else if (now <= o->deadline) {
        int left = (int)((o->deadline - now + 999) / 1000);
        snprintf(when, sizeof when, "%ds", left);
        attr = left <= 5 ? ATTR_NEAR : ATTR_OK;
    } else {
        snprintf(when, sizeof when, "+%ds", (int)((now - o->deadline) / 1000));
        attr = ATTR_PAST;
    }
    describe(dc, x, what, sizeof what);
    int x0 = 1 + draw_text(a, p->win, y, 1, when, strlen(when), 8, attr);
    draw_text_cut(a, p->win, y, x0 + 1, what, strlen(what), p->w - x0 - 2, ATTR_NORMAL);
}

/* The persona as the trainee reads it: "王芳 (王女士), 着急", "Fang Wang (Ms Wang), silent". */
static void persona_line(const drill *dr, char *out, size_t cap)
{
    int n = 0;
    out[0] = '\0';
    if (dr->name)
        n = snprintf(out, cap, "%s", dr->name);
    if (dr->surname && n >= 0 && (size_t)n < cap) {
        const char *title = dr->title_word ? dr->title_word : "";
        bool latin = (unsigned char)dr->surname[0] < 0x80; /* "Ms Wang", else "王女士" */
        n += snprintf(out + n, cap - (size_t)n, "%s(%s%s%s)", n ? " " : "",
                      latin ? title : dr->surname, latin && *title ? " " : "",
                      latin ? dr->surname : title);
    }
    if (dr->mood && n >= 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, "%s%s", n ? ", " : "", dr->mood);
}

/* The first open expectation, for a one-row drill pane; -1 when none is open. */
static int first_pending(const drill_result *res)
{
    for (size_t i = 0; i < res->drill->expect_total; i++)
        if (res->outcomes[i].status == DRILL_PENDING)
            return (int)i;
    return -1;
}

/* The drill pane's title bar: step and score (in one column), or the first countdown when the
 * pane is a single row. */
static void drill_header(app *a, pane *p, const drill_console *dc, const drill_result *res)
{
    size_t number = 0;
    const drill_step *st = drill_session_step(dc->run, &number);
    char step[32], right[96];
    if (st)
        snprintf(step, sizeof step, "%zu/%zu", number, dc->dr->step_count);
    else
        snprintf(step, sizeof step, "%s", _("done"));
    if (!a->single_column)
        snprintf(right, sizeof right, "%s", step);
    else
        snprintf(right, sizeof right, "%s  %s %d/%d", step, _("score"), res->score, res->max);
    draw_header(a, p, _("Drill"), right);
    if (!a->single_column) { /* the queue's border, which this pane replaces */
        wattrset(p->win, a->attrs[ATTR_DIM]);
        mvwvline(p->win, 1, p->w - 1, '|', p->h - 1);
        wattrset(p->win, A_NORMAL);
    }
}

/* The drill pane (in the queue's place): scenario, persona, score so far, a countdown for each
 * open expectation, then what is settled. In one column only the countdowns fit. */
static void draw_drill_pane(app *a, pane *p)
{
    drill_console *dc = a->mode_ctx;
    const drill *dr = dc->dr;
    const drill_result *res = drill_session_result(dc->run);
    int64_t now = app_now(a);
    if (p->h == 1 && first_pending(res) >= 0) { /* a strip: the most pressing countdown */
        draw_pending(a, p, 0, dc, (size_t)first_pending(res), now);
        return;
    }
    drill_header(a, p, dc, res);
    pane inner = *p;
    inner.w = a->single_column ? p->w : p->w - 1;
    p = &inner;
    char line[256];
    int y = 1;
    if (!a->single_column) {
        persona_line(dr, line, sizeof line);
        draw_text_cut(a, p->win, y++, 1, dr->title, strlen(dr->title), p->w - 2, ATTR_NORMAL);
        if (y < p->h && line[0])
            draw_text_cut(a, p->win, y++, 1, line, strlen(line), p->w - 2, ATTR_DIM);
        snprintf(line, sizeof line, "%s %d/%d", _("score"), res->score, res->max);
        if (y < p->h)
            draw_text_cut(a, p->win, y++, 1, line, strlen(line), p->w - 2, ATTR_DIM);
    }
    for (size_t i = 0; i < dr->expect_total && y < p->h; i++)
        if (res->outcomes[i].status == DRILL_PENDING)
            draw_pending(a, p, y++, dc, i, now);
    for (size_t i = 0; i < dr->expect_total && y < p->h; i++) {
        drill_status st = res->outcomes[i].status;
        if (st == DRILL_PENDING || st == DRILL_UNOPENED || st == DRILL_SKIPPED ||
            st == DRILL_UNSCORED)
            continue;
        const char *mark = st == DRILL_MET ? "+" : st == DRILL_LATE ? "~" : "x";
        snprintf(line, sizeof line, "%s %s", mark, drill_expect_at(dr, i, NULL)->name);
        draw_text_cut(a, p->win, y++, 1, line, strlen(line), p->w - 2, status_attr(st));
    }
}

/* With --no-hints, the suggestions pane says they are hidden. */
static void draw_hidden(app *a, pane *p)
{
    draw_header(a, p, _("Suggestions"), "");
    const char *note = _("hidden in this drill (--no-hints)");
    if (p->h > 1)
        draw_text_cut(a, p->win, 1, 1, note, strlen(note), p->w - 2, ATTR_DIM);
}

static const pane_ops drill_pane_ops = {"drill", draw_drill_pane};
static const pane_ops hidden_pane_ops = {"hidden", draw_hidden};

/* app_mode.pane: the drill pane instead of the queue; hidden hints with --no-hints. */
static const pane_ops *mode_pane(app *a, enum pane_id id)
{
    drill_console *dc = a->mode_ctx;
    if (id == PANE_QUEUE)
        return &drill_pane_ops;
    if (id == PANE_SUGGEST && dc->no_hints)
        return &hidden_pane_ops;
    return NULL;
}

/* The score screen over everything but the compose and status lines. */
static void mode_overlay(app *a)
{
    drill_console *dc = a->mode_ctx;
    if (!dc->finished)
        return;
    int h = a->rows - 2 > 1 ? a->rows - 2 : 1, w = a->cols > 0 ? a->cols : 1;
    int oh = 0, ow = 0;
    if (dc->win)
        getmaxyx(dc->win, oh, ow);
    if (!dc->win || oh != h || ow != w) {
        if (dc->win)
            delwin(dc->win);
        dc->win = newwin(h, w, 0, 0);
        if (!dc->win)
            return;
        leaveok(dc->win, TRUE);
    }
    werase(dc->win);
    pane p = {.win = dc->win, .h = h, .w = w};
    char title[256];
    snprintf(title, sizeof title, "%s: %s", _("Drill result"), dc->dr->title);
    draw_header(a, &p, title, _("q quits, Up/Down scroll"));
    int rows = h - 1;
    if (dc->scroll > (int)dc->row_count - rows)
        dc->scroll = (int)dc->row_count - rows > 0 ? (int)dc->row_count - rows : 0;
    for (int r = 0; r < rows && dc->scroll + r < (int)dc->row_count; r++) {
        const drill_row *row = &dc->rows[dc->scroll + r];
        draw_text_cut(a, dc->win, 1 + r, 1, row->text, strlen(row->text), w - 2, row->attr);
    }
    touchwin(dc->win);
    wnoutrefresh(dc->win);
}

/* The score screen's keys: scrolling, and q, Esc or Enter to leave. */
static void score_key(app *a, drill_console *dc, int key)
{
    if (key == HK_UP || key == HK_PGUP)
        dc->scroll -= key == HK_UP ? 1 : 10;
    else if (key == HK_DOWN || key == HK_PGDN)
        dc->scroll += key == HK_DOWN ? 1 : 10;
    else if (key == 'q' || key == 'Q' || key == HK_ESC || key == HK_ENTER ||
             keymap_lookup(&a->keys, key) == ACT_QUIT)
        a->running = false;
    if (dc->scroll < 0)
        dc->scroll = 0;
    app_mark(a, PANE_STATUS);
}

/* app_mode.key: the score screen's keys, and the hint keys --no-hints turns off. */
static bool mode_key(app *a, int key)
{
    drill_console *dc = a->mode_ctx;
    if (dc->finished) {
        score_key(a, dc, key);
        return true;
    }
    if (a->quit_asked || a->help_open || a->compose.mode != COMPOSE_TEXT)
        return false;
    action act = keymap_lookup(&a->keys, key);
    bool hint = (act >= ACT_USE1 && act <= ACT_USE9) || act == ACT_PICKER;
    if (dc->no_hints && hint && (!keys_printable(key) || compose_empty(a))) {
        app_message(a, false, "%s", _("suggestions are hidden in this drill"));
        return true;
    }
    if (act == ACT_CALL) {
        app_message(a, false, "%s", _("a drill has one conversation"));
        return true;
    }
    return false;
}

static const app_mode drill_mode = {mode_fed, mode_changed,  mode_pane, mode_overlay,
                                    mode_key, mode_deadline, mode_due};

/* ---- hooks --------------------------------------------------------------------------- */

bool drill_console_setup(app *a, void *ctx)
{
    drill_console *dc = ctx;
    diagnostics d;
    diag_init(&d);
    bool bound = drill_bind(dc->dr, a->pb, &d);
    if (!bound)
        snprintf(dc->saved, sizeof dc->saved, "%s", buf_str(&d.text));
    diag_free(&d);
    if (!bound)
        return false;
    dc->a = a;
    dc->run =
        drill_session_attach(dc->dr, a->engine, CONV_ID, app_now(a), a->tz_offset, emit_event, dc);
    if (!dc->run) {
        snprintf(dc->saved, sizeof dc->saved, "out of memory");
        return false;
    }
    drill_session_set_trainee(dc->run, dc->trainee);
    dc->timer_at = ENGINE_NEVER;
    a->mode = &drill_mode;
    a->mode_ctx = dc;
    if (dc->dr->intro)
        app_message(a, false, "%s", dc->dr->intro);
    drill_session_start(dc->run);
    after_change(dc);
    return true;
}

int drill_console_teardown(app *a, void *ctx, int status)
{
    drill_console *dc = ctx;
    dc->torn_down = true;
    if (!dc->run) {
        fprintf(stderr, "huashu drill: %s", dc->saved);
        return 2;
    }
    if (!dc->finished) { /* left before the end: scored as it stands */
        const drill_result *res = drill_session_finish(dc->run, app_now(a));
        char err[256] = "";
        dc->saved_ok = dc->save && dc->save(res, dc->saved, sizeof dc->saved, err, sizeof err);
        if (!dc->saved_ok)
            snprintf(dc->saved, sizeof dc->saved, "%s", err);
        status = res->passed ? 0 : 1;
    }
    const drill_result *res = drill_session_result(dc->run);
    printf("%s: %s %d%% (%d/%d)\n", dc->dr->title, res->passed ? _("PASSED") : _("FAILED"),
           res->percent, res->score, res->max);
    if (dc->saved_ok)
        printf("%s %s\n", _("saved:"), dc->saved);
    else
        fprintf(stderr, "huashu drill: %s %s\n", _("not saved:"), dc->saved);
    return status >= 2 ? status : res->passed ? 0 : 1;
}

void drill_console_free(drill_console *dc)
{
    drill_session_free(dc->run);
    dc->run = NULL;
    for (size_t i = 0; i < dc->row_count; i++)
        free(dc->rows[i].text);
    free(dc->rows);
    dc->rows = NULL;
    dc->row_count = 0;
    if (dc->win)
        delwin(dc->win);
    dc->win = NULL;
}
