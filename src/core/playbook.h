/* playbook: a locale's script loaded from YAML (huashu-playbook(5)): states and their lines,
 * timed ladders, transitions, cue words, forbidden phrases and placeholders. */
#ifndef HUASHU_PLAYBOOK_H
#define HUASHU_PLAYBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/yamldoc.h"

#define PB_NONE (-1)
#define PB_BACK (-2) /* transition target: the state before the current one */

/* Where something was written, for file:line:col messages after merging. */
typedef struct pb_mark {
    const char *file;
    int line, col;
} pb_mark;

/* Conditions a line may require (pb_line.when). */
enum {
    WHEN_PHONE = 1u << 0,
    WHEN_CHAT = 1u << 1,
    WHEN_LATE = 1u << 2,
    WHEN_SURNAME_KNOWN = 1u << 3,
    WHEN_SURNAME_UNKNOWN = 1u << 4,
    WHEN_HOLIDAY = 1u << 5,
    WHEN_FIRST_REPLY = 1u << 6, /* the agent has not replied yet (not greeted) */
};

typedef enum pb_source {
    SOURCE_CONFIG,
    SOURCE_CUSTOMER,
    SOURCE_CLOCK,
    SOURCE_CALENDAR,
    SOURCE_LOOKUP,
    SOURCE_ASK,
} pb_source;

typedef struct pb_pair {
    char *name;
    char *text;
} pb_pair;

typedef struct pb_line {
    char *id;
    char *code; /* NULL when none */
    char *text;
    pb_pair *fallbacks;
    size_t fallback_count;
    unsigned when;
    pb_pair *value_when; /* {order.status: [shipped, 已发货]}: a looked-up value, once known,
                          * must be one of these (one pair per allowed value) */
    size_t value_when_count;
    char *promise_name; /* duration as written, resolved into promise_ms */
    int64_t promise_ms; /* 0: sending the line sets no deadline */
    bool end;
    int state;
    int origin; /* index of the file that defined it */
    pb_mark mark;
} pb_line;

typedef struct pb_step {
    char *after_name;
    int64_t after_ms;
    char *line_id;
    int line;
    char *chat_line_id; /* the step's line in a chat, NULL when the same */
    int chat_line;      /* PB_NONE when none */
    bool repeat, end;
    pb_mark mark;
} pb_step;

typedef enum pb_trigger {
    TRIGGER_KEY,
    TRIGGER_EVENT,
    TRIGGER_CUE,
    TRIGGER_AFTER,
} pb_trigger;

typedef enum pb_event_kind {
    ON_OPEN,
    ON_CLOSE,
    ON_CUSTOMER_MESSAGE,
    ON_AGENT_MESSAGE,
} pb_event_kind;

typedef struct pb_transition {
    pb_trigger trigger;
    char *key;           /* TRIGGER_KEY */
    pb_event_kind event; /* TRIGGER_EVENT */
    char *cue_name;      /* TRIGGER_CUE */
    int cue;
    char *after_name; /* TRIGGER_AFTER */
    int64_t after_ms;
    char *to_name;
    int to; /* state index or PB_BACK */
    char *line_id;
    int line; /* PB_NONE when none */
    pb_mark mark;
} pb_transition;

typedef struct pb_avoid {
    char *never;
    char *say;    /* line id or literal text */
    int say_line; /* PB_NONE when say is literal text */
} pb_avoid;

typedef struct pb_state {
    char *id;
    char *label;
    int *lines; /* indexes into playbook.lines, in suggestion order */
    size_t line_count;
    pb_step *ladder;
    size_t ladder_count;
    pb_avoid *avoid;
    size_t avoid_count;
    pb_transition *transitions;
    size_t transition_count;
    char **examples; /* what customers say that leads here (detection's training data) */
    size_t example_count;
    int origin;
    pb_mark mark;
} pb_state;

typedef struct pb_placeholder {
    char *name;
    char *default_value, *label, *fallback; /* each may be NULL */
    pb_source source;
} pb_placeholder;

typedef struct pb_cue_set {
    char *name;
    char **words;
    size_t word_count;
    bool folded;   /* some word has ASCII letters: match them case-insensitively */
    double weight; /* what a match adds to its target state's score (default 1) */
} pb_cue_set;

/* A short reply read against the agent's last line: after a line of state `said` (or an agent
 * message with a word of cue set `asked`), a message matching cue `t.cue` leads to t.to
 * (detect: replies:). */
typedef struct pb_reply {
    char *said_name;
    int said;
    char *asked_name; /* cue set: agent words that ask the question (when no line id) */
    int asked;        /* PB_NONE when none */
    pb_transition t;
} pb_reply;

/* How customer messages are read (detect:, huashu-playbook(5)). */
typedef struct pb_detect {
    double threshold; /* below it the state stays; < 0: the default */
    char **noise;     /* POSIX extended regular expressions removed before matching */
    size_t noise_count;
    char **polite; /* words removed before cue matching (不好意思, 请问) */
    size_t polite_count;
    char **negators; /* a cue word right after one of these does not count (不是投诉) */
    size_t negator_count;
    char **same; /* examples of messages that change nothing (好的, 嗯, an order number) */
    size_t same_count;
    pb_reply *replies;
    size_t reply_count;
    pb_mark mark;
} pb_detect;

struct detector; /* core/detect.h: trained from the playbook by detect_train() */

typedef struct pb_forbidden {
    char *phrase, *better, *note;
    char **allow;
    size_t allow_count;
} pb_forbidden;

typedef struct pb_time_range {
    int from_min, to_min; /* minutes since midnight; to < from wraps midnight */
    char *text;
} pb_time_range;

typedef struct pb_holiday {
    int year; /* 0: every year */
    int month, day;
    char *text;
} pb_holiday;

typedef struct pb_setting {
    char *name;
    int64_t ms;
} pb_setting;

typedef struct playbook {
    char *id, *name, *locale;
    char **files; /* every file that went into it, base first */
    size_t file_count;
    pb_setting *settings;
    size_t setting_count;
    pb_placeholder *placeholders;
    size_t placeholder_count;
    pb_cue_set *cues;
    size_t cue_count;
    pb_forbidden *forbidden;
    size_t forbidden_count;
    pb_time_range *times;
    size_t time_count;
    pb_holiday *holidays;
    size_t holiday_count;
    pb_transition *transitions; /* global, tried after the state's own */
    size_t transition_count;
    pb_state *states;
    size_t state_count;
    pb_line *lines;
    size_t line_count;
    pb_detect detect;
    struct detector *detector; /* NULL until detect_train(); owned */
} playbook;

/* Supplies the text of a playbook named by `extends:` (an id or a path relative to `from`).
 * Returns malloc'd contents and sets *path (malloc'd) for messages; NULL when not found. */
typedef char *(*playbook_reader)(void *ctx, const char *name, const char *from, size_t *len,
                                 char **path);

/* Loads a playbook from YAML text. Problems go to d as file:line:col lines; returns NULL when
 * any was found. reader may be NULL when extends: is not allowed. */
playbook *playbook_load(const char *file, const char *data, size_t len, playbook_reader reader,
                        void *reader_ctx, diagnostics *d);
void playbook_free(playbook *pb);
/* Makes every later playbook_load read and keep the parsed YAML of its files through cache
 * (yamldoc.h); NULL: parse every time (the default). */
void playbook_set_cache(const yamldoc_cache *cache);

int playbook_state_index(const playbook *pb, const char *id);
int playbook_line_index(const playbook *pb, const char *id);
int playbook_line_by_code(const playbook *pb, const char *code);
const pb_placeholder *playbook_placeholder(const playbook *pb, const char *name);
/* A setting's value in ms, or fallback when the playbook does not define it. */
int64_t playbook_setting(const playbook *pb, const char *name, int64_t fallback);
/* Index of the cue set with that name, PB_NONE when absent. */
int playbook_cue_index(const playbook *pb, const char *name);
/* True when text contains a word of the cue set. */
bool playbook_cue_matches(const playbook *pb, int cue, const char *text);

/* The 19 state ids every bundled playbook, drill and report shares. */
extern const char *const playbook_shared_states[];

#endif
