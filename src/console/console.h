/* console: starting the console from the command line (huashu, huashu drill FILE). */
#ifndef HUASHU_CONSOLE_H
#define HUASHU_CONSOLE_H

#include <stdbool.h>

#include "cmdline.h"
#include "startup.h"
#include "ui/app.h"

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

#endif
