/* Fuzzes the drill loader, binding and runner: any text loads or yields located messages, never
 * a crash or a leak; a drill that binds to the bundled playbook it names (zh_CN otherwise) is
 * played by a trainee who sends the lines and phrases each step expects, and its result scores
 * within bounds, renders as JSON the report reads back, and as valid UTF-8 text. */
#include <string.h>

#include "core/drill.h"
#include "core/drill_session.h"
#include "core/engine.h"
#include "core/text.h"
#include "fuzz.h"

#define SEC        1000LL
#define START      1767578400000LL /* 2026-01-05T10:00:00+08:00 */
#define TZ         480
#define MAX_ROUNDS 40

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

/* The bundled playbook the drill names, zh_CN when it names another. */
static const playbook *book_for(const drill *dr)
{
    for (size_t i = 0; dr->playbook && i < 3; i++)
        if (!strcmp(dr->playbook, locales[i]))
            return books[i];
    return books[0];
}

/* The trainee does one thing at `at`: says text with a line id, or hangs up. */
static void act(drill_session *s, int64_t at, event_type type, const char *text, const char *line)
{
    event ev;
    event_init(&ev, type, "d", at, TZ);
    if (type == EVENT_MESSAGE) {
        ev.from = FROM_AGENT;
        ev.text = text;
        ev.line = line;
    }
    char err[128];
    drill_session_feed(s, &ev, err, sizeof err);
}

/* Answers what a step expects: its lines (with their playbook text), phrases and hang-ups. */
static void answer(drill_session *h, const playbook *pb, const drill_step *st, int64_t at)
{
    for (size_t i = 0; i < st->expect_count && !drill_session_done(h); i++) {
        const drill_expect *x = &st->expects[i];
        const char *word = x->word_count ? x->words[0] : NULL;
        if (x->kind == EXPECT_LINE && word) {
            for (size_t j = 0; j < pb->line_count; j++)
                if (!strcmp(pb->lines[j].id, word))
                    act(h, at, EVENT_MESSAGE, pb->lines[j].text, word);
        } else if (x->kind == EXPECT_SAY && word) {
            act(h, at, EVENT_MESSAGE, word, NULL);
        } else if (x->kind == EXPECT_HANGUP) {
            act(h, at, EVENT_CLOSE, NULL, NULL);
        }
    }
}

/* The result's bounds, its JSON (which the report reads back) and its text. */
static void check_result(const drill *dr, const drill_result *res)
{
    FUZZ_ASSERT(res->drill == dr && res->finished);
    FUZZ_ASSERT(res->score >= 0 && res->score <= res->max);
    FUZZ_ASSERT(res->percent >= 0 && res->percent <= 100);
    for (size_t i = 0; i < dr->expect_total; i++)
        FUZZ_ASSERT(res->outcomes[i].status != DRILL_PENDING);
    buf out;
    buf_init(&out);
    drill_result_json(res, &out);
    FUZZ_ASSERT(out.len > 0 && out.data[out.len - 1] == '\n');
    drill_report *rep = drill_report_new();
    char err[256];
    FUZZ_ASSERT(rep && drill_report_add(rep, out.data, out.len, err, sizeof err));
    FUZZ_ASSERT(drill_report_count(rep) == 1);
    buf_clear(&out);
    drill_report_text(rep, &out);
    FUZZ_ASSERT(text_valid_utf8(buf_str(&out), out.len));
    drill_report_free(rep);
    buf_clear(&out);
    drill_result_text(res, &out);
    FUZZ_ASSERT(text_valid_utf8(buf_str(&out), out.len));
    buf_free(&out);
}

/* Plays a bound drill for at most MAX_ROUNDS steps of 5 s, then finishes and checks it. */
static void play(const drill *dr, const playbook *pb)
{
    drill_session *s = drill_session_new(dr, pb, "d", START, TZ);
    FUZZ_ASSERT(s != NULL);
    drill_session_start(s);
    int64_t now = START;
    for (int round = 0; round < MAX_ROUNDS && !drill_session_done(s); round++) {
        now += 5 * SEC;
        drill_session_advance(s, now);
        size_t number = 0;
        const drill_step *st = drill_session_step(s, &number);
        if (!st)
            break;
        FUZZ_ASSERT(number >= 1 && number <= dr->step_count);
        answer(s, pb, st, now);
    }
    check_result(dr, drill_session_finish(s, now));
    drill_session_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diagnostics d;
    diag_init(&d);
    drill *dr = drill_load("fuzz.yaml", (const char *)data, size, &d);
    FUZZ_ASSERT((dr == NULL) == (d.count > 0));
    if (!dr)
        FUZZ_ASSERT(strncmp(buf_str(&d.text), "fuzz.yaml:", 10) == 0);
    const playbook *pb = dr ? book_for(dr) : NULL;
    if (dr && drill_bind(dr, pb, &d)) {
        for (size_t i = 0; i < dr->expect_total; i++) {
            const drill_step *st = NULL;
            FUZZ_ASSERT(drill_expect_at(dr, i, &st) != NULL && st != NULL);
        }
        for (size_t i = 0; i < dr->step_count; i++) {
            const drill_step *st = &dr->steps[i];
            FUZZ_ASSERT(st->then == DRILL_END || st->then == DRILL_NEXT ||
                        (st->then >= 0 && (size_t)st->then < dr->step_count));
            for (size_t j = 0; j < st->branch_count; j++)
                FUZZ_ASSERT(st->branches[j].target == DRILL_END ||
                            (st->branches[j].target >= 0 &&
                             (size_t)st->branches[j].target < dr->step_count));
        }
        diagnostics checked;
        diag_init(&checked);
        FUZZ_ASSERT(drill_check(dr, pb, &checked) == (checked.count == 0));
        diag_free(&checked);
        play(dr, pb);
    }
    drill_free(dr);
    diag_free(&d);
    return 0;
}
