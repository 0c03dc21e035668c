/* detect: which state a customer message leads to. The text is cleaned and folded
 * (textfold), every state is scored (the weighted cue words of the transitions open in the
 * current state, plus a classifier trained from the playbook's examples), short replies are
 * read against the agent's last line (detect: replies), and below a confidence threshold the
 * state stays while the runner-ups are named. */
#ifndef HUASHU_DETECT_H
#define HUASHU_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/playbook.h"
#include "core/yamldoc.h"

#define DETECT_DEFAULT_THRESHOLD 0.35
#define DETECT_MAX_UNSURE        3

typedef struct detector detector;

/* Script conversion supplied by the caller (OpenCC at the edges; the core does no I/O):
 * text converted character by character to Simplified (to_traditional false) or Traditional
 * characters, malloc'd; NULL when it cannot. */
typedef char *(*detect_convert)(void *ctx, bool to_traditional, const char *text);

/* Trains pb->detector from the playbook's examples, cues and detect: section (replacing any
 * earlier one). convert may be NULL (no script folding). Problems go to d; false when the
 * detector could not be built (pb->detector stays NULL: cues are then matched as written). */
bool detect_train(playbook *pb, detect_convert convert, void *ctx, diagnostics *d);
void detect_free(detector *det);

typedef struct detect_ctx {
    int state;      /* the conversation's state */
    int said_state; /* state of the agent's last playbook line, PB_NONE when unknown */
    uint32_t asked; /* detect_asked() of the agent's last message */
    bool explain;   /* fill detect_result.top (costs time) */
} detect_ctx;

typedef struct detect_result {
    int to;                        /* state to enter (or PB_BACK); PB_NONE: stay */
    int line;                      /* line the move suggests, PB_NONE when none */
    int best;                      /* best scoring state, PB_NONE when "same" */
    double confidence;             /* of best, 0..1 */
    bool below;                    /* under the threshold: the state stays */
    int unsure[DETECT_MAX_UNSURE]; /* below the threshold: the likeliest states */
    size_t unsure_count;
    int top[DETECT_MAX_UNSURE];          /* the best scores, for explaining (PB_NONE: same) */
    double top_score[DETECT_MAX_UNSURE]; /* each as a share of the total, 0..1 */
    size_t top_count;
} detect_result;

/* Reads one customer message in context. */
void detect_message(const detector *det, const playbook *pb, const detect_ctx *ctx,
                    const char *text, size_t len, detect_result *r);

/* Which replies (bits: detect: replies, by index) the agent's message opens: its line is of
 * the reply's `said` state, or its text has a word of the reply's `asked` cue set. */
uint32_t detect_asked(const detector *det, const playbook *pb, int line, const char *text,
                      size_t len);

/* The folded form of text as detection sees it (for tests and huashu eval). */
void detect_fold(const detector *det, const char *text, size_t len, buf *out);
/* Features and examples the classifier was trained with (0 when it has none). */
size_t detect_feature_count(const detector *det);
size_t detect_example_count(const detector *det);

#endif
