#include "core/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/detect.h"
#include "core/linematch.h"
#include "core/lint.h"
#include "core/person_name.h"
#include "core/text.h"

#define DEFAULT_RESPONSE_LIMIT_MS 30000
#define MAX_REPEATS               1000 /* a repeating ladder step's firings one advance plays */

struct engine {
    const playbook *pb;
    int64_t response_limit;
    int64_t now;
    engine_observer observer;
    void *observer_ctx;
    conversation **convs; /* in order of first appearance */
    size_t count, cap;
    size_t *table; /* open addressing: index+1 into convs, 0 = empty */
    size_t table_cap;
    conversation **heap; /* min-heap on next_deadline of conversations with a timer */
    size_t heap_len;
    conv_value *config;
    size_t config_count;
    int initial_state;
    int complaint_state;   /* PB_NONE when the playbook has none */
    int chase_cue;         /* cue set "chase" (人呢?): the customer feels kept waiting */
    lint_words *cue_words; /* every cue word tagged 1 << its set; NULL: match set by set */
    int64_t forget_after; /* a closed conversation is forgotten this long after closing; 0: never */
    size_t max_open;      /* open conversations at once, 0: no limit */
    size_t open_count;    /* conversations not closed */
};

#define NOT_IN_HEAP SIZE_MAX

/* ---- lookup table ------------------------------------------------------- */

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static bool table_grow(engine *e)
{
    size_t cap = e->table_cap ? e->table_cap * 2 : 64;
    size_t *t = calloc(cap, sizeof *t);
    if (!t)
        return false;
    for (size_t i = 0; i < e->count; i++) {
        size_t slot = hash_id(e->convs[i]->id) & (cap - 1);
        while (t[slot])
            slot = (slot + 1) & (cap - 1);
        t[slot] = i + 1;
    }
    free(e->table);
    e->table = t;
    e->table_cap = cap;
    return true;
}

static conversation *table_find(const engine *e, const char *id)
{
    if (!e->table_cap)
        return NULL;
    size_t slot = hash_id(id) & (e->table_cap - 1);
    while (e->table[slot]) {
        conversation *c = e->convs[e->table[slot] - 1];
        if (strcmp(c->id, id) == 0)
            return c;
        slot = (slot + 1) & (e->table_cap - 1);
    }
    return NULL;
}

/* The table slot holding convs index i. */
static size_t table_slot_of(const engine *e, size_t i)
{
    size_t slot = hash_id(e->convs[i]->id) & (e->table_cap - 1);
    while (e->table[slot] != i + 1)
        slot = (slot + 1) & (e->table_cap - 1);
    return slot;
}

/* Empties slot, moving later entries of its probe run back (linear probing deletion). */
static void table_delete(engine *e, size_t slot)
{
    size_t mask = e->table_cap - 1, hole = slot, j = slot;
    e->table[hole] = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!e->table[j])
            return;
        size_t home = hash_id(e->convs[e->table[j] - 1]->id) & mask;
        /* the entry at j may fill the hole when its home is not cyclically in (hole, j] */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            e->table[hole] = e->table[j];
            e->table[j] = 0;
            hole = j;
        }
    }
}

/* ---- deadline heap ------------------------------------------------------ */

static void heap_swap(engine *e, size_t a, size_t b)
{
    conversation *t = e->heap[a];
    e->heap[a] = e->heap[b];
    e->heap[b] = t;
    e->heap[a]->heap_pos = a;
    e->heap[b]->heap_pos = b;
}

static void heap_up(engine *e, size_t i)
{
    while (i > 0 && e->heap[(i - 1) / 2]->next_deadline > e->heap[i]->next_deadline) {
        heap_swap(e, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(engine *e, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < e->heap_len && e->heap[l]->next_deadline < e->heap[m]->next_deadline)
            m = l;
        if (r < e->heap_len && e->heap[r]->next_deadline < e->heap[m]->next_deadline)
            m = r;
        if (m == i)
            return;
        heap_swap(e, i, m);
        i = m;
    }
}

static void heap_remove(engine *e, conversation *c)
{
    size_t i = c->heap_pos;
    if (i == NOT_IN_HEAP)
        return;
    c->heap_pos = NOT_IN_HEAP;
    e->heap_len--;
    if (i == e->heap_len)
        return;
    e->heap[i] = e->heap[e->heap_len];
    e->heap[i]->heap_pos = i;
    heap_up(e, i);
    heap_down(e, e->heap[i]->heap_pos);
}

/* Puts c at its new deadline (out of the heap when it has none). */
static void heap_update(engine *e, conversation *c, int64_t deadline)
{
    c->next_deadline = deadline;
    if (deadline == ENGINE_NEVER) {
        heap_remove(e, c);
        return;
    }
    if (c->heap_pos == NOT_IN_HEAP) {
        c->heap_pos = e->heap_len;
        e->heap[e->heap_len++] = c; /* heap has room for every conversation */
        heap_up(e, c->heap_pos);
        return;
    }
    heap_up(e, c->heap_pos);
    heap_down(e, c->heap_pos);
}

/* ---- engine ------------------------------------------------------------- */

/* One automaton over all cue words, so a customer message is scanned once; NULL when the
 * playbook has more cue sets than tag bits (then each set is matched on its own). */
static lint_words *build_cue_words(const playbook *pb)
{
    size_t n = 0;
    for (size_t i = 0; i < pb->cue_count; i++)
        n += pb->cues[i].word_count;
    if (pb->cue_count == 0 || pb->cue_count > 32 || n == 0)
        return NULL;
    const char **words = malloc(n * sizeof *words);
    uint32_t *tags = malloc(n * sizeof *tags);
    lint_words *w = NULL;
    if (words && tags) {
        size_t k = 0;
        for (size_t i = 0; i < pb->cue_count; i++) {
            for (size_t j = 0; j < pb->cues[i].word_count; j++) {
                words[k] = pb->cues[i].words[j];
                tags[k++] = 1u << i;
            }
        }
        w = lint_words_new(words, tags, n, LINT_WORDS_FOLD);
    }
    free(words);
    free(tags);
    return w;
}

engine *engine_new(const playbook *pb)
{
    engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->pb = pb;
    e->response_limit = playbook_setting(pb, "response_limit", DEFAULT_RESPONSE_LIMIT_MS);
    e->now = INT64_MIN;
    int greeting = playbook_state_index(pb, "greeting");
    e->initial_state = greeting >= 0 ? greeting : 0;
    e->complaint_state = playbook_state_index(pb, "complaint");
    e->chase_cue = playbook_cue_index(pb, "chase");
    e->cue_words = build_cue_words(pb);
    return e;
}

static void free_values(conv_value *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].value);
    }
    free(v);
}

void engine_free(engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->count; i++) {
        free_values(e->convs[i]->values, e->convs[i]->value_count);
        free(e->convs[i]);
    }
    free_values(e->config, e->config_count);
    lint_words_free(e->cue_words);
    free(e->convs);
    free(e->table);
    free(e->heap);
    free(e);
}

void engine_set_limits(engine *e, int64_t forget_after_ms, size_t max_open)
{
    e->forget_after = forget_after_ms > 0 ? forget_after_ms : 0;
    e->max_open = max_open;
}

size_t engine_open_count(const engine *e)
{
    return e->open_count;
}

const playbook *engine_playbook(const engine *e)
{
    return e->pb;
}

void engine_set_observer(engine *e, engine_observer fn, void *ctx)
{
    e->observer = fn;
    e->observer_ctx = ctx;
}

int64_t engine_response_limit(const engine *e)
{
    return e->response_limit;
}

int64_t engine_now(const engine *e)
{
    return e->now;
}

size_t engine_count(const engine *e)
{
    return e->count;
}

const conversation *engine_at(const engine *e, size_t i)
{
    return i < e->count ? e->convs[i] : NULL;
}

const conversation *engine_find(const engine *e, const char *id)
{
    return table_find(e, id);
}

int64_t engine_next_deadline(const engine *e)
{
    return e->heap_len ? e->heap[0]->next_deadline : ENGINE_NEVER;
}

/* Sets name=value in a value list, replacing an existing entry. */
/* A cleaned copy of a value (text_sanitize), NULL when out of memory. */
static char *clean_dup(const char *value)
{
    buf b;
    buf_init(&b);
    text_sanitize(&b, value, strlen(value), false);
    return buf_take(&b);
}

static bool set_value(conv_value **list, size_t *count, const char *name, const char *value)
{
    for (size_t i = 0; i < *count; i++) {
        if (strcmp((*list)[i].name, name) == 0) {
            char *copy = clean_dup(value);
            if (!copy)
                return false;
            free((*list)[i].value);
            (*list)[i].value = copy;
            return true;
        }
    }
    conv_value *grown = realloc(*list, (*count + 1) * sizeof **list);
    if (!grown)
        return false;
    *list = grown;
    grown[*count].name = strdup(name);
    grown[*count].value = clean_dup(value);
    if (!grown[*count].name || !grown[*count].value) {
        free(grown[*count].name);
        free(grown[*count].value);
        return false;
    }
    (*count)++;
    return true;
}

static const char *get_value(const conv_value *list, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i].name, name) == 0)
            return list[i].value;
    return NULL;
}

bool engine_set_config(engine *e, const char *name, const char *value)
{
    return set_value(&e->config, &e->config_count, name, value);
}

const char *engine_config(const engine *e, const char *name)
{
    return get_value(e->config, e->config_count, name);
}

const char *conversation_value(const conversation *c, const char *name)
{
    return get_value(c->values, c->value_count, name);
}

int64_t conversation_waited(const conversation *c, int64_t now)
{
    return c->waiting && now > c->waiting_since ? now - c->waiting_since : 0;
}

int64_t conversation_in_state(const conversation *c, int64_t now)
{
    return now > c->state_since ? now - c->state_since : 0;
}

static void notify(engine *e, const conversation *c, int64_t at, unsigned changes)
{
    if (changes && e->observer)
        e->observer(e->observer_ctx, c, at, changes);
}

/* ---- timers --------------------------------------------------------------- */

static const pb_state *state_of(const engine *e, const conversation *c)
{
    return &e->pb->states[c->state];
}

/* When the next ladder step fires: its pause after the agent sent the line before it (or
 * after the customer's last message); ENGINE_NEVER when the ladder is done or the agent has
 * not sent the line the previous step (or the state's entry) called for. */
static int64_t ladder_deadline(const engine *e, const conversation *c)
{
    const pb_state *st = state_of(e, c);
    if (c->ladder_step >= st->ladder_count || c->ladder_ended || c->ladder_awaits >= 0)
        return ENGINE_NEVER;
    return c->ladder_base + st->ladder[c->ladder_step].after_ms;
}

/* Base time of after: transitions: entering the state or the customer's last message. */
static int64_t quiet_since(const conversation *c)
{
    return c->last_customer_at > c->state_since ? c->last_customer_at : c->state_since;
}

static int64_t after_deadline(const engine *e, const conversation *c)
{
    int64_t best = ENGINE_NEVER;
    const pb_state *st = state_of(e, c);
    for (size_t i = 0; i < st->transition_count; i++) {
        const pb_transition *t = &st->transitions[i];
        if (t->trigger == TRIGGER_AFTER && quiet_since(c) + t->after_ms < best)
            best = quiet_since(c) + t->after_ms;
    }
    return best;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t conversation_deadline(const engine *e, const conversation *c)
{
    if (c->closed)
        return e->forget_after ? c->closed_at + e->forget_after : ENGINE_NEVER;
    int64_t d = min64(ladder_deadline(e, c), after_deadline(e, c));
    if (c->waiting && !c->urgent)
        d = min64(d, c->waiting_since + e->response_limit);
    if (c->complaint_deadline && !c->complaint_overdue)
        d = min64(d, c->complaint_deadline);
    return d;
}

static void reschedule(engine *e, conversation *c)
{
    heap_update(e, c, conversation_deadline(e, c));
}

/* ---- states and transitions -------------------------------------------- */

static void enter_state(engine *e, conversation *c, int to, int line, int64_t now)
{
    if (to == PB_BACK) {
        to = c->prev_state >= 0 ? c->prev_state : c->state;
        c->prev_state = PB_NONE;
    } else {
        c->prev_state = c->state;
    }
    c->state = to;
    c->state_since = now;
    c->sent_in_state = false;
    c->ladder_step = 0;
    c->ladder_base = now;
    c->ladder_line = PB_NONE;
    c->ladder_ended = false;
    c->ladder_awaits = PB_NONE;
    c->pending_line = line;
    if (to == e->complaint_state)
        c->complaint_open = true;
}

typedef bool (*transition_match)(const engine *e, const pb_transition *t, const void *arg);

/* The first matching transition of the current state, then of the playbook; NULL when none. */
static const pb_transition *find_transition(const engine *e, const conversation *c,
                                            transition_match match, const void *arg)
{
    const pb_state *st = state_of(e, c);
    for (size_t i = 0; i < st->transition_count; i++)
        if (match(e, &st->transitions[i], arg))
            return &st->transitions[i];
    for (size_t i = 0; i < e->pb->transition_count; i++)
        if (match(e, &e->pb->transitions[i], arg))
            return &e->pb->transitions[i];
    return NULL;
}

static bool match_key(const engine *e, const pb_transition *t, const void *arg)
{
    return t->trigger == TRIGGER_KEY && strcmp(t->key, (const char *)arg) == 0;
}

static bool match_event(const engine *e, const pb_transition *t, const void *arg)
{
    return t->trigger == TRIGGER_EVENT && t->event == *(const pb_event_kind *)arg;
}

typedef struct customer_text {
    const char *text;
    uint32_t cues; /* sets whose words occur in text, when e->cue_words exists */
} customer_text;

/* A customer message: a cue whose words it contains, or the customer_message event. */
static bool match_customer(const engine *e, const pb_transition *t, const void *arg)
{
    const customer_text *msg = arg;
    if (t->trigger == TRIGGER_EVENT)
        return t->event == ON_CUSTOMER_MESSAGE;
    if (t->trigger != TRIGGER_CUE)
        return false;
    if (e->cue_words)
        return (msg->cues >> t->cue) & 1u;
    return playbook_cue_matches(e->pb, t->cue, msg->text);
}

/* Takes t unless it leads back into the current state (cues and events do not restart one). */
static unsigned take(engine *e, conversation *c, const pb_transition *t, int64_t now, bool force)
{
    if (!t)
        return 0;
    if (!force && t->to == c->state)
        return 0;
    enter_state(e, c, t->to, t->line, now);
    return CHANGE_STATE;
}

/* ---- events ------------------------------------------------------------- */

static conversation *conversation_new(engine *e, const char *id, int64_t now)
{
    if (e->count == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 16;
        conversation **convs = realloc(e->convs, cap * sizeof *convs);
        conversation **heap = convs ? realloc(e->heap, cap * sizeof *heap) : NULL;
        if (convs)
            e->convs = convs;
        if (!heap)
            return NULL;
        e->heap = heap;
        e->cap = cap;
    }
    if ((e->count + 1) * 2 > e->table_cap && !table_grow(e))
        return NULL;
    conversation *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    snprintf(c->id, sizeof c->id, "%s", id);
    c->state = e->initial_state;
    c->prev_state = PB_NONE;
    c->ladder_line = PB_NONE;
    c->ladder_awaits = PB_NONE;
    c->pending_line = PB_NONE;
    c->last_sent_line = PB_NONE;
    c->opened_at = now;
    c->state_since = now;
    c->ladder_base = now;
    c->heap_pos = NOT_IN_HEAP;
    c->next_deadline = ENGINE_NEVER;
    e->open_count++;
    size_t slot = hash_id(c->id) & (e->table_cap - 1);
    while (e->table[slot])
        slot = (slot + 1) & (e->table_cap - 1);
    e->table[slot] = e->count + 1;
    e->convs[e->count++] = c;
    return c;
}

/* Sets a customer field from an event: cleaned of controls, escapes, bidi and format
 * characters (customer values are data, shown and sent as they are), cut between characters.
 * True when it changed. */
static bool set_field(char *dst, size_t cap, const char *s)
{
    char clean[128];
    text_sanitize_into(clean, cap < sizeof clean ? cap : sizeof clean, s);
    if (strcmp(clean, dst) == 0)
        return false;
    memcpy(dst, clean, strlen(clean) + 1);
    return true;
}

static unsigned update_customer(conversation *c, const event *ev)
{
    unsigned changes = 0;
    if (ev->name && set_field(c->name, sizeof c->name, ev->name))
        changes = CHANGE_CUSTOMER;
    if (ev->surname && set_field(c->surname, sizeof c->surname, ev->surname))
        changes = CHANGE_CUSTOMER;
    if (ev->title && set_field(c->title, sizeof c->title, ev->title))
        changes = CHANGE_CUSTOMER;
    return changes;
}

/* A surname the customer gives in a message (我姓林, 我是林小姐), kept when none is known. */
static unsigned learn_name(conversation *c, const char *text)
{
    person_name pn;
    if (c->surname[0] || !person_name_from_message(text, &pn))
        return 0;
    set_field(c->surname, sizeof c->surname, pn.surname);
    if (pn.title[0] && !c->title[0])
        set_field(c->title, sizeof c->title, pn.title);
    if (!c->name[0])
        set_field(c->name, sizeof c->name, pn.name);
    return CHANGE_CUSTOMER;
}

static unsigned on_open(engine *e, conversation *c, const event *ev)
{
    c->phone = ev->channel && strcmp(ev->channel, "phone") == 0;
    if (c->closed)
        e->open_count++;
    c->closed = false;
    c->opened_at = ev->ts_ms;
    c->state_since = ev->ts_ms;
    c->ladder_base = ev->ts_ms;
    pb_event_kind kind = ON_OPEN;
    const pb_transition *t = find_transition(e, c, match_event, &kind);
    if (t)
        enter_state(e, c, t->to == PB_BACK ? c->state : t->to, t->line, ev->ts_ms);
    c->prev_state = PB_NONE;
    return CHANGE_OPEN | CHANGE_STATE;
}

/* A customer message read by the playbook's detector (core/detect.c): a move, or the state
 * stays (unsure: the runner-ups are kept); a message that is no hail of the current state
 * still takes the state's customer_message transition (silent, unclear). */
static unsigned detect_move(engine *e, conversation *c, const char *text, int64_t now)
{
    const playbook *pb = e->pb;
    detect_ctx ctx = {.state = c->state,
                      .said_state =
                          c->last_sent_line >= 0 ? pb->lines[c->last_sent_line].state : PB_NONE,
                      .asked = c->asked};
    detect_result r;
    detect_message(pb->detector, pb, &ctx, text, strlen(text), &r);
    c->unsure_count = 0;
    for (size_t i = 0; i < r.unsure_count && i < 3; i++)
        c->unsure[c->unsure_count++] = r.unsure[i];
    if (r.to != PB_NONE) {
        pb_transition t = {.trigger = TRIGGER_CUE, .to = r.to, .line = r.line};
        return take(e, c, &t, now, false);
    }
    if (r.below || r.best == c->state || (r.best == PB_NONE && c->state == e->initial_state))
        return 0; /* unsure, a hail, or nothing said yet: the state stays */
    pb_event_kind kind = ON_CUSTOMER_MESSAGE;
    return take(e, c, find_transition(e, c, match_event, &kind), now, false);
}

static unsigned on_customer_message(engine *e, conversation *c, const event *ev)
{
    int64_t now = ev->ts_ms;
    if (!c->waiting) {
        c->waiting = true;
        c->waiting_since = now;
    }
    c->last_customer_at = now;
    c->ladder_step = 0; /* the customer spoke: the silence ladder starts over */
    c->ladder_base = now;
    c->ladder_line = PB_NONE;
    c->ladder_ended = false;
    c->ladder_awaits = PB_NONE;
    c->end_sent = false; /* the customer is still talking */
    customer_text msg = {ev->text, 0};
    if (e->cue_words)
        msg.cues = lint_words_find(e->cue_words, ev->text, strlen(ev->text));
    if (e->chase_cue >= 0 && (e->cue_words ? (msg.cues >> e->chase_cue) & 1u
                                           : playbook_cue_matches(e->pb, e->chase_cue, ev->text)))
        c->chased = true;
    unsigned learned = learn_name(c, ev->text);
    if (e->pb->detector)
        return CHANGE_MESSAGE | learned | detect_move(e, c, ev->text, now);
    const pb_transition *t = find_transition(e, c, match_customer, &msg);
    return CHANGE_MESSAGE | learned | take(e, c, t, now, false);
}

/* The ladder after an agent message: the step's line it waited for was sent (by id, or in
 * words that still carry it; any message for a repeating step such as the hold check-in) and
 * the next pause starts now; any message restarts the pause of a ladder waiting for none. */
static void ladder_on_agent(engine *e, conversation *c, int line, const char *text, int64_t now)
{
    if (line >= 0 && e->pb->lines[line].end)
        c->end_sent = true;
    if (c->ladder_awaits < 0) {
        c->ladder_base = now;
        return;
    }
    const pb_state *st = state_of(e, c);
    const pb_step *step = c->ladder_step < st->ladder_count ? &st->ladder[c->ladder_step] : NULL;
    bool repeating = step && step->repeat &&
                     (step->line == c->ladder_awaits || step->chat_line == c->ladder_awaits);
    if (repeating || line == c->ladder_awaits ||
        (line < 0 && text &&
         linematch_similarity(e->pb->lines[c->ladder_awaits].text, text) >= LINEMATCH_THRESHOLD)) {
        if (e->pb->lines[c->ladder_awaits].end)
            c->end_sent = true;
        c->ladder_awaits = PB_NONE;
        c->ladder_base = now;
    }
}

static unsigned on_agent_message(engine *e, conversation *c, const event *ev)
{
    int64_t now = ev->ts_ms;
    unsigned changes = CHANGE_MESSAGE;
    if (c->urgent)
        changes |= CHANGE_URGENT;
    c->waiting = false;
    c->urgent = false;
    c->chased = false;
    c->answered_once = true;
    c->last_agent_at = now;
    c->sent_in_state = true;
    int line = ev->line ? playbook_line_index(e->pb, ev->line) : PB_NONE;
    c->last_sent_line = line;
    if (e->pb->detector)
        c->asked =
            detect_asked(e->pb->detector, e->pb, line, ev->text, ev->text ? strlen(ev->text) : 0);
    ladder_on_agent(e, c, line, ev->text, now);
    if (line >= 0 && line == c->pending_line)
        c->pending_line = PB_NONE;
    if (line >= 0 && e->pb->lines[line].promise_ms > 0) {
        c->complaint_deadline = now + e->pb->lines[line].promise_ms;
        c->complaint_overdue = false;
        changes |= CHANGE_DEADLINE;
    }
    pb_event_kind kind = ON_AGENT_MESSAGE;
    return changes | take(e, c, find_transition(e, c, match_event, &kind), now, false);
}

static unsigned on_key(engine *e, conversation *c, const event *ev)
{
    const pb_transition *t = find_transition(e, c, match_key, ev->key);
    if (t)
        return take(e, c, t, ev->ts_ms, true);
    int s = playbook_state_index(e->pb, ev->key);
    if (s < 0)
        return 0;
    enter_state(e, c, s, PB_NONE, ev->ts_ms);
    return CHANGE_STATE;
}

/* Keeps a lookup's fields as values; *lost is set when one could not be kept (out of memory). */
static unsigned on_lookup(engine *e, conversation *c, const event *ev, bool *lost)
{
    unsigned changes = 0;
    for (size_t i = 0; i < ev->field_count; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s.%s", ev->kind, ev->fields[i].name);
        if (set_value(&c->values, &c->value_count, name, ev->fields[i].value))
            changes = CHANGE_VALUES;
        else
            *lost = true;
    }
    return changes;
}

static unsigned on_close(engine *e, conversation *c, const event *ev)
{
    unsigned changes = CHANGE_CLOSE;
    pb_event_kind kind = ON_CLOSE;
    changes |= take(e, c, find_transition(e, c, match_event, &kind), ev->ts_ms, false);
    if (!c->closed)
        e->open_count--;
    c->closed = true;
    c->closed_at = ev->ts_ms;
    c->waiting = false;
    if (c->urgent)
        changes |= CHANGE_URGENT;
    c->urgent = false;
    return changes;
}

static bool check_event(const engine *e, const event *ev, char *err, size_t errlen)
{
    if (ev->type == EVENT_STATE && playbook_state_index(e->pb, ev->state) < 0) {
        char shown[128];
        snprintf(err, errlen, "unknown state \"%s\" for playbook %s",
                 text_escape_into(shown, sizeof shown, ev->state), e->pb->id);
        return false;
    }
    return true;
}

bool engine_feed(engine *e, const event *ev, char *err, size_t errlen)
{
    if (!check_event(e, ev, err, errlen))
        return false;
    engine_advance(e, ev->ts_ms);
    if (ev->ts_ms > e->now)
        e->now = ev->ts_ms;
    conversation *c = table_find(e, ev->conv);
    unsigned changes = 0;
    bool lost = false;
    if (!c) {
        if (e->max_open && e->open_count >= e->max_open) {
            char shown[64];
            snprintf(err, errlen,
                     "too many open conversations (%zu at once): \"%s\" not opened; close some, or "
                     "raise the limit",
                     e->open_count, text_escape_into(shown, sizeof shown, ev->conv));
            return false;
        }
        if (!(c = conversation_new(e, ev->conv, ev->ts_ms))) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        changes |= CHANGE_OPEN;
    }
    c->tz_offset = ev->tz_offset;
    c->last_event_at = ev->ts_ms;
    changes |= update_customer(c, ev);
    switch (ev->type) {
    case EVENT_OPEN:
        changes |= on_open(e, c, ev);
        break;
    case EVENT_MESSAGE:
        c->message_count++;
        if (ev->from == FROM_CUSTOMER)
            changes |= on_customer_message(e, c, ev);
        else if (ev->from == FROM_AGENT)
            changes |= on_agent_message(e, c, ev);
        break;
    case EVENT_STATE:
        enter_state(e, c, playbook_state_index(e->pb, ev->state), PB_NONE, ev->ts_ms);
        changes |= CHANGE_STATE;
        break;
    case EVENT_KEY:
        c->unsure_count = 0; /* the agent decided */
        changes |= on_key(e, c, ev);
        break;
    case EVENT_LOOKUP:
        changes |= on_lookup(e, c, ev, &lost);
        break;
    case EVENT_CLOSE:
        changes |= on_close(e, c, ev);
        break;
    }
    reschedule(e, c);
    notify(e, c, ev->ts_ms, changes);
    if (lost)
        snprintf(err, errlen, "out of memory: not every looked-up value was kept");
    return !lost;
}

bool engine_set_value(engine *e, const char *conv, const char *name, const char *value, int64_t now)
{
    conversation *c = table_find(e, conv);
    if (!c || !set_value(&c->values, &c->value_count, name, value))
        return false;
    notify(e, c, now, CHANGE_VALUES);
    return true;
}

/* Fires whatever of c is due at `at` (its own deadline) on the way to now. A repeating ladder
 * step due more than MAX_REPEATS times before now (a log jumping by years) moves on to its
 * latest repetition at once instead of firing each. */
static unsigned fire(engine *e, conversation *c, int64_t at, int64_t now)
{
    unsigned changes = 0;
    if (c->waiting && !c->urgent && c->waiting_since + e->response_limit <= at) {
        c->urgent = true;
        changes |= CHANGE_URGENT;
    }
    if (c->complaint_deadline && !c->complaint_overdue && c->complaint_deadline <= at) {
        c->complaint_overdue = true;
        changes |= CHANGE_DEADLINE;
    }
    const pb_state *st = state_of(e, c);
    if (ladder_deadline(e, c) <= at) {
        const pb_step *step = &st->ladder[c->ladder_step];
        c->ladder_line = !c->phone && step->chat_line >= 0 ? step->chat_line : step->line;
        c->ladder_base = at;
        c->ladder_ended = step->end;
        c->ladder_awaits = c->ladder_line;
        if (!step->repeat)
            c->ladder_step++;
        else if ((now - at) / step->after_ms > MAX_REPEATS)
            c->ladder_base = at + (now - at) / step->after_ms * step->after_ms;
        changes |= CHANGE_LADDER;
    }
    for (size_t i = 0; i < st->transition_count; i++) {
        const pb_transition *t = &st->transitions[i];
        if (t->trigger == TRIGGER_AFTER && quiet_since(c) + t->after_ms <= at) {
            changes |= take(e, c, t, at, true);
            break;
        }
    }
    return changes;
}

/* Frees closed conversation c (its grace period is over); the last one takes its index. */
static void forget(engine *e, conversation *c)
{
    heap_remove(e, c);
    size_t slot = hash_id(c->id) & (e->table_cap - 1);
    while (e->convs[e->table[slot] - 1] != c)
        slot = (slot + 1) & (e->table_cap - 1);
    size_t i = e->table[slot] - 1;
    table_delete(e, slot);
    size_t last = --e->count;
    if (i != last) {
        e->table[table_slot_of(e, last)] = i + 1;
        e->convs[i] = e->convs[last];
    }
    free_values(c->values, c->value_count);
    free(c);
}

void engine_advance(engine *e, int64_t now)
{
    while (e->heap_len && e->heap[0]->next_deadline <= now) {
        conversation *c = e->heap[0];
        int64_t at = c->next_deadline;
        if (at > e->now)
            e->now = at;
        if (c->closed) { /* only a closed conversation's forgetting is ever due */
            forget(e, c);
            continue;
        }
        unsigned changes = fire(e, c, at, now);
        reschedule(e, c);
        if (c->next_deadline <= at) /* a timer that cannot move on: never spin on it */
            heap_update(e, c, at + 1);
        notify(e, c, at, changes);
    }
    if (now > e->now)
        e->now = now;
}
