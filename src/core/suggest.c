#include "core/suggest.h"

#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/linematch.h"

const char *suggest_time_greeting(const playbook *pb, int64_t now, int tz_offset)
{
    civil_time t = civil_from_ms(now, tz_offset);
    int minute = t.hour * 60 + t.minute;
    for (size_t i = 0; i < pb->time_count; i++) {
        const pb_time_range *r = &pb->times[i];
        bool inside = r->from_min <= r->to_min ? (minute >= r->from_min && minute < r->to_min)
                                               : (minute >= r->from_min || minute < r->to_min);
        if (inside)
            return r->text;
    }
    return NULL;
}

const char *suggest_holiday_greeting(const playbook *pb, int64_t now, int tz_offset)
{
    civil_time t = civil_from_ms(now, tz_offset);
    for (size_t i = 0; i < pb->holiday_count; i++) {
        const pb_holiday *h = &pb->holidays[i];
        if (h->month == t.month && h->day == t.day && (h->year == 0 || h->year == t.year))
            return h->text;
    }
    return NULL;
}

static const char *customer_field(const conversation *c, const char *name)
{
    const char *v = NULL;
    if (strcmp(name, "surname") == 0)
        v = c->surname;
    else if (strcmp(name, "title") == 0)
        v = c->title;
    else if (strcmp(name, "name") == 0 || strcmp(name, "customer_name") == 0)
        v = c->name;
    return v && *v ? v : NULL;
}

/* True when the customer's surname is known (from the feed, the message, or typed in place). */
static bool surname_known(const conversation *c)
{
    const char *v = conversation_value(c, "surname");
    return c->surname[0] || (v && *v);
}

static const char *line_fallback(const pb_line *l, const char *name)
{
    for (size_t i = 0; i < l->fallback_count; i++)
        if (strcmp(l->fallbacks[i].name, name) == 0)
            return l->fallbacks[i].text;
    return NULL;
}

/* The value of one placeholder, or NULL when nothing provides one. */
static const char *placeholder_value(const engine *e, const conversation *c, const pb_line *l,
                                     const pb_placeholder *p, int64_t now)
{
    const playbook *pb = engine_playbook(e);
    const char *v = NULL;
    switch (p->source) {
    case SOURCE_CUSTOMER:
        v = customer_field(c, p->name);
        break;
    case SOURCE_CLOCK:
        v = suggest_time_greeting(pb, now, c->tz_offset);
        break;
    case SOURCE_CALENDAR:
        v = suggest_holiday_greeting(pb, now, c->tz_offset);
        break;
    case SOURCE_LOOKUP:
    case SOURCE_ASK:
        v = conversation_value(c, p->name);
        break;
    case SOURCE_CONFIG:
        v = engine_config(e, p->name);
        if (!v)
            v = p->default_value;
        break;
    }
    if (!v && p->source != SOURCE_CONFIG)
        v = conversation_value(c, p->name);
    if (!v)
        v = line_fallback(l, p->name);
    if (!v)
        v = p->fallback;
    if (!v && p->source == SOURCE_CUSTOMER && strcmp(p->name, "title") == 0 && !surname_known(c))
        v = ""; /* no surname to go with: the line addresses the customer as 您 alone */
    return v;
}

static bool ends_with(const buf *b, const char *s)
{
    size_t n = strlen(s);
    return b->len >= n && memcmp(b->data + b->len - n, s, n) == 0;
}

/* After a placeholder filled with nothing: a comma right after it is dropped when the text
 * so far is empty or ends with punctuation ("很抱歉,{title},多谢" -> "很抱歉,多谢").
 * Returns where the rest of the text starts, minus one (the caller steps past it). */
static const char *skip_orphan_comma(const buf *out, const char *close)
{
    static const char *const comma[] = {"\xEF\xBC\x8C", ",", "\xE3\x80\x81"}; /* , , 、 */
    static const char *const stop[] = {"\xEF\xBC\x8C", ",", "\xE3\x80\x81", "\xEF\xBC\x81", "!",
                                       "\xEF\xBC\x9F", "?", "\xE3\x80\x82"};
    bool at_stop = out->len == 0;
    for (size_t i = 0; !at_stop && i < sizeof stop / sizeof stop[0]; i++)
        at_stop = ends_with(out, stop[i]);
    if (!at_stop)
        return close;
    for (size_t i = 0; i < sizeof comma / sizeof comma[0]; i++) {
        size_t n = strlen(comma[i]);
        if (strncmp(close + 1, comma[i], n) == 0)
            return close + n;
    }
    return close;
}

size_t suggest_fill(const engine *e, const conversation *c, int line, int64_t now, buf *out,
                    const char **missing, size_t max_missing)
{
    const playbook *pb = engine_playbook(e);
    const pb_line *l = &pb->lines[line];
    size_t missing_count = 0;
    const char *p = l->text;
    while (*p) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            buf_puts(out, p);
            break;
        }
        buf_append(out, p, (size_t)(open - p));
        char name[64];
        size_t n = (size_t)(close - open - 1);
        if (n >= sizeof name)
            n = sizeof name - 1;
        memcpy(name, open + 1, n);
        name[n] = '\0';
        const pb_placeholder *ph = playbook_placeholder(pb, name);
        const char *value = ph ? placeholder_value(e, c, l, ph, now) : NULL;
        if (value && *value) {
            buf_puts(out, value);
        } else if (value) {
            close = skip_orphan_comma(out, close);
        } else {
            buf_puts(out, "\xE3\x80\x90"); /* 【label】 */
            buf_puts(out, ph && ph->label ? ph->label : name);
            buf_puts(out, "\xE3\x80\x91");
            if (missing && missing_count < max_missing)
                missing[missing_count] = ph ? ph->name : NULL;
            missing_count++;
        }
        p = close + 1;
    }
    return missing_count;
}

/* The customer waited past the response limit, or asked where the agent is. */
static bool is_late(const engine *e, const conversation *c, int64_t now)
{
    return c->waiting && (c->chased || now - c->waiting_since >= engine_response_limit(e));
}

/* True when no looked-up value the line has conditions on contradicts them: each such value,
 * once known, is one the line allows. */
static bool values_allow(const conversation *c, const pb_line *l)
{
    for (size_t i = 0; i < l->value_when_count; i++) {
        const char *v = conversation_value(c, l->value_when[i].name);
        if (!v)
            continue;
        bool allowed = false;
        for (size_t k = 0; k < l->value_when_count && !allowed; k++)
            allowed = !strcmp(l->value_when[k].name, l->value_when[i].name) &&
                      !strcmp(l->value_when[k].text, v);
        if (!allowed)
            return false;
    }
    return true;
}

/* True when every condition the line asks for holds now. */
static bool line_applies(const engine *e, const conversation *c, const pb_line *l, int64_t now)
{
    unsigned w = l->when;
    bool known = c->surname[0] != '\0';
    if ((w & WHEN_PHONE) && !c->phone)
        return false;
    if ((w & WHEN_CHAT) && c->phone)
        return false;
    if ((w & WHEN_LATE) && !is_late(e, c, now))
        return false;
    if ((w & WHEN_SURNAME_KNOWN) && !known)
        return false;
    if ((w & WHEN_SURNAME_UNKNOWN) && known)
        return false;
    if ((w & WHEN_FIRST_REPLY) && c->answered_once)
        return false;
    if ((w & WHEN_HOLIDAY) && !suggest_holiday_greeting(engine_playbook(e), now, c->tz_offset))
        return false;
    return l->value_when_count == 0 || values_allow(c, l);
}

static bool already_ranked(const suggestion *out, size_t n, int line)
{
    for (size_t i = 0; i < n; i++)
        if (out[i].line == line)
            return true;
    return false;
}

static size_t add(const engine *e, const conversation *c, int64_t now, suggestion *out, size_t n,
                  size_t max, int line, suggest_reason reason)
{
    if (line < 0 || n >= max || already_ranked(out, n, line))
        return n;
    buf b;
    buf_init(&b);
    suggestion *s = &out[n];
    memset(s, 0, sizeof *s);
    s->line = line;
    s->reason = reason;
    s->missing_count = suggest_fill(e, c, line, now, &b, s->missing, SUGGEST_MAX_MISSING);
    s->text = buf_take(&b);
    return n + 1;
}

/* The first line of state s that applies now (with late_only, of those asking for `late`);
 * PB_NONE when none does. */
static int first_line(const engine *e, const conversation *c, int s, int64_t now, bool late_only)
{
    const playbook *pb = engine_playbook(e);
    if (s < 0)
        return PB_NONE;
    for (size_t i = 0; i < pb->states[s].line_count; i++) {
        const pb_line *l = &pb->lines[pb->states[s].lines[i]];
        if ((!late_only || (l->when & WHEN_LATE)) && line_applies(e, c, l, now))
            return pb->states[s].lines[i];
    }
    return PB_NONE;
}

/* Adds the lines of the current state that promise an answer by a deadline. */
static size_t add_promises(const engine *e, const conversation *c, int64_t now, suggestion *out,
                           size_t n, size_t max)
{
    const playbook *pb = engine_playbook(e);
    const pb_state *st = &pb->states[c->state];
    for (size_t i = 0; i < st->line_count; i++) {
        const pb_line *l = &pb->lines[st->lines[i]];
        if (l->promise_ms > 0 && line_applies(e, c, l, now))
            n = add(e, c, now, out, n, max, st->lines[i], REASON_STATE);
    }
    return n;
}

/* True when the line fills a looked-up placeholder and every one it uses has a value: the
 * line answers with what a lookup found. */
static bool answers_lookup(const engine *e, const conversation *c, const pb_line *l)
{
    const playbook *pb = engine_playbook(e);
    bool any = false;
    for (const char *p = strchr(l->text, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close)
            break;
        char name[64];
        size_t n = (size_t)(close - p - 1);
        if (n >= sizeof name)
            return false;
        memcpy(name, p + 1, n);
        name[n] = '\0';
        const pb_placeholder *ph = playbook_placeholder(pb, name);
        if (!ph || ph->source != SOURCE_LOOKUP)
            continue;
        if (!conversation_value(c, name))
            return false;
        any = true;
    }
    return any;
}

#define ANSWERS_MAX 2 /* lines answering with looked-up values, ranked from any state */

/* After a lookup, in any state: the lines (the current state's first) that answer with what
 * it found and that no looked-up value contradicts. */
static size_t add_answers(const engine *e, const conversation *c, int64_t now, suggestion *out,
                          size_t n, size_t max)
{
    const playbook *pb = engine_playbook(e);
    if (c->value_count == 0)
        return n;
    size_t added = 0;
    const pb_state *st = &pb->states[c->state];
    for (size_t i = 0; i < st->line_count && added < ANSWERS_MAX; i++) {
        const pb_line *l = &pb->lines[st->lines[i]];
        if (answers_lookup(e, c, l) && line_applies(e, c, l, now)) {
            size_t before = n;
            n = add(e, c, now, out, n, max, st->lines[i], REASON_STATE);
            added += n > before;
        }
    }
    for (size_t i = 0; i < pb->line_count && added < ANSWERS_MAX; i++) {
        const pb_line *l = &pb->lines[i];
        if (l->state != c->state && answers_lookup(e, c, l) && line_applies(e, c, l, now)) {
            size_t before = n;
            n = add(e, c, now, out, n, max, (int)i, REASON_STATE);
            added += n > before;
        }
    }
    return n;
}

static bool has_promises(const playbook *pb, const pb_state *st)
{
    for (size_t i = 0; i < st->line_count; i++)
        if (pb->lines[st->lines[i]].promise_ms > 0)
            return true;
    return false;
}

/* Ranks what the rules call for first: until the agent has replied, the greeting (the late
 * one when the customer waited past the limit); the late apology in any state; in a state
 * that promises an answer, the promises right after its first line (first of all once the
 * agent has spoken in it); then the transition's line, the ladder's, and the state's lines. */
size_t suggest_rank(const engine *e, const conversation *c, int64_t now, suggestion *out,
                    size_t max)
{
    const playbook *pb = engine_playbook(e);
    const pb_state *st = &pb->states[c->state];
    int greeting = playbook_state_index(pb, "greeting");
    bool late = is_late(e, c, now);
    size_t n = 0;
    int first = PB_NONE;
    if (!c->answered_once && !c->phone) {
        first = late ? first_line(e, c, greeting, now, true) : PB_NONE;
        if (first < 0)
            first = first_line(e, c, greeting, now, false);
        n = add(e, c, now, out, n, max, first,
                first >= 0 && (pb->lines[first].when & WHEN_LATE) ? REASON_LATE : REASON_GREETING);
    }
    if (late && !(first >= 0 && (pb->lines[first].when & WHEN_LATE))) {
        size_t before = n;
        for (size_t i = 0; i < st->line_count; i++) {
            const pb_line *l = &pb->lines[st->lines[i]];
            if ((l->when & WHEN_LATE) && line_applies(e, c, l, now))
                n = add(e, c, now, out, n, max, st->lines[i], REASON_LATE);
        }
        if (n == before)
            n = add(e, c, now, out, n, max, first_line(e, c, greeting, now, true), REASON_LATE);
    }
    bool promises = has_promises(pb, st);
    if (promises && c->sent_in_state)
        n = add_promises(e, c, now, out, n, max);
    n = add(e, c, now, out, n, max, c->pending_line, REASON_TRANSITION);
    n = add(e, c, now, out, n, max, c->ladder_line, REASON_LADDER);
    n = add_answers(e, c, now, out, n, max);
    if (promises && !c->sent_in_state) {
        bool own = false;
        for (size_t i = 0; i < n && !own; i++)
            own = pb->lines[out[i].line].state == c->state;
        if (!own)
            n = add(e, c, now, out, n, max, first_line(e, c, c->state, now, false), REASON_STATE);
        n = add_promises(e, c, now, out, n, max);
    }
    for (size_t i = 0; i < st->line_count; i++)
        if (line_applies(e, c, &pb->lines[st->lines[i]], now))
            n = add(e, c, now, out, n, max, st->lines[i], REASON_STATE);
    return n;
}

void suggest_clear(suggestion *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(s[i].text);
        s[i].text = NULL;
    }
}

bool suggest_still_carries(const engine *e, const conversation *c, int line, const char *text,
                           int64_t now)
{
    const playbook *pb = engine_playbook(e);
    if (line < 0 || (size_t)line >= pb->line_count || !text)
        return false;
    buf filled;
    buf_init(&filled);
    suggest_fill(e, c, line, now, &filled, NULL, 0);
    bool carries = !filled.failed && linematch_carries(pb->lines[line].text, buf_str(&filled), text,
                                                       LINEMATCH_THRESHOLD);
    buf_free(&filled);
    return carries;
}

void suggest_keep_order(const suggestion *kept, size_t kept_n, suggestion *fresh, size_t n)
{
    suggestion out[SUGGEST_MAX];
    bool placed[SUGGEST_MAX] = {false}, used[SUGGEST_MAX] = {false};
    if (n > SUGGEST_MAX)
        n = SUGGEST_MAX;
    for (size_t i = 0; i < kept_n && i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            if (!used[j] && fresh[j].line == kept[i].line) {
                out[i] = fresh[j];
                used[j] = placed[i] = true;
                break;
            }
        }
    }
    size_t next = 0;
    for (size_t i = 0; i < n; i++) {
        if (placed[i])
            continue;
        while (used[next])
            next++;
        out[i] = fresh[next];
        used[next] = true;
    }
    memcpy(fresh, out, n * sizeof *out);
}
