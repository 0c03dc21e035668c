/* Fuzzes the event parser: the fast scanner must agree with jansson on every input, and what
 * event_format writes must parse back to the same record. */
#include <string.h>

#include "core/event.h"
#include "fuzz.h"

static void same_string(const char *a, const char *b)
{
    FUZZ_ASSERT((a == NULL) == (b == NULL));
    FUZZ_ASSERT(!a || strcmp(a, b) == 0);
}

/* Both parses of one record describe the same event. */
static void same_event(const event *a, const event *b)
{
    FUZZ_ASSERT(a->type == b->type && a->ts_ms == b->ts_ms && a->tz_offset == b->tz_offset);
    FUZZ_ASSERT(a->from == b->from && a->field_count == b->field_count);
    same_string(a->conv, b->conv);
    same_string(a->text, b->text);
    same_string(a->line, b->line);
    same_string(a->state, b->state);
    same_string(a->key, b->key);
    same_string(a->channel, b->channel);
    same_string(a->kind, b->kind);
    same_string(a->name, b->name);
    same_string(a->surname, b->surname);
    same_string(a->title, b->title);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    event fast, slow;
    char err[256];
    bool ok_fast = event_parse(&fast, line, size, err, sizeof err);
    bool ok_slow = event_parse_reference(&slow, line, size, err, sizeof err);
    FUZZ_ASSERT(ok_fast == ok_slow);
    if (ok_fast) {
        same_event(&fast, &slow);
        buf out;
        buf_init(&out);
        event_format(&out, &fast);
        event again;
        FUZZ_ASSERT(out.len > 0 && out.data[out.len - 1] == '\n');
        FUZZ_ASSERT(event_parse(&again, out.data, out.len - 1, err, sizeof err));
        same_event(&fast, &again);
        event_release(&again);
        buf_free(&out);
        event_release(&fast);
        event_release(&slow);
    }
    return 0;
}
