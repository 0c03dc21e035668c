/* drill: scripted customers for training (huashu-drill(5)). A drill file names a playbook, a
 * persona and steps: customer turns with their timing, expectations with points and windows,
 * and branches on what the agent did. A run plays one drill against one conversation of an
 * engine on the clock its caller passes in, and scores it into a result that renders to JSON
 * and text. Pure: no I/O. */
#ifndef HUASHU_DRILL_H
#define HUASHU_DRILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/event.h"
#include "core/playbook.h"
#include "core/yamldoc.h"

#define DRILL_END        (-1) /* step target: the drill is over */
#define DRILL_NEXT       (-2) /* step target: the next step in the file */
#define DRILL_MAX_FIELDS 8
/* The hard cap on a run, whatever the drill says: steps entered (a cycle of steps that takes
 * no time ends there, "step limit") and drill time (a longer limit: is cut to this). */
#define DRILL_MAX_STEPS 1000
#define DRILL_MAX_TIME  (24LL * 3600 * 1000)

/* A duration as written: seconds, a number with a unit, or a playbook setting's name. */
typedef struct drill_duration {
    char *setting; /* NULL when written as a number */
    int64_t ms;
    bool given;
    pb_mark mark;
} drill_duration;

/* When the customer speaks once a step begins. */
typedef enum drill_turn {
    TURN_NOW,     /* at once */
    TURN_REPLY,   /* after the agent's next message */
    TURN_SILENCE, /* after the agent has said nothing for a while */
} drill_turn;

typedef enum drill_kind {
    EXPECT_STATE,      /* the conversation enters a state */
    EXPECT_LINE,       /* the agent sends a playbook line */
    EXPECT_SAY,        /* a reply contains a phrase */
    EXPECT_NEVER,      /* no reply during the step contains a phrase */
    EXPECT_NEVER_LINE, /* the agent does not send a line during the step */
    EXPECT_SURNAME,    /* a reply addresses the customer by surname (and title) */
    EXPECT_HANGUP,     /* the agent ends the call */
    EXPECT_REPLY,      /* the agent answers (any message): the response limit */
    EXPECT_KIND_COUNT
} drill_kind;

/* One thing the trainee should do (or not do), scored. words: state ids, line ids (a trailing
 * "*" matches a prefix) or phrases, depending on the kind. */
typedef struct drill_expect {
    char *name; /* unique in the drill; "step.kind" unless written */
    char *label;
    drill_kind kind;
    char **words;
    size_t word_count;
    drill_duration within, after, grace;
    int points;
    bool required;
    bool implicit;      /* the response rule a customer message brings (scoring: respond) */
    pb_mark mark;       /* the expectation */
    pb_mark words_mark; /* its state, line or phrases */
} drill_expect;

typedef enum drill_cond {
    COND_STATE,   /* the conversation entered one of the states */
    COND_LINE,    /* the agent sent one of the lines */
    COND_WORDS,   /* a reply contained one of the words */
    COND_SILENCE, /* the agent said nothing for a while */
} drill_cond;

typedef struct drill_branch {
    drill_cond cond;
    char **words;
    size_t word_count;
    drill_duration silence;
    char *target_name;
    int target;         /* step index or DRILL_END */
    pb_mark mark;       /* its goto: */
    pb_mark words_mark; /* its condition */
} drill_branch;

typedef struct drill_step {
    char *id;
    drill_turn turn;
    drill_duration wait; /* TURN_SILENCE */
    char *text;          /* what the customer says; NULL: nothing */
    bool hangup;         /* the customer hangs up after the turn */
    bool reveal;         /* the message tells the customer's name (persona) */
    char *lookup_kind;   /* a lookup result arriving with the turn ("order"), NULL for none */
    event_field fields[DRILL_MAX_FIELDS];
    size_t field_count;
    pb_mark lookup_mark, field_marks[DRILL_MAX_FIELDS];
    drill_expect *expects;
    size_t expect_count;
    drill_branch *branches;
    size_t branch_count;
    char *then_name;
    int then; /* step index, DRILL_END or DRILL_NEXT */
    pb_mark mark;
} drill_step;

typedef struct drill_scoring {
    int points;               /* per expectation unless it says (10) */
    drill_duration within;    /* default window (30 s) */
    drill_duration grace;     /* how long after within a late answer still counts (15 s) */
    int late_penalty;         /* points lost per started late_unit past within (2) */
    drill_duration late_unit; /* 5 s */
    int forbidden_penalty;    /* per forbidden phrase or avoided line (5) */
    int pass;                 /* percent needed to pass (80) */
    int similarity;           /* percent a reply needs to carry a line (linematch.h, 50) */
    drill_duration respond;   /* every customer message wants a reply this soon (30 s) */
    bool respond_off;         /* respond: off */
    int respond_points;       /* what such a reply is worth (5) */
} drill_scoring;

typedef struct drill {
    char *file;
    char *id, *title, *playbook, *intro;
    bool phone;
    char *name, *surname, *title_word, *mood; /* the persona */
    bool known;                               /* the customer's name is known at open */
    char **never;                             /* drill-wide phrases no reply may contain */
    size_t never_count;
    drill_duration limit; /* the drill ends after this long (10 min) */
    drill_scoring scoring;
    drill_step *steps;
    size_t step_count;
    size_t expect_total;
    pb_mark playbook_mark;
    /* indexes built by the loader: expectation i in file order, its step, a step's first */
    drill_expect **expect_list;
    size_t *expect_step;
    size_t *step_first;
} drill;

/* Parses a drill file. Problems go to d as file:line:col lines; NULL when there were any. */
drill *drill_load(const char *file, const char *data, size_t len, diagnostics *d);
/* Checks the drill against its playbook (state and line ids exist, setting names resolve) and
 * resolves durations. Returns false after reporting problems to d. */
bool drill_bind(drill *dr, const playbook *pb, diagnostics *d);
void drill_free(drill *dr);
/* What huashu check refuses in a bound drill that loads but cannot work: a cycle of steps
 * that takes no time, surname: true without a persona surname, lookup kinds and fields the
 * playbook has no placeholder for, a say: or never-broken phrase the playbook forbids,
 * steps no path reaches, no expectation at all. Returns false after reporting to d. */
bool drill_check(const drill *dr, const playbook *pb, diagnostics *d);
/* True when a YAML document's top-level keys make it a drill (drill: or steps:). */
bool drill_looks_like(yamldoc *y);
const char *drill_kind_name(drill_kind k);
/* Expectation i in file order across all steps, with its step. */
const drill_expect *drill_expect_at(const drill *dr, size_t i, const drill_step **step);

/* ---- running ------------------------------------------------------------------------- */

typedef enum drill_status {
    DRILL_PENDING, /* its window is open */
    DRILL_MET,
    DRILL_LATE, /* met after `within`, points reduced */
    DRILL_MISSED,
    DRILL_EARLY,       /* only done before `after`: counts as missed */
    DRILL_NOT_REACHED, /* its step never came although the path led there: counts as missed */
    DRILL_SKIPPED,     /* on a branch not taken: not scored */
    DRILL_UNOPENED,    /* the run has not got there yet */
    DRILL_UNSCORED,    /* a never-kind of a step in which the trainee said nothing: not scored */
} drill_status;

/* How one expectation went. Times are on the run's clock (Unix ms). */
typedef struct drill_outcome {
    drill_status status;
    int64_t opened_at, met_at, deadline, closes_at; /* met_at 0 when not met */
    int awarded;
    char *said;     /* the reply that met (or broke) it */
    char *expected; /* when missed: what would have met it (the line filled in, the phrase) */
} drill_outcome;

/* A forbidden phrase (or avoided line, raw placeholder, unfilled hole) in a reply. */
typedef struct drill_hit {
    int64_t at;
    const char *kind; /* "forbidden", "avoid", "placeholder", "missing" */
    char *phrase;
    char *better; /* may be NULL */
    char *text;   /* the reply */
    int points;
} drill_hit;

typedef struct drill_said {
    int64_t at;
    event_from from; /* FROM_CUSTOMER, FROM_AGENT; FROM_SYSTEM for keys and hang-ups */
    char *text;
    char *line; /* line id, may be NULL */
} drill_said;

typedef struct drill_result {
    const drill *drill;
    char *conv;
    char *trainee;
    int64_t started, ended;
    int tz;
    drill_outcome *outcomes; /* drill->expect_total, in drill_expect_at order */
    drill_hit *hits;
    size_t hit_count;
    drill_said *transcript;
    size_t said_count;
    int score, max, percent;
    size_t replies; /* the trainee's messages: none scores 0 */
    bool passed, finished;
    bool failed; /* an allocation failed: the result is incomplete (its text and JSON say so) */
    const char *end_reason; /* "completed", "agent hung up", "customer hung up", "time limit",
                             * "step limit", "stopped" */
} drill_result;

typedef struct drill_run drill_run;

/* Receives an event the customer side produces (open, message, lookup, close). The caller
 * feeds it to the engine and then passes it back through drill_run_event like any other. */
typedef void (*drill_emit)(void *ctx, const event *ev);

/* A run of dr (bound to the engine's playbook) on conversation conv of e, starting at start
 * with timestamps written at tz. Nothing happens before drill_run_start. NULL when out of
 * memory. dr and e are borrowed. */
drill_run *drill_run_new(const drill *dr, const engine *e, const char *conv, int64_t start, int tz,
                         drill_emit emit, void *ctx);
void drill_run_free(drill_run *r);
void drill_run_set_trainee(drill_run *r, const char *name);
/* Opens the conversation and plays what is due at the start. */
void drill_run_start(drill_run *r);
/* Call with every event fed to the engine, after the engine took it (the run's own included). */
void drill_run_event(drill_run *r, const event *ev);
/* Call from the engine's observer with every change. */
void drill_run_change(drill_run *r, const conversation *c, int64_t at, unsigned changes);
/* Plays what is due at or before now (customer turns, windows closing, silence). */
void drill_run_advance(drill_run *r, int64_t now);
/* When drill_run_advance next has something to do; ENGINE_NEVER when nothing is timed. */
int64_t drill_run_next_deadline(const drill_run *r);
bool drill_run_done(const drill_run *r);
/* Ends the run at now if it has not ended (open expectations missed) and scores it. */
const drill_result *drill_run_finish(drill_run *r, int64_t now);
/* The result so far (scored up to now; final once done). */
const drill_result *drill_run_result(const drill_run *r);
/* The step being played (NULL when over), and its number from 1. */
const drill_step *drill_run_step(const drill_run *r, size_t *number);

/* ---- results ------------------------------------------------------------------------- */

const char *drill_status_name(drill_status s);
/* True for the statuses that count as not done (missed, early, not reached). */
bool drill_status_missed(drill_status s);
/* What the trainee should learn from outcome i, one line into out (nothing when met on time):
 * "expected: WORDING" for a missed one, "4.2s late -> -2" for a late one. */
void drill_outcome_advice(const drill_result *res, size_t i, buf *out);
/* Why the run failed ("the required X was missed", "62% is below the pass mark 80%", "nothing
 * was said"); empty when it passed. */
void drill_result_why(const drill_result *res, buf *out);
/* Appends the result as one JSON object (with a trailing newline); out is marked failed when
 * the result is incomplete (res->failed). */
void drill_result_json(const drill_result *res, buf *out);
/* Appends the result as a plain-text report; out is marked failed as for drill_result_json. */
void drill_result_text(const drill_result *res, buf *out);

/* Turns an answers line (an event record whose time may be "at": seconds after start instead of
 * "ts") into an event for conversation conv. False with a message for a bad line. */
bool drill_answer_parse(const char *line, size_t len, const char *conv, int64_t start, int tz,
                        event *ev, char *err, size_t errlen);
/* The same, with "after_customer": seconds after the customer's last message: then
 * *after_customer is that offset in ms (ev's time is the start, to be set by the player), else
 * -1. Unknown keys and times that are neither seconds nor durations are refused with a message
 * naming them. */
bool drill_answer_parse_at(const char *line, size_t len, const char *conv, int64_t start, int tz,
                           event *ev, int64_t *after_customer, char *err, size_t errlen);

/* ---- many results, and drills from logs ---------------------------------------------- */

typedef struct drill_report drill_report;

drill_report *drill_report_new(void);
void drill_report_free(drill_report *rep);
/* Adds one saved result (the JSON of drill_result_json). False with a message when the text is
 * not one. */
bool drill_report_add(drill_report *rep, const char *json, size_t len, char *err, size_t errlen);
size_t drill_report_count(const drill_report *rep);
/* Per drill: runs, pass rate, median score; per expectation: how often met, median time; the
 * most frequent forbidden phrases. */
void drill_report_text(const drill_report *rep, buf *out);
void drill_report_json(const drill_report *rep, buf *out);

/* Appends a drill skeleton (YAML a trainer edits) made from the n events of conversation conv:
 * the persona from its open record, one step per customer message with its timing, and the
 * agent's lines, states and hang-up as expectations. source names the log in a comment. False
 * with a message when conv has no customer message. */
bool drill_skeleton(const event *events, size_t n, const char *conv, const char *playbook_id,
                    const char *source, buf *out, char *err, size_t errlen);

#endif
