/* Fuzzes the drills' two readers of outside text, one JSONL line at a time. Answers (huashu drill
 * run --answers): a line parses or yields a message, never a crash or a leak, and an answer is an
 * event of the run's conversation that formats and parses back. Skeletons (huashu drill from-log):
 * the lines read as a session log, fed as the command feeds them, and a skeleton made from the
 * first conversation loads as a drill keeping every customer message and persona field as the
 * same text, and binds to the bundled playbook it names when the log only uses its lines and
 * states. */
#include <string.h>

#include "core/drill.h"
#include "core/engine.h"
#include "core/text.h"
#include "fuzz.h"

#define START      1767578400000LL /* 2026-01-05T10:00:00+08:00 */
#define TZ         480
#define MAX_EVENTS 256

static const char *const locales[] = {"zh_CN", "zh_TW", "en"};
static playbook *books[3];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < 3; i++)
        books[i] = fuzz_load_bundled(locales[i]);
    return 0;
}

/* An answers line: a message, or an event of conversation "d" that formats and parses back. */
static void check_answer(const char *line, size_t len)
{
    event ev, again;
    char err[256] = "";
    if (!drill_answer_parse(line, len, "d", START, TZ, &ev, err, sizeof err)) {
        FUZZ_ASSERT(err[0] != '\0');
        return;
    }
    FUZZ_ASSERT(ev.conv && !strcmp(ev.conv, "d"));
    buf out;
    buf_init(&out);
    event_format(&out, &ev);
    FUZZ_ASSERT(out.len > 0 && out.data[out.len - 1] == '\n');
    FUZZ_ASSERT(event_parse(&again, out.data, out.len - 1, err, sizeof err));
    FUZZ_ASSERT(again.type == ev.type && again.ts_ms == ev.ts_ms && again.from == ev.from);
    FUZZ_ASSERT((again.text == NULL) == (ev.text == NULL) &&
                (!ev.text || !strcmp(again.text, ev.text)));
    event_release(&again);
    event_release(&ev);
    buf_free(&out);
}

typedef struct watch {
    const char *conv;
    int state;
} watch;

/* Observer: the watched conversation's state after the latest event. */
static void watch_state(void *ctx, const conversation *c, int64_t at, unsigned changes)
{
    (void)at;
    (void)changes;
    watch *w = ctx;
    if (!strcmp(c->id, w->conv))
        w->state = c->state;
}

/* What cmd_drill.c's keys_to_states does: a key that entered the state of its own name becomes
 * a state event, any other key a lookup (which the skeleton ignores). */
static void keys_to_states(const playbook *pb, const char *conv, event *evs, size_t n)
{
    engine *e = engine_new(pb);
    FUZZ_ASSERT(e != NULL);
    watch w = {conv, PB_NONE};
    engine_set_observer(e, watch_state, &w);
    for (size_t i = 0; i < n; i++) {
        char err[256];
        w.state = PB_NONE;
        bool fed = engine_feed(e, &evs[i], err, sizeof err);
        if (evs[i].type != EVENT_KEY)
            continue;
        if (fed && w.state >= 0 && !strcmp(pb->states[w.state].id, evs[i].key)) {
            evs[i].type = EVENT_STATE;
            evs[i].state = pb->states[w.state].id;
        } else {
            evs[i].type = EVENT_LOOKUP;
        }
    }
    engine_free(e);
}

/* True when every line and state the events name is in the playbook (else binding may fail). */
static bool uses_playbook(const playbook *pb, const event *evs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const event *ev = &evs[i];
        if (ev->type == EVENT_MESSAGE && ev->from == FROM_AGENT && ev->text && ev->line &&
            *ev->line && playbook_line_index(pb, ev->line) < 0)
            return false;
        if (ev->type == EVENT_STATE && playbook_state_index(pb, ev->state) < 0)
            return false;
    }
    return true;
}

/* The drill keeps the customer's messages, in order, and the open record's persona. */
static void check_text(const drill *dr, const event *evs, size_t n)
{
    size_t step = 0;
    const event *open = NULL;
    for (size_t i = 0; i < n; i++) {
        if (evs[i].type == EVENT_OPEN && !open)
            open = &evs[i];
        if (evs[i].type != EVENT_MESSAGE || evs[i].from != FROM_CUSTOMER || !evs[i].text)
            continue;
        while (step < dr->step_count && !dr->steps[step].text)
            step++;
        FUZZ_ASSERT(step < dr->step_count && !strcmp(dr->steps[step].text, evs[i].text));
        step++;
    }
    if (open && open->name)
        FUZZ_ASSERT(dr->name && !strcmp(dr->name, open->name));
    if (open && open->surname)
        FUZZ_ASSERT(dr->surname && !strcmp(dr->surname, open->surname));
}

/* A skeleton from the events of the first conversation loads, keeps its text, and binds. */
static void check_skeleton(event *evs, size_t n, size_t book)
{
    const playbook *pb = books[book];
    const char *conv = evs[0].conv;
    keys_to_states(pb, conv, evs, n);
    buf out;
    buf_init(&out);
    char err[256] = "";
    if (!drill_skeleton(evs, n, conv, locales[book], "fuzz.jsonl", &out, err, sizeof err)) {
        FUZZ_ASSERT(err[0] != '\0' && out.len == 0);
        buf_free(&out);
        return;
    }
    FUZZ_ASSERT(text_valid_utf8(buf_str(&out), out.len));
    diagnostics d;
    diag_init(&d);
    drill *dr = drill_load("skeleton.yaml", out.data, out.len, &d);
    if (!dr)
        fprintf(stderr, "%s---\n%s", buf_str(&out), buf_str(&d.text));
    FUZZ_ASSERT(dr != NULL);
    FUZZ_ASSERT(dr->playbook && !strcmp(dr->playbook, locales[book]));
    check_text(dr, evs, n);
    bool bound = drill_bind(dr, pb, &d);
    if (!bound && uses_playbook(pb, evs, n))
        fprintf(stderr, "%s---\n%s", buf_str(&out), buf_str(&d.text));
    FUZZ_ASSERT(bound || !uses_playbook(pb, evs, n));
    drill_free(dr);
    diag_free(&d);
    buf_free(&out);
}

/* Every line is an answers line; the lines of the first record's conversation are its log. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static event evs[MAX_EVENTS];
    size_t n = 0;
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        check_answer(p, len);
        char err[256];
        if (n < MAX_EVENTS && event_parse(&evs[n], p, len, err, sizeof err)) {
            if (n == 0 || !strcmp(evs[n].conv, evs[0].conv))
                n++;
            else
                event_release(&evs[n]);
        }
        p += len + 1;
    }
    if (n > 0)
        check_skeleton(evs, n, size % 3);
    for (size_t i = 0; i < n; i++)
        event_release(&evs[i]);
    return 0;
}
