/* startup: what every command that runs the engine does first, in one order: the config
 * (--config), the playbook (--playbook, else the config's playbook:, else the locale's), the
 * engine, the config's agent: values, then --set. Used by the console, drill, feed, replay
 * and lookup. */
#ifndef HUASHU_STARTUP_H
#define HUASHU_STARTUP_H

#include <stdbool.h>

#include "core/config.h"
#include "core/engine.h"
#include "core/playbook.h"

#define STARTUP_MAX_SETS 64

/* The option ids of the shared rows below (a command's own ids are 0 and up). */
enum { STARTUP_CONFIG = -2, STARTUP_PLAYBOOK = -3, STARTUP_SET = -4 };

/* The shared rows of an option table (cmdline.h). */
#define STARTUP_OPTION_CONFIG                                                                      \
    {                                                                                              \
        "--config", "FILE", "read FILE instead of $XDG_CONFIG_HOME/huashu/config.yaml",            \
            STARTUP_CONFIG, NULL                                                                   \
    }
#define STARTUP_OPTION_PLAYBOOK                                                                    \
    {                                                                                              \
        "--playbook", "NAME|FILE", "the playbook (default: the config's, else the locale's)",      \
            STARTUP_PLAYBOOK, NULL                                                                 \
    }
#define STARTUP_OPTION_SET                                                                         \
    {                                                                                              \
        "--set", "NAME=VALUE",                                                                     \
            "a placeholder value ({company}...), over the config's agent:", STARTUP_SET, NULL      \
    }

/* What the shared options asked for. */
typedef struct startup_args {
    const char *config;   /* NULL: the user's config file */
    const char *playbook; /* NULL: the config's, else the locale's */
    const char *sets[STARTUP_MAX_SETS];
    int set_count;
} startup_args;

/* True for the ids of the STARTUP_OPTION_* rows. */
static inline bool startup_is_option(int id)
{
    return id == STARTUP_CONFIG || id == STARTUP_PLAYBOOK || id == STARTUP_SET;
}

/* Records one of the shared options (a cli_take_fn's job for those ids); false after a
 * message when --set lacks its "=" or comes too often. */
bool startup_take(startup_args *a, int id, const char *value);

enum {
    STARTUP_KEEP_CONFIG_PROBLEMS = 1, /* into s->problems instead of standard error */
    STARTUP_NO_ENGINE = 2,            /* config and playbook only */
    STARTUP_ANY_PLAYBOOK = 4,         /* a playbook that does not load is no error (left NULL) */
};

/* What start-up built. */
typedef struct startup {
    config *cfg;
    playbook *pb;
    engine *engine;
    diagnostics problems; /* the config's, with STARTUP_KEEP_CONFIG_PROBLEMS */
} startup;

/* Reads the config, chooses and loads the playbook, builds the engine and gives it the
 * agent: values and --set; false after a message on standard error. s is always ready for
 * startup_close. */
bool startup_open(startup *s, const startup_args *a, unsigned flags);
/* Builds the engine for a playbook chosen elsewhere (a drill's): the config's agent: values
 * and --set as startup_open. s does not own pb. */
bool startup_open_with(startup *s, const startup_args *a, const playbook *pb, unsigned flags);
/* Gives an engine the config's agent: values, then --set. */
bool startup_values(engine *e, const config *cfg, const startup_args *a);
void startup_close(startup *s);

#endif
