#include "core/suggest.h"

#include <stdlib.h>
#include <string.h>

#include "core/civil.h"

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
    return v;
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
        if (value) {
            buf_puts(out, value);
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

/* True when every condition the line asks for holds now. */
static bool line_applies(const engine *e, const conversation *c, const pb_line *l, int64_t now)
{
    unsigned w = l->when;
    bool late = c->waiting && now - c->waiting_since >= engine_response_limit(e);
    bool known = c->surname[0] != '\0';
    if ((w & WHEN_PHONE) && !c->phone)
        return false;
    if ((w & WHEN_CHAT) && c->phone)
        return false;
    if ((w & WHEN_LATE) && !late)
        return false;
    if ((w & WHEN_SURNAME_KNOWN) && !known)
        return false;
    if ((w & WHEN_SURNAME_UNKNOWN) && known)
        return false;
    if ((w & WHEN_HOLIDAY) && !suggest_holiday_greeting(engine_playbook(e), now, c->tz_offset))
        return false;
    return true;
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

size_t suggest_rank(const engine *e, const conversation *c, int64_t now, suggestion *out,
                    size_t max)
{
    const playbook *pb = engine_playbook(e);
    const pb_state *st = &pb->states[c->state];
    size_t n = 0;
    n = add(e, c, now, out, n, max, c->pending_line, REASON_TRANSITION);
    n = add(e, c, now, out, n, max, c->ladder_line, REASON_LADDER);
    for (size_t i = 0; i < st->line_count; i++) {
        const pb_line *l = &pb->lines[st->lines[i]];
        if ((l->when & WHEN_LATE) && line_applies(e, c, l, now))
            n = add(e, c, now, out, n, max, st->lines[i], REASON_LATE);
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
