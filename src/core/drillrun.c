/* drillrun: plays a drill's customer against one conversation and scores the agent. The
 * caller owns the engine and the clock: it feeds the events the run emits and every other
 * event to the engine, relays the engine's changes, and advances the run to its deadlines. */
#include "core/drill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/linematch.h"
#include "core/lint.h"
#include "core/suggest.h"

#define QUEUE_MAX   32
#define LINT_MAX    16
#define NO_BRANCH   (-100)
#define LINE_MARGIN 15 /* similarity points a line may trail the closest one by */

/* A state the engine entered, noticed by the observer and not yet looked at. */
typedef struct state_entry {
    int state;
    int64_t at;
} state_entry;

struct drill_run {
    const drill *dr;
    const engine *e;
    const playbook *pb;
    lint *lint;
    char conv[129];
    int64_t start;
    int tz;
    drill_emit emit;
    void *emit_ctx;
    drill_result res;
    bool *early_seen; /* per expectation: done once before its after: */
    bool *visited;    /* per step */
    int step;         /* current step, DRILL_END once the path is over */
    int entered;      /* steps entered so far, at most DRILL_MAX_STEPS */
    long fired;       /* deadlines played, bounded by the steps and expectations */
    int64_t step_entered;
    bool turned; /* the current step's customer turn has happened */
    int64_t turn_at;
    int64_t last_agent_at; /* 0 before the first agent message */
    bool spoke;            /* the trainee sent a message since the current step began */
    bool started, over;
    const char *ending; /* set when the run must end after what it is doing */
    event *outbox;
    size_t out_count, out_cap;
    bool flushing;
    const event *emitting; /* the run's own event being fed back */
    state_entry queue[QUEUE_MAX];
    size_t queue_len;
    int64_t now;
    buf scratch;
    int *sim; /* per playbook line: how closely the message rated carries it, -1 not at all */
    int best;
    const event *rated; /* the message sim is for, NULL before one is rated */
};

/* Moves to step index (DRILL_NEXT: the one after, DRILL_END: none); a now-turn comes at once. */
static void enter_step(drill_run *r, int index, int64_t at);
static void finish_at(drill_run *r, int64_t at, const char *reason);

/* ---- small helpers ------------------------------------------------------------------- */

/* How long the run may last: the drill's limit, at most DRILL_MAX_TIME. */
static int64_t limit_ms(const drill *dr)
{
    return dr->limit.ms < DRILL_MAX_TIME ? dr->limit.ms : DRILL_MAX_TIME;
}

/* The index of step s's first expectation in the outcome array. */
static size_t first_outcome(const drill *dr, size_t s)
{
    return dr->step_first[s];
}

/* strstr with ASCII letters compared case-insensitively. */
static bool contains(const char *text, const char *word)
{
    size_t n = strlen(word);
    if (!text || !n)
        return false;
    for (const char *p = text; *p; p++) {
        size_t i = 0;
        while (i < n && p[i]) {
            unsigned char a = (unsigned char)p[i], b = (unsigned char)word[i];
            if (a >= 'A' && a <= 'Z')
                a = (unsigned char)(a | 0x20);
            if (b >= 'A' && b <= 'Z')
                b = (unsigned char)(b | 0x20);
            if (a != b)
                break;
            i++;
        }
        if (i == n)
            return true;
    }
    return false;
}

/* True when line id matches pattern (exactly, or by prefix when it ends in *). */
static bool line_id_matches(const char *pattern, const char *id)
{
    size_t n = strlen(pattern);
    if (n && pattern[n - 1] == '*')
        return strncmp(pattern, id, n - 1) == 0;
    return strcmp(pattern, id) == 0;
}

/* How closely an agent message carries each playbook line (linematch.h), filled for this
 * conversation: -1 when the reply lacks one of the line's placeholder values. Computed once
 * per message; best is the highest. */
static void rate_lines(drill_run *r, const event *ev)
{
    if (r->rated == ev)
        return;
    r->rated = ev;
    r->best = -1;
    const conversation *c = engine_find(r->e, r->conv);
    for (size_t l = 0; l < r->pb->line_count; l++) {
        r->sim[l] = -1;
        if (!c || !ev->text)
            continue;
        buf_clear(&r->scratch);
        suggest_fill(r->e, c, (int)l, ev->ts_ms, &r->scratch, NULL, 0);
        if (r->scratch.failed)
            r->res.failed = true;
        const char *filled = buf_str(&r->scratch);
        if (r->scratch.len && linematch_values(r->pb->lines[l].text, filled, ev->text))
            r->sim[l] = linematch_similarity(filled, ev->text);
        if (r->sim[l] > r->best)
            r->best = r->sim[l];
    }
}

/* True when the agent message carries one of the lines: it is similar enough to one of them
 * (scoring: similarity) and no other line of the playbook is clearly closer (by more than
 * LINE_MARGIN points: "请稍等,我立即为您转接" is not the line "我立即为您转交..."). Its line id
 * (the suggestion it came from) does not count: an edited suggestion is what it now says. */
static bool message_is_line(drill_run *r, char **ids, size_t n, const event *ev)
{
    rate_lines(r, ev);
    for (size_t i = 0; i < n; i++)
        for (size_t l = 0; l < r->pb->line_count; l++)
            if (line_id_matches(ids[i], r->pb->lines[l].id) &&
                r->sim[l] >= r->dr->scoring.similarity && r->sim[l] + LINE_MARGIN >= r->best)
                return true;
    return false;
}

static bool text_has_any(char **words, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (contains(text, words[i]))
            return true;
    return false;
}

/* True when the reply addresses the persona by surname (and title, when it has one). */
static bool text_has_surname(const drill *dr, const char *text)
{
    if (!dr->surname || !*dr->surname || !contains(text, dr->surname))
        return false;
    return !dr->title_word || !*dr->title_word || contains(text, dr->title_word);
}

static bool state_listed(const drill_run *r, char **ids, size_t n, int state)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ids[i], r->pb->states[state].id))
            return true;
    return false;
}

/* A copy of s (NULL for NULL); NULL, the result marked failed, when out of memory. */
static char *dup_text(drill_run *r, const char *s)
{
    char *p = s ? strdup(s) : NULL;
    if (s && !p)
        r->res.failed = true;
    return p;
}

/* Appends one line to the transcript. */
static void said(drill_run *r, int64_t at, event_from from, const char *text, const char *line)
{
    drill_said *grown =
        realloc(r->res.transcript, (r->res.said_count + 1) * sizeof *r->res.transcript);
    if (!grown) {
        r->res.failed = true;
        return;
    }
    r->res.transcript = grown;
    drill_said s = {at, from, dup_text(r, text), dup_text(r, line)};
    if ((text && !s.text) || (line && !s.line)) {
        free(s.text);
        free(s.line);
        return;
    }
    grown[r->res.said_count++] = s;
}

/* ---- the outbox: customer events, emitted once the run is in a consistent state ----- */

static void post(drill_run *r, const event *ev)
{
    if (r->out_count == r->out_cap) {
        size_t cap = r->out_cap ? r->out_cap * 2 : 8;
        event *grown = realloc(r->outbox, cap * sizeof *grown);
        if (!grown) {
            r->res.failed = true;
            return;
        }
        r->outbox = grown;
        r->out_cap = cap;
    }
    r->outbox[r->out_count++] = *ev;
}

/* Hands the posted events to the caller in order; events they cause may post more. */
static void flush(drill_run *r)
{
    if (r->flushing)
        return;
    r->flushing = true;
    for (size_t i = 0; i < r->out_count; i++) {
        event ev = r->outbox[i];
        r->emitting = &ev;
        r->emit(r->emit_ctx, &ev);
        r->emitting = NULL;
    }
    r->out_count = 0;
    r->flushing = false;
    if (r->ending && !r->over)
        finish_at(r, r->now, r->ending);
}

/* ---- outcomes ------------------------------------------------------------------------ */

/* Marks outcome i met at `at` (late past its deadline, points reduced per late unit). */
static void meet(drill_run *r, size_t i, int64_t at, const char *text)
{
    const drill_expect *x = drill_expect_at(r->dr, i, NULL);
    drill_outcome *o = &r->res.outcomes[i];
    o->met_at = at;
    o->awarded = x->points;
    o->status = DRILL_MET;
    if (at > o->deadline) {
        const drill_scoring *sc = &r->dr->scoring;
        int64_t units = (at - o->deadline + sc->late_unit.ms - 1) / sc->late_unit.ms;
        int64_t loss = units * sc->late_penalty;
        o->awarded = loss >= x->points ? 0 : x->points - (int)loss;
        o->status = DRILL_LATE;
    }
    free(o->said);
    o->said = dup_text(r, text);
}

/* Something the expectation wants happened at `at`: met, or noted as early. */
static void occurred(drill_run *r, size_t i, int64_t at, const char *text)
{
    drill_outcome *o = &r->res.outcomes[i];
    const drill_expect *x = drill_expect_at(r->dr, i, NULL);
    if (at < o->opened_at + x->after.ms) {
        r->early_seen[i] = true;
        free(o->said);
        o->said = dup_text(r, text);
        return;
    }
    meet(r, i, at, text);
}

static void note_expected(drill_run *r, size_t i);

/* A never-kind expectation broken at `at` by text. */
static void broken(drill_run *r, size_t i, int64_t at, const char *text)
{
    drill_outcome *o = &r->res.outcomes[i];
    o->status = DRILL_MISSED;
    o->met_at = at;
    o->awarded = 0;
    note_expected(r, i);
    free(o->said);
    o->said = dup_text(r, text);
}

static bool is_never(drill_kind k)
{
    return k == EXPECT_NEVER || k == EXPECT_NEVER_LINE;
}

/* Checks an agent message against every open expectation. */
static void match_message(drill_run *r, const event *ev)
{
    for (size_t i = 0; i < r->dr->expect_total; i++) {
        if (r->res.outcomes[i].status != DRILL_PENDING)
            continue;
        const drill_expect *x = drill_expect_at(r->dr, i, NULL);
        switch (x->kind) {
        case EXPECT_LINE:
            if (message_is_line(r, x->words, x->word_count, ev))
                occurred(r, i, ev->ts_ms, ev->text);
            break;
        case EXPECT_SAY:
            if (text_has_any(x->words, x->word_count, ev->text))
                occurred(r, i, ev->ts_ms, ev->text);
            break;
        case EXPECT_SURNAME:
            if (text_has_surname(r->dr, ev->text))
                occurred(r, i, ev->ts_ms, ev->text);
            break;
        case EXPECT_NEVER:
            if (text_has_any(x->words, x->word_count, ev->text))
                broken(r, i, ev->ts_ms, ev->text);
            break;
        case EXPECT_NEVER_LINE:
            if (message_is_line(r, x->words, x->word_count, ev))
                broken(r, i, ev->ts_ms, ev->text);
            break;
        case EXPECT_REPLY:
            if (ev->text && *ev->text)
                occurred(r, i, ev->ts_ms, ev->text);
            break;
        default:
            break;
        }
    }
}

/* Checks a state the conversation entered against the open state expectations. */
static void match_state(drill_run *r, int state, int64_t at)
{
    for (size_t i = 0; i < r->dr->expect_total; i++) {
        const drill_expect *x = drill_expect_at(r->dr, i, NULL);
        if (r->res.outcomes[i].status == DRILL_PENDING && x->kind == EXPECT_STATE &&
            state_listed(r, x->words, x->word_count, state))
            occurred(r, i, at, r->pb->states[state].id);
    }
}

/* The agent hung up: the open hang-up expectations happened. */
static void match_hangup(drill_run *r, int64_t at)
{
    for (size_t i = 0; i < r->dr->expect_total; i++) {
        const drill_expect *x = drill_expect_at(r->dr, i, NULL);
        if (r->res.outcomes[i].status == DRILL_PENDING && x->kind == EXPECT_HANGUP)
            occurred(r, i, at, "hang up");
    }
}

/* What would have met expectation x, for the trainee to learn: the first line filled in for
 * this conversation, the first phrase, the state (and its key), the surname. */
static void expect_wording(drill_run *r, const drill_expect *x, buf *out)
{
    const char *w = x->word_count ? x->words[0] : NULL;
    const conversation *c = engine_find(r->e, r->conv);
    switch (x->kind) {
    case EXPECT_LINE:
        for (size_t l = 0; w && c && l < r->pb->line_count; l++)
            if (line_id_matches(w, r->pb->lines[l].id)) {
                suggest_fill(r->e, c, (int)l, r->now, out, NULL, 0);
                return;
            }
        break;
    case EXPECT_SAY:
        buf_printf(out, "a reply with \"%s\"", w ? w : "");
        break;
    case EXPECT_STATE:
        buf_printf(out, "mark the conversation %s", w ? w : "");
        break;
    case EXPECT_SURNAME:
        buf_printf(out, "address the customer as %s%s%s", r->dr->surname ? r->dr->surname : "",
                   r->dr->title_word && (unsigned char)r->dr->surname[0] < 0x80 ? " " : "",
                   r->dr->title_word ? r->dr->title_word : "");
        break;
    case EXPECT_HANGUP:
        buf_puts(out, "hang up");
        break;
    case EXPECT_REPLY:
        buf_printf(out, "a reply within %llds", (long long)(x->within.ms / 1000));
        break;
    case EXPECT_NEVER:
        buf_printf(out, "no reply with \"%s\"", w ? w : "");
        break;
    default:
        break;
    }
}

/* Notes what would have met missed outcome i. */
static void note_expected(drill_run *r, size_t i)
{
    drill_outcome *o = &r->res.outcomes[i];
    if (o->expected)
        return;
    buf b;
    buf_init(&b);
    expect_wording(r, drill_expect_at(r->dr, i, NULL), &b);
    if (b.failed)
        r->res.failed = true;
    else if (b.len)
        o->expected = dup_text(r, buf_str(&b));
    buf_free(&b);
}

/* Settles an open expectation whose window is over: never-kinds held (unscored when the trainee
 * said nothing in the step: silence earns no points), the rest missed. */
static void settle(drill_run *r, size_t i)
{
    const drill_expect *x = drill_expect_at(r->dr, i, NULL);
    drill_outcome *o = &r->res.outcomes[i];
    if (is_never(x->kind) && !r->spoke) {
        o->status = DRILL_UNSCORED;
        o->awarded = 0;
    } else if (is_never(x->kind)) {
        o->status = DRILL_MET;
        o->awarded = x->points;
    } else {
        o->status = r->early_seen[i] ? DRILL_EARLY : DRILL_MISSED;
        o->awarded = 0;
        note_expected(r, i);
    }
}

/* ---- steps --------------------------------------------------------------------------- */

/* Opens the current step's expectations at `at` (a step played again scores them once). */
static void open_expectations(drill_run *r, int64_t at)
{
    const drill_step *st = &r->dr->steps[r->step];
    size_t base = first_outcome(r->dr, (size_t)r->step);
    for (size_t x = 0; x < st->expect_count; x++) {
        drill_outcome *o = &r->res.outcomes[base + x];
        const drill_expect *e = &st->expects[x];
        if (o->status != DRILL_UNOPENED)
            continue;
        o->status = DRILL_PENDING;
        o->opened_at = at;
        o->deadline = is_never(e->kind) ? ENGINE_NEVER : at + e->within.ms;
        o->closes_at = is_never(e->kind) ? ENGINE_NEVER : o->deadline + e->grace.ms;
    }
}

/* The customer's part of the current step: open its expectations, then speak. */
static void take_turn(drill_run *r, int64_t at)
{
    const drill *dr = r->dr;
    const drill_step *st = &dr->steps[r->step];
    r->turned = true;
    r->turn_at = at;
    open_expectations(r, at);
    event ev;
    if (st->lookup_kind) {
        event_init(&ev, EVENT_LOOKUP, r->conv, at, r->tz);
        ev.kind = st->lookup_kind;
        for (size_t i = 0; i < st->field_count; i++)
            ev.fields[i] = st->fields[i];
        ev.field_count = st->field_count;
        post(r, &ev);
    }
    if (st->text) {
        event_init(&ev, EVENT_MESSAGE, r->conv, at, r->tz);
        ev.from = FROM_CUSTOMER;
        ev.text = st->text;
        if (st->reveal) {
            ev.name = dr->name;
            ev.surname = dr->surname;
            ev.title = dr->title_word;
        }
        post(r, &ev);
    }
    if (st->hangup) {
        event_init(&ev, EVENT_CLOSE, r->conv, at, r->tz);
        post(r, &ev);
        r->ending = "customer hung up";
    }
}

/* True when every expectation of the current step is settled (never-kinds do not hold it). */
static bool step_settled(const drill_run *r)
{
    if (!r->turned)
        return false;
    const drill_step *st = &r->dr->steps[r->step];
    size_t base = first_outcome(r->dr, (size_t)r->step);
    for (size_t x = 0; x < st->expect_count; x++)
        if (!is_never(st->expects[x].kind) && r->res.outcomes[base + x].status == DRILL_PENDING)
            return false;
    return true;
}

/* Leaves the current step: what is still open closes now (never-kinds held until now; the
 * rest, left by a branch, missed at once rather than at the end of their grace). */
static void leave_step(drill_run *r)
{
    if (r->step < 0)
        return;
    const drill_step *st = &r->dr->steps[r->step];
    size_t base = first_outcome(r->dr, (size_t)r->step);
    for (size_t x = 0; x < st->expect_count; x++)
        if (r->res.outcomes[base + x].status == DRILL_PENDING)
            settle(r, base + x);
}

static void enter_step(drill_run *r, int index, int64_t at)
{
    if (r->over)
        return;
    if (++r->entered > DRILL_MAX_STEPS) { /* a cycle of steps that takes no time */
        finish_at(r, at, "step limit");
        return;
    }
    leave_step(r);
    if (index == DRILL_NEXT)
        index = (size_t)(r->step + 1) < r->dr->step_count ? r->step + 1 : DRILL_END;
    r->step = index;
    r->spoke = false;
    r->turned = false;
    r->step_entered = at;
    if (index == DRILL_END)
        return;
    r->visited[index] = true;
    if (r->dr->steps[index].turn == TURN_NOW)
        take_turn(r, at);
}

static bool any_pending(const drill_run *r)
{
    for (size_t i = 0; i < r->dr->expect_total; i++)
        if (r->res.outcomes[i].status == DRILL_PENDING)
            return true;
    return false;
}

/* Moves on from settled steps (bounded, in case a drill loops on steps that settle at once),
 * and ends the run when the path is over and nothing is open. */
static void move_on(drill_run *r, int64_t at)
{
    while (!r->over && r->step >= 0 && step_settled(r))
        enter_step(r, r->dr->steps[r->step].then, at);
    if (r->step == DRILL_END && !any_pending(r) && !r->ending)
        r->ending = "completed";
}

/* The target of the first branch of the current step whose condition holds for an agent
 * message (msg) or a state entered (state); NO_BRANCH when none does. */
static int branch_for(drill_run *r, const event *msg, int state)
{
    if (r->step < 0 || !r->turned)
        return NO_BRANCH;
    const drill_step *st = &r->dr->steps[r->step];
    for (size_t b = 0; b < st->branch_count; b++) {
        const drill_branch *br = &st->branches[b];
        bool hit = false;
        if (br->cond == COND_STATE)
            hit = state >= 0 && state_listed(r, br->words, br->word_count, state);
        else if (br->cond == COND_LINE)
            hit = msg && message_is_line(r, br->words, br->word_count, msg);
        else if (br->cond == COND_WORDS)
            hit = msg && text_has_any(br->words, br->word_count, msg->text);
        if (hit)
            return br->target;
    }
    return NO_BRANCH;
}

/* Follows a branch's target, when there is one. */
static void take_branch(drill_run *r, int target, int64_t at)
{
    if (target != NO_BRANCH)
        enter_step(r, target, at);
}

/* ---- what the engine and the agent did ----------------------------------------------- */

/* Looks at the states the observer noticed, in the order they were entered. */
static void drain_states(drill_run *r)
{
    for (size_t i = 0; i < r->queue_len && !r->over; i++) {
        state_entry s = r->queue[i];
        match_state(r, s.state, s.at);
        take_branch(r, branch_for(r, NULL, s.state), s.at);
        move_on(r, s.at);
    }
    r->queue_len = 0;
}

void drill_run_change(drill_run *r, const conversation *c, int64_t at, unsigned changes)
{
    if (r->over || !(changes & CHANGE_STATE) || strcmp(c->id, r->conv) != 0 || c->closed)
        return;
    if (r->queue_len == QUEUE_MAX) /* a storm of changes without events: keep the newest */
        memmove(r->queue, r->queue + 1, (QUEUE_MAX - 1) * sizeof r->queue[0]);
    else
        r->queue_len++;
    r->queue[r->queue_len - 1] = (state_entry){c->state, at};
}

/* Charges the reply's forbidden phrases, avoided lines and unfilled placeholders. */
static void lint_reply(drill_run *r, const event *ev)
{
    static const char *const kinds[] = {"forbidden", "avoid", "placeholder", "missing"};
    lint_hit hits[LINT_MAX];
    size_t n = lint_check(r->lint, ev->text, strlen(ev->text), hits, LINT_MAX);
    for (size_t i = 0; i < n && i < LINT_MAX; i++) {
        drill_hit *grown = realloc(r->res.hits, (r->res.hit_count + 1) * sizeof *grown);
        if (!grown) {
            r->res.failed = true;
            return;
        }
        r->res.hits = grown;
        drill_hit *h = &grown[r->res.hit_count++];
        h->at = ev->ts_ms;
        h->kind = kinds[hits[i].kind];
        h->phrase = hits[i].phrase ? strdup(hits[i].phrase)
                                   : strndup(ev->text + hits[i].offset, hits[i].length);
        h->better = dup_text(r, hits[i].better);
        h->text = strdup(ev->text);
        h->points = r->dr->scoring.forbidden_penalty;
        if (!h->phrase || !h->text || (hits[i].better && !h->better)) {
            free(h->phrase);
            free(h->better);
            free(h->text);
            r->res.hit_count--;
            r->res.failed = true;
            return;
        }
    }
}

/* Charges the reply's drill-wide never: phrases (a penalty each, as a forbidden phrase). */
static void never_reply(drill_run *r, const event *ev)
{
    for (size_t i = 0; i < r->dr->never_count; i++) {
        if (!contains(ev->text, r->dr->never[i]))
            continue;
        drill_hit *grown = realloc(r->res.hits, (r->res.hit_count + 1) * sizeof *grown);
        if (!grown) {
            r->res.failed = true;
            return;
        }
        r->res.hits = grown;
        drill_hit *h = &grown[r->res.hit_count];
        *h = (drill_hit){ev->ts_ms, "never",          strdup(r->dr->never[i]),
                         NULL,      strdup(ev->text), r->dr->scoring.forbidden_penalty};
        if (!h->phrase || !h->text) {
            free(h->phrase);
            free(h->text);
            r->res.failed = true;
            return;
        }
        r->res.hit_count++;
    }
}

/* An agent message: transcript, penalties, expectations, branches, then a reply-turn. */
static void on_agent_message(drill_run *r, const event *ev)
{
    said(r, ev->ts_ms, FROM_AGENT, ev->text, ev->line);
    r->rated = NULL; /* a new message: rate the lines again */
    r->spoke = true;
    r->res.replies++;
    lint_reply(r, ev);
    never_reply(r, ev);
    r->last_agent_at = ev->ts_ms;
    match_message(r, ev);
    int target = branch_for(r, ev, PB_NONE);
    if (target != NO_BRANCH)
        take_branch(r, target, ev->ts_ms);
    else if (r->step >= 0 && !r->turned && r->dr->steps[r->step].turn == TURN_REPLY)
        take_turn(r, ev->ts_ms);
    move_on(r, ev->ts_ms);
}

/* The run's own events, fed back: the customer's words go to the transcript. */
static void on_own_event(drill_run *r, const event *ev)
{
    if (ev->type == EVENT_MESSAGE)
        said(r, ev->ts_ms, FROM_CUSTOMER, ev->text, NULL);
    else if (ev->type == EVENT_CLOSE)
        said(r, ev->ts_ms, FROM_CUSTOMER, "(hangs up)", NULL);
    drain_states(r);
    move_on(r, ev->ts_ms);
}

void drill_run_event(drill_run *r, const event *ev)
{
    if (!r->started || r->over || !ev->conv || strcmp(ev->conv, r->conv) != 0)
        return;
    if (ev->ts_ms > r->now)
        r->now = ev->ts_ms;
    if (r->emitting) {
        on_own_event(r, ev);
        return;
    }
    drain_states(r);
    if (r->over)
        return;
    char note[160];
    switch (ev->type) {
    case EVENT_MESSAGE:
        if (ev->from == FROM_AGENT && ev->text)
            on_agent_message(r, ev);
        break;
    case EVENT_KEY:
    case EVENT_STATE:
        snprintf(note, sizeof note, "(%s %s)", ev->type == EVENT_KEY ? "key" : "state",
                 ev->type == EVENT_KEY ? ev->key : ev->state);
        said(r, ev->ts_ms, FROM_SYSTEM, note, NULL);
        move_on(r, ev->ts_ms);
        break;
    case EVENT_CLOSE:
        said(r, ev->ts_ms, FROM_AGENT, "(hangs up)", NULL);
        match_hangup(r, ev->ts_ms);
        move_on(r, ev->ts_ms);
        if (!r->ending)
            r->ending = "agent hung up";
        break;
    default:
        break;
    }
    flush(r);
}

/* ---- the clock ----------------------------------------------------------------------- */

/* When the agent's silence counts from: the turn (or step entry) or their last message. */
static int64_t silence_base(const drill_run *r, int64_t from)
{
    return r->last_agent_at > from ? r->last_agent_at : from;
}

int64_t drill_run_next_deadline(const drill_run *r)
{
    if (!r->started || r->over)
        return ENGINE_NEVER;
    int64_t next = r->start + limit_ms(r->dr);
    for (size_t i = 0; i < r->dr->expect_total; i++) {
        const drill_outcome *o = &r->res.outcomes[i];
        if (o->status == DRILL_PENDING && o->closes_at != ENGINE_NEVER && o->closes_at + 1 < next)
            next = o->closes_at + 1;
    }
    if (r->step >= 0) {
        const drill_step *st = &r->dr->steps[r->step];
        if (!r->turned && st->turn == TURN_SILENCE) {
            int64_t t = silence_base(r, r->step_entered) + st->wait.ms;
            next = t < next ? t : next;
        }
        for (size_t b = 0; r->turned && b < st->branch_count; b++) {
            int64_t t = silence_base(r, r->turn_at) + st->branches[b].silence.ms;
            if (st->branches[b].cond == COND_SILENCE && t < next)
                next = t;
        }
    }
    return next;
}

/* Does what is due at exactly `at` (the earliest deadline). */
static void fire(drill_run *r, int64_t at)
{
    if (at >= r->start + limit_ms(r->dr)) {
        finish_at(r, at, "time limit");
        return;
    }
    for (size_t i = 0; i < r->dr->expect_total; i++) {
        drill_outcome *o = &r->res.outcomes[i];
        if (o->status == DRILL_PENDING && o->closes_at != ENGINE_NEVER && o->closes_at < at)
            settle(r, i);
    }
    if (r->step >= 0) {
        const drill_step *st = &r->dr->steps[r->step];
        if (!r->turned && st->turn == TURN_SILENCE &&
            silence_base(r, r->step_entered) + st->wait.ms <= at) {
            take_turn(r, at);
        } else if (r->turned) {
            for (size_t b = 0; b < st->branch_count; b++) {
                const drill_branch *br = &st->branches[b];
                if (br->cond == COND_SILENCE &&
                    silence_base(r, r->turn_at) + br->silence.ms <= at) {
                    take_branch(r, br->target, at);
                    break;
                }
            }
        }
    }
    move_on(r, at);
}

void drill_run_advance(drill_run *r, int64_t now)
{
    if (!r->started || r->over)
        return;
    drain_states(r);
    flush(r);
    while (!r->over) {
        int64_t t = drill_run_next_deadline(r);
        if (t > now)
            break;
        if (++r->fired > (long)DRILL_MAX_STEPS * 100) { /* never expected: a stuck deadline */
            finish_at(r, t, "step limit");
            break;
        }
        if (t > r->now)
            r->now = t;
        fire(r, t);
        flush(r);
    }
    if (now > r->now)
        r->now = now;
}

/* ---- life cycle ---------------------------------------------------------------------- */

drill_run *drill_run_new(const drill *dr, const engine *e, const char *conv, int64_t start, int tz,
                         drill_emit emit, void *ctx)
{
    drill_run *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->dr = dr;
    r->e = e;
    r->pb = engine_playbook(e);
    snprintf(r->conv, sizeof r->conv, "%s", conv);
    r->start = r->now = start;
    r->tz = tz;
    r->emit = emit;
    r->emit_ctx = ctx;
    r->step = DRILL_END;
    buf_init(&r->scratch);
    r->lint = lint_new(r->pb);
    size_t n = dr->expect_total ? dr->expect_total : 1;
    r->res.outcomes = calloc(n, sizeof *r->res.outcomes);
    r->early_seen = calloc(n, sizeof *r->early_seen);
    r->visited = calloc(dr->step_count ? dr->step_count : 1, sizeof *r->visited);
    r->sim = calloc(r->pb->line_count ? r->pb->line_count : 1, sizeof *r->sim);
    r->res.drill = dr;
    r->res.conv = strdup(r->conv);
    r->res.started = start;
    r->res.tz = tz;
    if (!r->lint || !r->res.outcomes || !r->early_seen || !r->visited || !r->sim || !r->res.conv) {
        drill_run_free(r);
        return NULL;
    }
    for (size_t i = 0; i < dr->expect_total; i++)
        r->res.outcomes[i].status = DRILL_UNOPENED;
    return r;
}

void drill_run_set_trainee(drill_run *r, const char *name)
{
    free(r->res.trainee);
    r->res.trainee = dup_text(r, name);
}

void drill_run_start(drill_run *r)
{
    if (r->started)
        return;
    r->started = true;
    event ev;
    event_init(&ev, EVENT_OPEN, r->conv, r->start, r->tz);
    ev.channel = r->dr->phone ? "phone" : "chat";
    if (r->dr->known) {
        ev.name = r->dr->name;
        ev.surname = r->dr->surname;
        ev.title = r->dr->title_word;
    }
    post(r, &ev);
    enter_step(r, 0, r->start);
    move_on(r, r->start);
    flush(r);
}

/* Marks the expectations of steps the path still led to as not reached, the rest skipped. */
static void mark_unreached(drill_run *r)
{
    const drill *dr = r->dr;
    bool *walked = calloc(dr->step_count ? dr->step_count : 1, sizeof *walked);
    int s = r->step;
    bool finished_path = s == DRILL_END;
    for (size_t guard = 0; !finished_path && s >= 0 && guard <= dr->step_count; guard++) {
        if (walked && walked[s])
            break;
        if (walked)
            walked[s] = true;
        size_t base = first_outcome(dr, (size_t)s);
        for (size_t x = 0; x < dr->steps[s].expect_count; x++)
            if (r->res.outcomes[base + x].status == DRILL_UNOPENED) {
                r->res.outcomes[base + x].status = DRILL_NOT_REACHED;
                note_expected(r, base + x);
            }
        int next = dr->steps[s].then;
        s = next == DRILL_NEXT ? ((size_t)s + 1 < dr->step_count ? s + 1 : DRILL_END) : next;
    }
    free(walked);
    for (size_t i = 0; i < dr->expect_total; i++)
        if (r->res.outcomes[i].status == DRILL_UNOPENED)
            r->res.outcomes[i].status = DRILL_SKIPPED;
}

/* Adds up points, penalties, the percentage and the verdict. */
static void score(drill_result *res)
{
    const drill *dr = res->drill;
    int got = 0, max = 0;
    bool required_missed = false;
    for (size_t i = 0; i < dr->expect_total; i++) {
        const drill_expect *x = drill_expect_at(dr, i, NULL);
        const drill_outcome *o = &res->outcomes[i];
        if (o->status == DRILL_SKIPPED || o->status == DRILL_UNOPENED ||
            o->status == DRILL_UNSCORED)
            continue;
        max += x->points;
        got += o->awarded;
        if (x->required && drill_status_missed(o->status))
            required_missed = true;
    }
    for (size_t i = 0; i < res->hit_count; i++)
        got -= res->hits[i].points;
    if (!res->replies) /* silence earns nothing */
        got = 0;
    res->score = got > 0 ? got : 0;
    res->max = max;
    res->percent = max > 0 ? res->score * 100 / max : (res->hit_count ? 0 : 100);
    if (!res->replies)
        res->percent = 0;
    bool capped = res->end_reason && !strcmp(res->end_reason, "step limit");
    res->passed = res->finished && !capped && res->percent >= dr->scoring.pass && !required_missed;
}

static void finish_at(drill_run *r, int64_t at, const char *reason)
{
    if (r->over)
        return;
    r->over = true;
    r->ending = NULL;
    for (size_t i = 0; i < r->dr->expect_total; i++)
        if (r->res.outcomes[i].status == DRILL_PENDING)
            settle(r, i);
    mark_unreached(r);
    r->res.ended = at;
    r->res.finished = true;
    r->res.end_reason = reason;
    score(&r->res);
}

const drill_result *drill_run_finish(drill_run *r, int64_t now)
{
    if (!r->over) {
        drill_run_advance(r, now);
        if (!r->over) {
            leave_step(r);
            finish_at(r, now > r->now ? now : r->now, "stopped");
        }
    }
    return &r->res;
}

bool drill_run_done(const drill_run *r)
{
    return r->over;
}

const drill_result *drill_run_result(const drill_run *r)
{
    if (!r->over)
        score((drill_result *)&r->res);
    return &r->res;
}

const drill_step *drill_run_step(const drill_run *r, size_t *number)
{
    if (number)
        *number = r->step >= 0 ? (size_t)r->step + 1 : 0;
    return r->step >= 0 && !r->over ? &r->dr->steps[r->step] : NULL;
}

void drill_run_free(drill_run *r)
{
    if (!r)
        return;
    lint_free(r->lint);
    buf_free(&r->scratch);
    drill_result *res = &r->res;
    for (size_t i = 0; res->outcomes && i < r->dr->expect_total; i++) {
        free(res->outcomes[i].said);
        free(res->outcomes[i].expected);
    }
    free(res->outcomes);
    for (size_t i = 0; i < res->hit_count; i++) {
        free(res->hits[i].phrase);
        free(res->hits[i].better);
        free(res->hits[i].text);
    }
    free(res->hits);
    for (size_t i = 0; i < res->said_count; i++) {
        free(res->transcript[i].text);
        free(res->transcript[i].line);
    }
    free(res->transcript);
    free(res->conv);
    free(res->trainee);
    free(r->early_seen);
    free(r->visited);
    free(r->sim);
    free(r->outbox);
    free(r);
}
