/* The compose line: the agent's draft for the selected conversation, edited in place; a line
 * with a missing value asks for it inside the line before it can be sent; "/" search and
 * short questions (the customer's name, an order number) use the same line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lineedit.h"
#include "core/person_name.h"
#include "core/picker.h"
#include "core/text.h"
#include "intl.h"
#include "ui/app.h"

#define HOLE_OPEN  "\xE3\x80\x90" /* 【 */
#define HOLE_CLOSE "\xE3\x80\x91" /* 】 */

/* ---- editing a UTF-8 field (core/lineedit) -------------------------------------------- */

static void pick_refresh(app *a);

void compose_paste_cut(app *a, size_t left)
{
    if (left)
        app_message(a, true,
                    _("the compose line holds at most %u KiB: %zu bytes were not put in (the "
                      "clipboard still has them)"),
                    LINEEDIT_MAX / 1024, left);
}

/* Inserts text at the field's cursor as one line; false when out of memory. */
static bool insert_text(app *a, buf *b, size_t *cur, const char *s, size_t n, size_t *left)
{
    bool failed;
    *left = lineedit_insert(b, cur, s, n, 0, &failed);
    if (failed)
        app_message(a, true, "%s", _("out of memory: the text was not put in"));
    return !failed;
}

/* Typing and cursor keys on one field; true when key was one of them. */
static bool edit_field(app *a, buf *b, size_t *cur, int key)
{
    if (keys_printable(key)) {
        buf tmp;
        buf_init(&tmp);
        text_encode(&tmp, (uint32_t)key);
        size_t left = 0;
        insert_text(a, b, cur, buf_str(&tmp), tmp.len, &left);
        compose_paste_cut(a, left);
        buf_free(&tmp);
        return true;
    }
    lineedit_op op;
    switch (key) {
    case HK_BACKSPACE:
        op = LINEEDIT_BACKSPACE;
        break;
    case HK_DELETE:
    case HK_CTRL('d'):
        op = LINEEDIT_DELETE;
        break;
    case HK_LEFT:
    case HK_CTRL('b'):
        op = LINEEDIT_LEFT;
        break;
    case HK_RIGHT:
    case HK_CTRL('f'):
        op = LINEEDIT_RIGHT;
        break;
    case HK_HOME:
    case HK_CTRL('a'):
        op = LINEEDIT_HOME;
        break;
    case HK_END:
    case HK_CTRL('e'):
        op = LINEEDIT_END;
        break;
    case HK_CTRL('u'):
        op = LINEEDIT_KILL_START;
        break;
    case HK_CTRL('k'):
        op = LINEEDIT_KILL_END;
        break;
    case HK_CTRL('w'):
        op = LINEEDIT_KILL_WORD;
        break;
    default:
        return false;
    }
    lineedit_apply(b, cur, op);
    return true;
}

bool compose_empty(const app *a)
{
    const ui_conv *u = a->selected >= 0 ? &a->convs[a->selected] : NULL;
    return a->compose.mode == COMPOSE_TEXT && (!u || u->draft.len == 0);
}

bool compose_edit_key(app *a, int key)
{
    ui_conv *u = app_conv(a, a->selected);
    if (!u) {
        if (keys_printable(key))
            app_message(a, false, "%s", _("no conversation to write to"));
        return keys_printable(key);
    }
    if (!edit_field(a, &u->draft, &u->cursor, key))
        return false;
    if (u->draft.len == 0)
        u->draft_line = PB_NONE;
    app_mark(a, PANE_COMPOSE);
    return true;
}

size_t compose_paste(app *a, const char *text, size_t len)
{
    compose_state *cs = &a->compose;
    ui_conv *u = app_conv(a, a->selected);
    size_t left = 0;
    if (cs->mode != COMPOSE_TEXT) {
        insert_text(a, &cs->answer, &cs->answer_cursor, text, len, &left);
        if (cs->mode == COMPOSE_PICK)
            pick_refresh(a);
    } else if (!u) {
        app_message(a, false, "%s", _("no conversation to write to"));
    } else if (insert_text(a, &u->draft, &u->cursor, text, len, &left) && u->draft.len == 0) {
        u->draft_line = PB_NONE;
    }
    app_mark(a, PANE_COMPOSE);
    return left;
}

void compose_cancel(app *a)
{
    a->compose.mode = COMPOSE_TEXT;
    buf_clear(&a->compose.answer);
    a->compose.answer_cursor = 0;
    app_mark(a, PANE_COMPOSE);
    app_mark(a, PANE_SUGGEST);
}

/* ---- a missing value, asked in place --------------------------------------------------- */

static const char *placeholder_label(app *a, const char *name)
{
    const pb_placeholder *ph = playbook_placeholder(a->pb, name);
    return ph && ph->label ? ph->label : name;
}

/* Refills the line: asks for the next missing value, or puts the finished line in the draft. */
static void ask_next(app *a)
{
    compose_state *cs = &a->compose;
    const conversation *c = app_selected(a);
    ui_conv *u = app_conv(a, a->selected);
    if (!c || !u) {
        compose_cancel(a);
        return;
    }
    buf filled;
    buf_init(&filled);
    const char *missing[SUGGEST_MAX_MISSING] = {NULL};
    size_t n =
        suggest_fill(a->engine, c, cs->ask_line, app_now(a), &filled, missing, SUGGEST_MAX_MISSING);
    buf_clear(&cs->answer);
    cs->answer_cursor = 0;
    if (n > 0 && !missing[0]) {
        app_message(a, true, "%s", _("this line uses a placeholder the playbook does not declare"));
        compose_cancel(a);
    } else if (n > 0) {
        cs->mode = COMPOSE_ASK;
        cs->ask_name = missing[0];
    } else {
        buf_clear(&u->draft);
        buf_append(&u->draft, cs->before.data ? cs->before.data : "", cs->before.len);
        buf_append(&u->draft, filled.data ? filled.data : "", filled.len);
        u->cursor = u->draft.len;
        buf_append(&u->draft, cs->after.data ? cs->after.data : "", cs->after.len);
        u->draft_line = cs->before.len == 0 && cs->after.len == 0 ? cs->ask_line : PB_NONE;
        cs->mode = COMPOSE_TEXT;
    }
    buf_free(&filled);
    app_mark(a, PANE_COMPOSE);
    app_mark(a, PANE_SUGGEST);
}

void compose_start_ask(app *a, int line, const char *before, const char *after)
{
    compose_state *cs = &a->compose;
    cs->ask_line = line;
    buf_clear(&cs->before);
    buf_clear(&cs->after);
    buf_puts(&cs->before, before);
    buf_puts(&cs->after, after);
    ask_next(a);
}

/* Records a customer field (name, surname, title) as an event, so the log holds it too. */
static void customer_event(app *a, const char *name, const char *surname, const char *title)
{
    const conversation *c = app_selected(a);
    if (!c)
        return;
    event ev;
    event_init(&ev, EVENT_KEY, c->id, app_now(a), a->tz_offset);
    ev.key = "name";
    ev.name = name && *name ? name : NULL;
    ev.surname = surname && *surname ? surname : NULL;
    ev.title = title && *title ? title : NULL;
    app_feed(a, &ev);
}

/* The typed answer without surrounding spaces (in place). */
static const char *trimmed_answer(compose_state *cs)
{
    char *s = cs->answer.data ? cs->answer.data : (char *)"";
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
    return s;
}

static void ask_commit(app *a)
{
    compose_state *cs = &a->compose;
    const char *value = trimmed_answer(cs);
    if (!*value) {
        app_message(a, false, _("type %s first, or Esc to cancel"),
                    placeholder_label(a, cs->ask_name));
        return;
    }
    const pb_placeholder *ph = playbook_placeholder(a->pb, cs->ask_name);
    const conversation *c = app_selected(a);
    if (ph && ph->source == SOURCE_CUSTOMER) {
        person_name pn;
        if (!strcmp(ph->name, "surname"))
            customer_event(a, NULL, value, NULL);
        else if (!strcmp(ph->name, "title"))
            customer_event(a, NULL, NULL, value);
        else if (person_name_parse(value, &pn))
            customer_event(a, pn.name, pn.surname, pn.title);
    } else if (c) {
        engine_set_value(a->engine, c->id, cs->ask_name, value, app_now(a));
    }
    ask_next(a);
}

/* Builds what the line looks like while asking; the value being typed is at *at, *len long. */
static void ask_display(app *a, buf *out, size_t *at, size_t *len)
{
    compose_state *cs = &a->compose;
    const conversation *c = app_selected(a);
    buf filled;
    buf_init(&filled);
    if (c)
        suggest_fill(a->engine, c, cs->ask_line, app_now(a), &filled, NULL, 0);
    char hole[160];
    snprintf(hole, sizeof hole, HOLE_OPEN "%s" HOLE_CLOSE, placeholder_label(a, cs->ask_name));
    const char *f = buf_str(&filled);
    const char *h = strstr(f, hole);
    size_t pre = h ? (size_t)(h - f) : filled.len;
    buf_append(out, cs->before.data ? cs->before.data : "", cs->before.len);
    buf_append(out, f, pre);
    *at = out->len;
    if (cs->answer.len)
        buf_append(out, cs->answer.data, cs->answer.len);
    else if (h)
        buf_puts(out, hole);
    *len = out->len - *at;
    if (h)
        buf_puts(out, h + strlen(hole));
    buf_append(out, cs->after.data ? cs->after.data : "", cs->after.len);
    buf_free(&filled);
}

/* ---- "/" search and prompts ------------------------------------------------------ */

static void pick_refresh(app *a)
{
    compose_state *cs = &a->compose;
    cs->pick_count = picker_search(a->pb, buf_str(&cs->answer), cs->picks, PICK_MAX);
    cs->pick_selected = 0;
    app_mark(a, PANE_SUGGEST);
    app_mark(a, PANE_COMPOSE);
}

void compose_start_pick(app *a)
{
    compose_cancel(a);
    a->compose.mode = COMPOSE_PICK;
    pick_refresh(a);
}

void compose_start_prompt(app *a, prompt_kind kind, const char *initial)
{
    compose_cancel(a);
    compose_state *cs = &a->compose;
    cs->mode = COMPOSE_PROMPT;
    cs->prompt = kind;
    buf_puts(&cs->answer, initial ? initial : "");
    cs->answer_cursor = cs->answer.len;
}

static void prompt_commit(app *a)
{
    compose_state *cs = &a->compose;
    const char *value = trimmed_answer(cs);
    const conversation *c = app_selected(a);
    if (!*value || !c) {
        compose_cancel(a);
        return;
    }
    if (cs->prompt == PROMPT_NAME) {
        person_name pn;
        if (person_name_parse(value, &pn)) {
            customer_event(a, pn.name, pn.surname, pn.title);
            app_message(a, false, _("recorded: %s%s"), pn.surname, pn.title);
        }
    } else if (a->ops.lookup) {
        const char *kind = cs->prompt == PROMPT_ORDER ? "order" : "stock";
        if (!a->ops.lookup(a->ops_ctx, a, kind, c->id, value))
            app_message(a, true, _("%s lookup failed to start"), kind);
    }
    compose_cancel(a);
}

static bool pick_key(app *a, int key)
{
    compose_state *cs = &a->compose;
    switch (key) {
    case HK_UP:
    case HK_CTRL('p'):
        if (cs->pick_selected > 0)
            cs->pick_selected--;
        break;
    case HK_DOWN:
    case HK_CTRL('n'):
        if (cs->pick_selected + 1 < cs->pick_count)
            cs->pick_selected++;
        break;
    case HK_PGUP:
        cs->pick_selected = cs->pick_selected > 8 ? cs->pick_selected - 8 : 0;
        break;
    case HK_PGDN:
        cs->pick_selected += 8;
        if (cs->pick_selected >= cs->pick_count)
            cs->pick_selected = cs->pick_count ? cs->pick_count - 1 : 0;
        break;
    case HK_ENTER:
        if (cs->pick_count) {
            int line = cs->picks[cs->pick_selected];
            compose_cancel(a);
            action_insert_line(a, line);
        }
        return true;
    case HK_BACKSPACE:
        if (cs->answer.len == 0) {
            compose_cancel(a);
            return true;
        }
        /* fall through */
    default:
        if (!edit_field(a, &cs->answer, &cs->answer_cursor, key))
            return false;
        pick_refresh(a);
        return true;
    }
    app_mark(a, PANE_SUGGEST);
    return true;
}

bool compose_mode_key(app *a, int key)
{
    compose_state *cs = &a->compose;
    if (cs->mode == COMPOSE_TEXT)
        return false;
    if (key == HK_ESC) {
        compose_cancel(a);
        return true;
    }
    if (cs->mode == COMPOSE_PICK)
        return pick_key(a, key);
    if (key == HK_ENTER) {
        if (cs->mode == COMPOSE_ASK)
            ask_commit(a);
        else
            prompt_commit(a);
        return true;
    }
    if (!edit_field(a, &cs->answer, &cs->answer_cursor, key))
        return false;
    app_mark(a, PANE_COMPOSE);
    return true;
}

/* True when name is [a-z_][a-z0-9_.]* and declared by the playbook. */
static bool declared(app *a, const char *s, size_t n)
{
    char name[64];
    if (n == 0 || n >= sizeof name)
        return false;
    memcpy(name, s, n);
    name[n] = '\0';
    return playbook_placeholder(a->pb, name) != NULL;
}

/* True when the label between 【】 names a placeholder of the playbook. */
static bool is_label(app *a, const char *s, size_t n)
{
    for (size_t i = 0; i < a->pb->placeholder_count; i++) {
        const pb_placeholder *ph = &a->pb->placeholders[i];
        const char *l = ph->label ? ph->label : ph->name;
        if (strlen(l) == n && !memcmp(l, s, n))
            return true;
    }
    return false;
}

/* Copies text[0, len) into out with every occurrence of the selected conversation's customer
 * values (name, surname, title, looked-up and asked values) blanked byte for byte: they are
 * data, never a placeholder to fill nor a phrase to lint or "fix". */
static void mask_values(app *a, const char *text, size_t len, buf *out)
{
    buf_append(out, text, len);
    const conversation *c = app_selected(a);
    if (!c || out->failed || !out->data)
        return;
    const char *fixed[] = {c->name, c->surname, c->title};
    for (size_t i = 0; i < 3 + c->value_count; i++) {
        const char *v = i < 3 ? fixed[i] : c->values[i - 3].value;
        size_t n = v ? strlen(v) : 0;
        for (char *p = n ? strstr(out->data, v) : NULL; p; p = strstr(p + n, v))
            memset(p, ' ', n);
    }
}

bool compose_has_hole(const app *ca, const char *draft, char *what, size_t cap)
{
    app *a = (app *)ca;
    buf masked;
    buf_init(&masked);
    mask_values(a, draft, strlen(draft), &masked);
    bool found = false;
    const char *text = buf_str(&masked);
    for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!found && e && declared(a, p + 1, (size_t)(e - p - 1))) {
            snprintf(what, cap, "%.*s", (int)(e - p + 1), p);
            found = true;
        }
    }
    for (const char *p = strstr(text, HOLE_OPEN); p && !found; p = strstr(p + 3, HOLE_OPEN)) {
        const char *e = strstr(p + 3, HOLE_CLOSE);
        if (e && is_label(a, p + 3, (size_t)(e - p - 3))) {
            snprintf(what, cap, "%.*s", (int)(e + 3 - p), p);
            found = true;
        }
    }
    buf_free(&masked);
    return found;
}

/* ---- forbidden phrases (core/lint) ------------------------------------------------------ */

#define LINT_MAX 16

/* The forbidden phrases and 不可以说 lines in text (raw placeholders and holes are
 * compose_has_hole's); returns how many went into hits. */
static size_t phrase_hits(app *a, const char *text, size_t len, lint_hit *hits, size_t max)
{
    if (len == 0)
        return 0;
    if (!a->lint_built) {
        a->lint = lint_new(a->pb);
        a->lint_built = true;
    }
    if (!a->lint)
        return 0;
    lint_hit all[LINT_MAX];
    buf masked; /* customer values are never linted */
    buf_init(&masked);
    mask_values(a, text, len, &masked);
    size_t n = lint_check(a->lint, buf_str(&masked), masked.len, all, LINT_MAX), k = 0;
    buf_free(&masked);
    for (size_t i = 0; i < n && i < LINT_MAX && k < max; i++)
        if (all[i].kind == LINT_FORBIDDEN || all[i].kind == LINT_AVOID)
            hits[k++] = all[i];
    return k;
}

/* How far from the cursor the screen looks for forbidden phrases to mark (bytes each way): the
 * marks cost the same on a 1 MB line as on a short one. Sending checks the whole line. */
#define LINT_NEAR 4096

/* phrase_hits over the part of text within LINT_NEAR bytes of around (whole characters). */
static size_t phrase_hits_near(app *a, const char *text, size_t len, size_t around, lint_hit *hits,
                               size_t max)
{
    size_t from = around > LINT_NEAR ? around - LINT_NEAR : 0;
    size_t to = len - around > LINT_NEAR ? around + LINT_NEAR : len;
    while (from > 0 && ((unsigned char)text[from] & 0xC0) == 0x80)
        from--;
    while (to < len && ((unsigned char)text[to] & 0xC0) == 0x80)
        to++;
    size_t n = phrase_hits(a, text + from, to - from, hits, max);
    for (size_t i = 0; i < n; i++)
        hits[i].offset += from;
    return n;
}

/* The selected conversation's draft text ("" when none). */
static const char *app_selected_draft(app *a)
{
    ui_conv *u = app_conv(a, a->selected);
    return u && u->draft.data ? u->draft.data : "";
}

/* The hit the cursor is at or after, looking at the whole draft or only near the cursor. */
static bool lint_hit_at_cursor(app *a, lint_hit *hit, bool near)
{
    ui_conv *u = app_conv(a, a->selected);
    if (!u || a->compose.mode != COMPOSE_TEXT || u->draft.len == 0)
        return false;
    lint_hit hits[LINT_MAX];
    size_t n = near ? phrase_hits_near(a, u->draft.data, u->draft.len, u->cursor, hits, LINT_MAX)
                    : phrase_hits(a, u->draft.data, u->draft.len, hits, LINT_MAX);
    size_t pick = 0;
    for (size_t i = 0; i < n; i++)
        if (hits[i].offset <= u->cursor)
            pick = i;
    if (n)
        *hit = hits[pick];
    return n > 0;
}

bool compose_lint_hit(app *a, lint_hit *hit)
{
    return lint_hit_at_cursor(a, hit, false);
}

/* The better wording of a hit as the agent would send it (an avoid line filled in). */
static void better_text(app *a, const lint_hit *hit, buf *out)
{
    const conversation *c = app_selected(a);
    if (hit->line >= 0 && c)
        suggest_fill(a->engine, c, hit->line, app_now(a), out, NULL, 0);
    else if (hit->better)
        buf_puts(out, hit->better);
}

bool compose_lint_fix(app *a)
{
    lint_hit hit;
    ui_conv *u = app_conv(a, a->selected);
    if (!u || !compose_lint_hit(a, &hit))
        return false;
    if (hit.line >= 0) { /* a playbook line: fill it, asking for missing values in place */
        buf before, after;
        buf_init(&before);
        buf_init(&after);
        buf_append(&before, u->draft.data, hit.offset);
        buf_puts(&after, u->draft.data + hit.offset + hit.length);
        compose_start_ask(a, hit.line, buf_str(&before), buf_str(&after));
        buf_free(&before);
        buf_free(&after);
        return true;
    }
    buf out;
    buf_init(&out);
    if (!lint_replace(&out, u->draft.data, u->draft.len, &hit, NULL)) {
        buf_free(&out);
        return false;
    }
    u->cursor = hit.offset + strlen(hit.better);
    buf_free(&u->draft);
    u->draft = out;
    app_mark(a, PANE_COMPOSE);
    return true;
}

/* ---- the pane ------------------------------------------------------------------------ */

static const char *prompt_text(app *a)
{
    switch (a->compose.mode) {
    case COMPOSE_ASK:
        return "? ";
    case COMPOSE_PICK:
        return "/";
    case COMPOSE_PROMPT:
        return a->compose.prompt == PROMPT_NAME    ? _("Name and title (王芳 女士): ")
               : a->compose.prompt == PROMPT_ORDER ? _("Order number: ")
                                                   : _("Product SKU: ");
    default:
        return "> ";
    }
}

/* Draws text[from, to) clipped to what lies at or after start; returns columns used. */
static int draw_range(app *a, pane *p, int x, const buf *b, size_t start, size_t from, size_t to,
                      int attr)
{
    if (from < start)
        from = start;
    if (to <= from || x >= p->w)
        return 0;
    return draw_text(a, p->win, 0, x, b->data + from, to - from, p->w - x, attr);
}

static void draw_hint(app *a, pane *p, int x)
{
    char help[32], line[256];
    keymap_describe(&a->keys, ACT_HELP, help, sizeof help);
    snprintf(line, sizeof line, _("type a reply | 1-9 use a suggestion | / search | %s help"),
             help);
    draw_text(a, p->win, 0, x, line, strlen(line), p->w - x - 1, ATTR_DIM);
}

/* Right of the compose line: the phrase the cursor is at and what to say instead, with the
 * key that replaces it. Returns the columns it took (at most a third of the line). */
static int draw_lint_hint(app *a, pane *p)
{
    lint_hit hit;
    if (!lint_hit_at_cursor(a, &hit, true))
        return 0;
    buf better, hint;
    buf_init(&better);
    buf_init(&hint);
    better_text(a, &hit, &better);
    char key[32];
    keymap_describe(&a->keys, ACT_FIX, key, sizeof key);
    char *space = strchr(key, ' ');
    if (space)
        *space = '\0';
    buf_printf(&hint, " %.*s: %s [%s] ", (int)hit.length, app_selected_draft(a) + hit.offset,
               buf_str(&better), key);
    int w = (int)draw_width(a, hint.data, hint.len), room = p->w / 3;
    if (w > room)
        w = room;
    if (w >= 8)
        draw_text_cut(a, p->win, 0, p->w - w, hint.data, hint.len, w, ATTR_NEAR);
    buf_free(&better);
    buf_free(&hint);
    return w >= 8 ? w + 1 : 0;
}

static void draw_compose(app *a, pane *p)
{
    compose_state *cs = &a->compose;
    ui_conv *u = app_conv(a, a->selected);
    const char *prompt = prompt_text(a);
    int x = draw_text(a, p->win, 0, 0, prompt, strlen(prompt), p->w - 1, ATTR_KEY);
    buf text;
    buf_init(&text);
    size_t cursor = 0, hole_at = 0, hole_len = 0;
    if (cs->mode == COMPOSE_ASK) {
        ask_display(a, &text, &hole_at, &hole_len);
        cursor = hole_at + (cs->answer.len ? cs->answer_cursor : 0);
    } else if (cs->mode != COMPOSE_TEXT) {
        buf_append(&text, cs->answer.data ? cs->answer.data : "", cs->answer.len);
        cursor = cs->answer_cursor;
    } else if (u) {
        buf_append(&text, u->draft.data ? u->draft.data : "", u->draft.len);
        cursor = u->cursor;
    }
    if (cs->mode == COMPOSE_TEXT && text.len == 0) {
        draw_hint(a, p, x + 1);
        wmove(p->win, 0, x < p->w ? x : p->w - 1);
        buf_free(&text);
        return;
    }
    lint_hit hits[LINT_MAX];
    size_t nhits = 0;
    if (cs->mode == COMPOSE_TEXT) {
        nhits = phrase_hits_near(a, text.data, text.len, cursor, hits, LINT_MAX);
    } else if (hole_len) {
        hits[0].offset = hole_at;
        hits[0].length = hole_len;
        nhits = 1;
    }
    int cols = p->w - x - 1 - (cs->mode == COMPOSE_TEXT ? draw_lint_hint(a, p) : 0);
    size_t start = lineedit_scroll_start(text.data, text.len, cursor, cols > 1 ? (size_t)cols : 1,
                                         a->opt.ambiguous_width == 2),
           pos = 0;
    int used = 0, mark = cs->mode == COMPOSE_TEXT ? ATTR_PAST : ATTR_HOLE;
    for (size_t i = 0; i < nhits; i++) {
        used += draw_range(a, p, x + used, &text, start, pos, hits[i].offset, ATTR_NORMAL);
        pos = hits[i].offset + hits[i].length;
        used += draw_range(a, p, x + used, &text, start, hits[i].offset, pos, mark);
    }
    draw_range(a, p, x + used, &text, start, pos, text.len, ATTR_NORMAL);
    int cx = x + (int)draw_width(a, text.data + start, cursor - start);
    wmove(p->win, 0, cx < p->w ? cx : p->w - 1);
    buf_free(&text);
}

const pane_ops compose_pane_ops = {"compose", draw_compose};
