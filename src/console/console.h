/* console: the layer that wires a running console: the command line and start-up
 * (console.c), the one poll() loop with its signals, suspend and wake-ups (run.c), the session
 * log, the demo, the feed (feedlink.c) and the lookups (lookuplink.c). It drives the screen
 * (ui/, which draws and handles keys) through app_tick, app_render, app_next_wakeup and
 * app_resize, and gives it app_ops to reach all of these. */
#ifndef HUASHU_CONSOLE_H
#define HUASHU_CONSOLE_H

#include <stdbool.h>

#include "cmdline.h"
#include "net/demo.h"
#include "net/loop.h"
#include "net/sessionlog.h"
#include "startup.h"
#include "ui/app.h"

typedef struct feedlink feedlink;
typedef struct lookuplink lookuplink;

/* A running console: the screen and what it is wired to. */
typedef struct console {
    app a;
    loop *loop;
    sessionlog log;
    bool logging;
    demo *demo;
    feedlink *feed;
    lookuplink *lookups;
} console;

/* The console with a mode (huashu drill): no feed and no demo; setup runs once the terminal
 * is ready (false ends the console), teardown after it is put back and returns the exit
 * status. */
typedef struct console_hooks {
    const char *label; /* the status line's mode label */
    bool (*setup)(app *a, void *ctx);
    int (*teardown)(app *a, void *ctx, int status);
    void *ctx;
} console_hooks;

/* The console's command line (console_options). */
typedef struct console_args {
    startup_args start; /* --config, --playbook, --set */
    bool manual;
    const char *feed;
    const char *demo;
    double time_scale;
    const char *start_time;
    int bench_frames;
    const char *ui_names[32]; /* --ui and its shorthands, applied after the config file */
    const char *ui_values[32];
    char ui_buf[32][64];
    int ui_count;
} console_args;

/* The console's options (huashu(1), CONSOLE); huashu drill FILE takes them too. */
extern const cli_option console_options[];
/* huashu's own command line: the console's options (huashu --help lists them). */
extern const cli_spec console_spec;

void console_args_init(console_args *c);
/* The cli_take_fn of console_options: records one option in c (a console_args). */
bool console_take(void *c, int id, const char *name, const char *value);
/* Starts the console once the options are read; hooks NULL, or a mode (huashu drill).
 * Returns the exit status. */
int console_main(console_args *c, const console_hooks *hooks);

/* run.c */
/* Watches the keyboard and the signals (resize, suspend, the ends) on the loop; false on
 * failure. */
bool console_watch(console *cs);
/* Runs the loop until the agent quits or a terminating signal arrives (or --bench is done);
 * returns the exit status. */
int console_run(console *cs);

#endif
