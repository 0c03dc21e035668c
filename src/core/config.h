/* config: the user's config.yaml. Scalar options are checked against one table (name, type,
 * range, default, help); free-form sections (agent placeholders, keys, lookup endpoints, chat
 * adapters) are handed to the module that owns them, with their YAML positions. */
#ifndef HUASHU_CONFIG_H
#define HUASHU_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/yamldoc.h"

typedef enum config_type {
    OPT_STRING,
    OPT_INT,
    OPT_BOOL,
    OPT_ENUM,     /* one of choices, "a|b|c" */
    OPT_DURATION, /* 30, "30s", "2h" */
} config_type;

typedef struct config_option {
    const char *name; /* "ui.bell": section.key, or a top-level key */
    config_type type;
    long min, max;       /* OPT_INT */
    const char *choices; /* OPT_ENUM */
    const char *default_value;
    const char *help;
} config_option;

/* The table of every scalar option, ending with a NULL name. */
extern const config_option config_options[];

typedef struct config config;

/* Parses config text. Problems go to d (file:line:col); the config is still returned with
 * defaults for whatever was wrong, so the program can carry on. NULL only when out of memory. */
config *config_load(const char *file, const char *data, size_t len, diagnostics *d);
/* A config with every default (no file). */
config *config_defaults(void);
void config_free(config *c);

/* Values of table options by full name ("ui.lint_mode"); the default when not set. */
const char *config_string(const config *c, const char *name);
long config_int(const config *c, const char *name);
bool config_bool(const config *c, const char *name);
int64_t config_duration(const config *c, const char *name);

/* A free-form section ("keys", "lookup", "chatwoot"): its node and document for the owning
 * module to parse with positions (problems then go to d); NULL when absent. */
yaml_node_t *config_section(config *c, const char *name, yamldoc **doc, diagnostics *d);
/* The file the config came from ("" for defaults). */
const char *config_file(const config *c);

/* The agent's placeholder values (agent: {company: ..., agent_no: ...}), in file order. */
size_t config_agent_count(const config *c);
void config_agent_at(const config *c, size_t i, const char **name, const char **value);

#endif
