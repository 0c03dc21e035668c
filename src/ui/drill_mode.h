/* ui/drill_mode: `huashu drill FILE` in the console. The drill pane takes the queue's place (the
 * scenario, the score so far and a countdown for each pending expectation), --no-hints hides
 * the suggestions, and a score screen closes the drill. */
#ifndef HUASHU_UI_DRILL_MODE_H
#define HUASHU_UI_DRILL_MODE_H

#include "core/drill.h"
#include "core/drill_session.h"
#include "ui/app.h"

/* Saves a finished result and writes where to path; false with a message in err. */
typedef bool (*drill_save_fn)(const drill_result *res, char *path, size_t cap, char *err,
                              size_t errlen);

typedef struct drill_row {
    char *text;
    int attr;
} drill_row;

typedef struct drill_console {
    /* set by the caller */
    drill *dr;
    bool no_hints;
    const char *trainee;
    drill_save_fn save;
    /* the console's side of the run */
    app *a;
    drill_session *run; /* attached to the console's engine */
    int64_t timer_at;   /* the run's next deadline (app_mode.deadline), ENGINE_NEVER when none */
    bool finished, torn_down;
    char saved[512]; /* where the result went, or why it did not */
    bool saved_ok;
    drill_row *rows; /* the score screen */
    size_t row_count;
    int scroll;
    WINDOW *win;
} drill_console;

/* console_hooks.setup: starts the drill (ctx: a drill_console) once the console is up. */
bool drill_console_setup(app *a, void *ctx);
/* console_hooks.teardown: ends a drill the trainee left early, saves it, prints the score. */
int drill_console_teardown(app *a, void *ctx, int status);
/* Frees what the run left (after console_main returned). */
void drill_console_free(drill_console *dc);

#endif
