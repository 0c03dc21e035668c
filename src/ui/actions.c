/* actions: what each bound key does. Script moments (hold, transfer, complaint, closing,
 * greeting, and the phone desk's marks) become key events to the engine; sent lines become
 * agent message events; everything goes through app_feed, so the session log holds it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/idscan.h"
#include "intl.h"
#include "ui/app.h"

/* The conversation an action applies to; says so in the status line when there is none. */
static const conversation *target(app *a)
{
    const conversation *c = app_selected(a);
    if (!c)
        app_message(a, false, "%s",
                    a->manual ? _("no call: open one with the call key (F12)")
                              : _("no conversation selected"));
    else if (c->closed)
        app_message(a, false, "%s", _("this conversation is closed"));
    return c && !c->closed ? c : NULL;
}

bool action_key_event(app *a, const char *key)
{
    const conversation *c = target(a);
    if (!c)
        return false;
    event ev;
    event_init(&ev, EVENT_KEY, c->id, app_now(a), a->tz_offset);
    ev.key = key;
    return app_feed(a, &ev);
}

static uint64_t text_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h | 1; /* never 0, the "nothing confirmed" value */
}

/* What ui.lint_mode says about a draft with a forbidden phrase: true when it may go now. */
static bool lint_allows(app *a, const char *draft)
{
    lint_hit hit;
    if (!compose_lint_hit(a, &hit))
        return true;
    char key[32];
    keymap_describe(&a->keys, ACT_FIX, key, sizeof key);
    int n = (int)hit.length;
    const char *phrase = draft + hit.offset;
    switch (a->opt.lint_mode) {
    case LINT_MODE_WARN:
        app_message(a, true, _("sent with \"%.*s\", which the rules forbid"), n, phrase);
        return true;
    case LINT_MODE_BLOCK:
        app_message(a, true, _("\"%.*s\" may not be sent: %s replaces it"), n, phrase, key);
        return false;
    default:
        if (a->lint_confirmed == text_hash(draft))
            return true;
        a->lint_confirmed = text_hash(draft);
        app_message(a, true, _("\"%.*s\" is forbidden: Enter again sends it, %s replaces it"), n,
                    phrase, key);
        return false;
    }
}

static void use_ladder_line(app *a)
{
    if (a->shown_for != a->selected || !a->ladder_shown_set) {
        app_message(a, false, "%s", _("no timed line now"));
        return;
    }
    action_insert_line(a, a->ladder_shown.line);
}

static void send_line(app *a)
{
    const conversation *c = target(a);
    ui_conv *u = app_conv(a, a->selected);
    if (c && u && u->draft.len == 0 && a->compose.mode == COMPOSE_TEXT && a->ladder_shown_set &&
        a->shown_for == a->selected) {
        use_ladder_line(a); /* Enter on an empty line takes the timed line */
        return;
    }
    if (!c || !u || u->draft.len == 0)
        return;
    char what[160];
    if (compose_has_hole(a, u->draft.data, what, sizeof what)) {
        app_message(a, true, _("fill in %s before sending"), what);
        return;
    }
    if (!lint_allows(a, u->draft.data))
        return;
    event ev;
    event_init(&ev, EVENT_MESSAGE, c->id, app_now(a), a->tz_offset);
    ev.from = FROM_AGENT;
    ev.text = u->draft.data;
    /* an edited suggestion whose words are gone is the agent's own message */
    if (u->draft_line >= 0 &&
        !suggest_still_carries(a->engine, c, u->draft_line, u->draft.data, app_now(a)))
        u->draft_line = PB_NONE;
    ev.line = u->draft_line >= 0 ? a->pb->lines[u->draft_line].id : NULL;
    if (a->ops.send ? !a->ops.send(a->ops_ctx, a, &ev) : !app_feed(a, &ev))
        return;
    buf_clear(&u->draft);
    u->cursor = 0;
    u->draft_line = PB_NONE;
    u->scroll = 0;
    app_mark(a, PANE_COMPOSE);
}

void action_insert_line(app *a, int line)
{
    ui_conv *u = app_conv(a, a->selected);
    if (!target(a) || !u)
        return;
    buf before, after;
    buf_init(&before);
    buf_init(&after);
    buf_append(&before, u->draft.data ? u->draft.data : "", u->cursor);
    buf_puts(&after, u->draft.data ? u->draft.data + u->cursor : "");
    compose_start_ask(a, line, buf_str(&before), buf_str(&after));
    buf_free(&before);
    buf_free(&after);
}

static void use_suggestion(app *a, size_t n)
{
    if (a->shown_for != a->selected || n >= a->shown_count) {
        app_message(a, false, _("no suggestion %zu"), n + 1);
        return;
    }
    action_insert_line(a, a->shown[n].line);
}

/* Next (step 1) or previous (-1) open conversation in queue order. */
static void cycle(app *a, int step)
{
    app_queue_update(a, app_now(a));
    size_t n = a->queue_count, pos = n;
    for (size_t i = 0; i < n; i++)
        if ((int)a->queue[i].index == a->selected)
            pos = i;
    for (size_t k = 1; k <= n; k++) {
        size_t i;
        if (pos == n)
            i = step > 0 ? k - 1 : n - k;
        else
            i = step > 0 ? (pos + k) % n : (pos + n - k) % n;
        if (!engine_at(a->engine, a->queue[i].index)->closed) {
            app_select(a, (int)a->queue[i].index);
            return;
        }
    }
}

/* Opens a new phone call (phone-desk mode) and selects it. */
static void open_call(app *a)
{
    char id[64];
    do
        snprintf(id, sizeof id, "call-%u", ++a->call_counter);
    while (engine_find(a->engine, id));
    event ev;
    event_init(&ev, EVENT_OPEN, id, app_now(a), a->tz_offset);
    ev.channel = "phone";
    if (app_feed(a, &ev)) {
        const conversation *c = engine_find(a->engine, id);
        for (size_t i = 0; i < engine_count(a->engine); i++)
            if (engine_at(a->engine, i) == c)
                app_select(a, (int)i);
    }
}

static void hang_up(app *a)
{
    const conversation *c = target(a);
    if (!c)
        return;
    event ev;
    event_init(&ev, EVENT_CLOSE, c->id, app_now(a), a->tz_offset);
    app_feed(a, &ev);
    cycle(a, 1);
}

static void lookup(app *a, prompt_kind kind)
{
    const conversation *c = target(a);
    if (!c)
        return;
    if (!a->ops.lookup) {
        app_message(a, false, "%s", _("lookups not configured"));
        return;
    }
    const char *known = conversation_value(c, kind == PROMPT_ORDER ? "order.id" : "stock.sku");
    char typed[64];
    ui_conv *u = app_conv(a, a->selected);
    for (size_t i = u ? u->count : 0; !known && i > 0; i--) { /* the customer's latest mention */
        const chat_msg *m = &u->msgs[(u->start + i - 1) % u->cap];
        if (m->kind == MSG_CUSTOMER &&
            idscan_find(m->text, kind == PROMPT_ORDER ? IDSCAN_ORDER : IDSCAN_SKU, typed,
                        sizeof typed))
            known = typed;
    }
    compose_start_prompt(a, kind, known);
}

/* Looks the conversation's last order or stock up again, past the cache (the refresh key). */
static void refresh_lookup(app *a)
{
    const conversation *c = target(a);
    if (c && (!a->ops.lookup_refresh || !a->ops.lookup_refresh(a->ops_ctx, a, c->id)))
        app_message(a, false, "%s", _("nothing to look up again"));
}

static void copy_line(app *a)
{
    ui_conv *u = app_conv(a, a->selected);
    const char *text = u && u->draft.len ? u->draft.data : NULL;
    if (!text && a->shown_count && a->shown[0].missing_count == 0)
        text = a->shown[0].text;
    if (!text) {
        app_message(a, false, "%s", _("nothing to copy"));
        return;
    }
    bool copied = clipboard_copy(a, text);
    if (copied && clipboard_dropped(a))
        app_message(a, true, "%s", _("tmux drops the copy: set -g set-clipboard on"));
    else if (copied)
        app_message(a, false, "%s", _("copied to the clipboard"));
    else
        app_message(a, true, "%s", _("could not copy to the clipboard"));
}

static void quit(app *a)
{
    if (app_open_count(a) == 0) {
        a->running = false;
        return;
    }
    a->quit_asked = true;
    app_mark(a, PANE_STATUS);
}

static void scroll_transcript(app *a, int dir)
{
    ui_conv *u = app_conv(a, a->selected);
    if (!u)
        return;
    int page = a->panes[PANE_CHAT].h > 2 ? a->panes[PANE_CHAT].h - 2 : 1;
    u->scroll += dir * page;
    if (u->scroll < 0)
        u->scroll = 0;
    app_mark(a, PANE_CHAT);
}

static void show_help(app *a)
{
    a->help_open = true;
    a->help_shows_log = false;
    a->help_scroll = 0;
}

static void show_feed_log(app *a)
{
    a->help_open = true;
    a->help_shows_log = true;
    a->help_scroll = 1 << 20; /* the newest lines: help_draw clamps it */
}

/* Esc: a warning on screen goes first, the typed reply stays; else the compose line is
 * cleared and kept for undo. */
static void clear_draft(app *a)
{
    ui_conv *u = app_conv(a, a->selected);
    if (a->status_alert && a->status[0]) {
        a->status[0] = '\0';
        a->status_until = 0;
        a->status_alert = false;
        app_mark(a, PANE_STATUS);
        return;
    }
    if (u && u->draft.len) {
        buf_clear(&u->undo);
        buf_append(&u->undo, u->draft.data, u->draft.len);
        u->undo_line = u->draft_line;
        buf_clear(&u->draft);
        u->cursor = 0;
        u->draft_line = PB_NONE;
        char key[32];
        keymap_describe(&a->keys, ACT_UNDO, key, sizeof key);
        app_message(a, false, _("compose line cleared: %s brings it back"), key);
    }
    app_mark(a, PANE_COMPOSE);
}

/* Brings back the compose line Esc cleared (swapping it with what is there now). */
static void undo_clear(app *a)
{
    ui_conv *u = app_conv(a, a->selected);
    if (!u || !u->undo.len) {
        app_message(a, false, "%s", _("nothing to bring back"));
        return;
    }
    buf t = u->draft;
    int line = u->draft_line;
    u->draft = u->undo;
    u->draft_line = u->undo_line;
    u->undo = t;
    u->undo_line = line;
    u->cursor = u->draft.len;
    app_mark(a, PANE_COMPOSE);
}

static void next_conversation(app *a)
{
    cycle(a, 1);
}

static void previous_conversation(app *a)
{
    cycle(a, -1);
}

static void ask_name(app *a)
{
    if (target(a))
        compose_start_prompt(a, PROMPT_NAME, NULL);
}

static void order_lookup(app *a)
{
    lookup(a, PROMPT_ORDER);
}

static void stock_lookup(app *a)
{
    lookup(a, PROMPT_STOCK);
}

static void fix_wording(app *a)
{
    if (!compose_lint_fix(a))
        app_message(a, false, "%s", _("no forbidden phrase with a better wording here"));
}

static void scroll_up(app *a)
{
    scroll_transcript(a, 1);
}

static void scroll_down(app *a)
{
    scroll_transcript(a, -1);
}

static void redraw(app *a)
{
    a->full_redraw = true;
}

static void suspend(app *a)
{
    a->suspend_pending = true;
}

/* Detection was unsure of the customer's last message: its likeliest state, on one key. */
static void take_unsure(app *a)
{
    const conversation *c = target(a);
    if (!c || !c->unsure_count) {
        app_message(a, false, "%s", _("detection was sure of the last message"));
        return;
    }
    action_key_event(a, a->pb->states[c->unsure[0]].id);
}

/* What each action does, besides suggestions (use1..9) and the engine's key events. */
static void (*const handlers[ACT_COUNT])(app *a) = {
    [ACT_HELP] = show_help,
    [ACT_FEED_LOG] = show_feed_log,
    [ACT_USE_LADDER] = use_ladder_line,
    [ACT_UNDO] = undo_clear,
    [ACT_UNSURE] = take_unsure,
    [ACT_SEND] = send_line,
    [ACT_CLEAR] = clear_draft,
    [ACT_NEXT] = next_conversation,
    [ACT_PREV] = previous_conversation,
    [ACT_PICKER] = compose_start_pick,
    [ACT_NAME] = ask_name,
    [ACT_ORDER] = order_lookup,
    [ACT_STOCK] = stock_lookup,
    [ACT_REFRESH] = refresh_lookup,
    [ACT_COPY] = copy_line,
    [ACT_FIX] = fix_wording,
    [ACT_QUIT] = quit,
    [ACT_CALL] = open_call,
    [ACT_HANGUP] = hang_up,
    [ACT_SCROLL_UP] = scroll_up,
    [ACT_SCROLL_DOWN] = scroll_down,
    [ACT_REDRAW] = redraw,
    [ACT_SUSPEND] = suspend,
};

void action_run(app *a, action act)
{
    if (act >= ACT_USE1 && act <= ACT_USE9)
        use_suggestion(a, (size_t)(act - ACT_USE1));
    else if (action_table[act].key_event)
        action_key_event(a, action_table[act].key_event);
    else if (handlers[act])
        handlers[act](a);
}
