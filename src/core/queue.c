#include "core/queue.h"

#include <stdlib.h>
#include <string.h>

int64_t queue_ladder_next(const engine *e, const conversation *c)
{
    const pb_state *st = &engine_playbook(e)->states[c->state];
    if (c->closed || c->ladder_ended || c->ladder_awaits >= 0 || c->ladder_step >= st->ladder_count)
        return QUEUE_NEVER;
    return c->ladder_base + st->ladder[c->ladder_step].after_ms;
}

/* Takes the candidate timer when it is due earlier than the one chosen so far. */
static void consider(queue_item *it, queue_timer timer, int64_t due, int64_t limit, int64_t elapsed)
{
    if (due >= it->due)
        return;
    it->timer = timer;
    it->due = due;
    it->limit = limit;
    it->elapsed = elapsed < 0 ? 0 : elapsed;
}

static queue_level level_at(const queue_item *it, int64_t now)
{
    if (it->due == QUEUE_NEVER)
        return LEVEL_OK;
    int64_t remaining = it->due - now;
    if (remaining <= 0 || it->prompt)
        return LEVEL_PAST;
    if (remaining * 3 <= it->limit)
        return LEVEL_NEAR;
    return LEVEL_OK;
}

void queue_item_compute(const engine *e, size_t index, int64_t now, int64_t last_agent_at,
                        queue_item *out)
{
    const conversation *c = engine_at(e, index);
    const playbook *pb = engine_playbook(e);
    memset(out, 0, sizeof *out);
    out->index = index;
    out->due = QUEUE_NEVER;
    out->timer = QUEUE_IDLE;
    out->opened_at = c->opened_at;
    if (c->closed) {
        out->timer = QUEUE_CLOSED;
        return;
    }
    bool hold = strcmp(pb->states[c->state].id, "hold") == 0;
    if (c->waiting)
        consider(out, QUEUE_WAITING, c->waiting_since + engine_response_limit(e),
                 engine_response_limit(e), now - c->waiting_since);
    out->prompt = c->ladder_line != PB_NONE && c->ladder_base > last_agent_at;
    int64_t next = queue_ladder_next(e, c);
    const pb_state *st = &pb->states[c->state];
    int64_t step = c->ladder_step < st->ladder_count ? st->ladder[c->ladder_step].after_ms : 0;
    queue_timer kind = hold ? QUEUE_HOLD : QUEUE_LADDER;
    int64_t shown = hold ? now - c->state_since : now - c->ladder_base;
    if (out->prompt)
        consider(out, kind, c->ladder_base, step, shown);
    else if (next != QUEUE_NEVER)
        consider(out, kind, next, step, shown);
    else if (hold)
        consider(out, QUEUE_HOLD, QUEUE_NEVER - 1, 0, shown);
    if (out->timer != QUEUE_LADDER && out->timer != QUEUE_HOLD)
        out->prompt = false;
    out->level = level_at(out, now);
}

static int compare_items(const void *pa, const void *pb)
{
    const queue_item *a = pa, *b = pb;
    bool a_closed = a->timer == QUEUE_CLOSED, b_closed = b->timer == QUEUE_CLOSED;
    if (a_closed != b_closed)
        return a_closed ? 1 : -1;
    if (a->due != b->due)
        return a->due < b->due ? -1 : 1;
    if (a->level != b->level)
        return a->level > b->level ? -1 : 1;
    if (a->opened_at != b->opened_at)
        return a->opened_at < b->opened_at ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

void queue_sort(queue_item *items, size_t n)
{
    if (n > 1)
        qsort(items, n, sizeof *items, compare_items);
}
