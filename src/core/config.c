#include "core/config.h"

#include <stdlib.h>
#include <string.h>

const config_option config_options[] = {
    {"playbook", OPT_STRING, 0, 0, NULL, "",
     "playbook id (zh_CN, zh_TW, en) or file; default from the locale"},
    {"feed", OPT_STRING, 0, 0, NULL, "",
     "event feed: -, file:PATH, unix:PATH, exec:COMMAND, chatwoot:"},
    {"ui.ambiguous_width", OPT_INT, 1, 2, NULL, "1",
     "columns of East Asian Ambiguous characters (“ ” … ①)"},
    {"ui.bell", OPT_BOOL, 0, 0, NULL, "true", "ring the terminal bell when a chat becomes urgent"},
    {"ui.color", OPT_BOOL, 0, 0, NULL, "true",
     "use colours (NO_COLOR in the environment turns them off)"},
    {"ui.lint_mode", OPT_ENUM, 0, 0, "warn|confirm|block", "confirm",
     "what Enter does with a forbidden phrase"},
    {"ui.session_log", OPT_BOOL, 0, 0, NULL, "true", "append every event to the session log"},
    {"audit.response_target", OPT_DURATION, 0, 0, NULL, "30s",
     "service level: answered within this time"},
    {"audit.service_level", OPT_INT, 0, 100, NULL, "85",
     "service level target in percent (85/15 style)"},
    {NULL, OPT_STRING, 0, 0, NULL, NULL, NULL},
};

/* Sections whose content their own module checks. */
static const char *const free_sections[] = {"agent", "keys", "lookup", "chatwoot", NULL};

struct config {
    yamldoc doc;
    char *data; /* the text behind doc */
    char *file;
    char **values; /* parallel to config_options: NULL = default */
    const char **agent_names, **agent_values;
    size_t agent_count;
};

static size_t option_count(void)
{
    size_t n = 0;
    while (config_options[n].name)
        n++;
    return n;
}

static int option_index(const char *name)
{
    for (size_t i = 0; config_options[i].name; i++)
        if (strcmp(config_options[i].name, name) == 0)
            return (int)i;
    return -1;
}

static bool is_free_section(const char *name)
{
    for (size_t i = 0; free_sections[i]; i++)
        if (strcmp(free_sections[i], name) == 0)
            return true;
    return false;
}

static bool enum_allows(const char *choices, const char *value)
{
    size_t n = strlen(value);
    for (const char *p = choices; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, value, n) == 0)
            return true;
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

/* Checks a value against its option's type; reports and returns false when it does not fit. */
static bool option_valid(yamldoc *y, yaml_node_t *node, const config_option *o, const char *v)
{
    char *end;
    int64_t ms;
    bool negative;
    switch (o->type) {
    case OPT_STRING:
        return true;
    case OPT_INT: {
        long n = strtol(v, &end, 10);
        if (*v && !*end && n >= o->min && n <= o->max)
            return true;
        yamldoc_error(y, node, "%s must be a whole number from %ld to %ld", o->name, o->min,
                      o->max);
        return false;
    }
    case OPT_BOOL:
        if (!strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "yes") || !strcmp(v, "no"))
            return true;
        yamldoc_error(y, node, "%s must be true or false", o->name);
        return false;
    case OPT_ENUM:
        if (enum_allows(o->choices, v))
            return true;
        yamldoc_error(y, node, "%s must be one of %s", o->name, o->choices);
        return false;
    case OPT_DURATION:
        if (duration_parse(v, &ms, &negative) && !negative)
            return true;
        yamldoc_error(y, node, "%s must be a duration such as 30, \"30s\" or \"2h\"", o->name);
        return false;
    }
    return false;
}

static void set_option(config *c, yaml_node_t *node, const char *name)
{
    int i = option_index(name);
    if (i < 0) {
        yamldoc_error(&c->doc, node, "unknown option \"%s\"", name);
        return;
    }
    const char *v = yamldoc_scalar(node);
    if (!v) {
        yamldoc_error(&c->doc, node, "%s must be a single value", name);
        return;
    }
    if (!option_valid(&c->doc, node, &config_options[i], v))
        return;
    char *copy = strdup(v);
    if (!copy) {
        yamldoc_error(&c->doc, node, "out of memory");
        return;
    }
    free(c->values[i]);
    c->values[i] = copy;
}

static void load_option_section(config *c, const char *section, yaml_node_t *map)
{
    if (!yamldoc_expect_map(&c->doc, map, section))
        return;
    yamldoc_check_duplicates(&c->doc, map, section);
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(&c->doc, map, i, &k, &v); i++) {
        const char *key = yamldoc_scalar(k);
        char name[128];
        snprintf(name, sizeof name, "%s.%s", section, key ? key : "?");
        set_option(c, v, name);
    }
}

static void load_agent(config *c, yaml_node_t *map)
{
    if (!yamldoc_expect_map(&c->doc, map, "agent") ||
        !yamldoc_check_duplicates(&c->doc, map, "agent"))
        return;
    free(c->agent_names);
    free(c->agent_values);
    c->agent_count = 0;
    size_t n = map->data.mapping.pairs.top - map->data.mapping.pairs.start;
    c->agent_names = calloc(n ? n : 1, sizeof *c->agent_names);
    c->agent_values = calloc(n ? n : 1, sizeof *c->agent_values);
    if (!c->agent_names || !c->agent_values) {
        yamldoc_error(&c->doc, map, "out of memory");
        return;
    }
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(&c->doc, map, i, &k, &v); i++) {
        const char *name = yamldoc_scalar(k), *value = yamldoc_scalar(v);
        if (!name || !value) {
            yamldoc_error(&c->doc, v, "agent: each entry is a placeholder name and its text");
            continue;
        }
        c->agent_names[c->agent_count] = name;
        c->agent_values[c->agent_count++] = value;
    }
}

static void load_root(config *c, yaml_node_t *root)
{
    if (root->type == YAML_SCALAR_NODE && !*yamldoc_scalar(root))
        return; /* an empty file */
    if (!yamldoc_expect_map(&c->doc, root, "the configuration"))
        return;
    if (!yamldoc_check_duplicates(&c->doc, root, "the configuration"))
        return;
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(&c->doc, root, i, &k, &v); i++) {
        const char *key = yamldoc_scalar(k);
        if (!key)
            yamldoc_error(&c->doc, k, "option names are words");
        else if (!strcmp(key, "agent"))
            load_agent(c, v);
        else if (is_free_section(key))
            continue;
        else if (!strcmp(key, "ui") || !strcmp(key, "audit"))
            load_option_section(c, key, v);
        else
            set_option(c, v, key);
    }
}

config *config_defaults(void)
{
    config *c = calloc(1, sizeof *c);
    if (c && !(c->values = calloc(option_count(), sizeof *c->values))) {
        free(c);
        return NULL;
    }
    return c;
}

config *config_load(const char *file, const char *data, size_t len, diagnostics *d)
{
    config *c = config_defaults();
    if (c) {
        c->file = strdup(file);
        c->data = malloc(len + 1);
    }
    if (!c || !c->file || !c->data) {
        diag_add(d, file, 1, 1, "out of memory");
        config_free(c);
        return NULL;
    }
    memcpy(c->data, data, len);
    c->data[len] = '\0';
    if (len == 0)
        return c;
    if (yamldoc_load(&c->doc, c->file, c->data, len, d))
        load_root(c, yamldoc_root(&c->doc));
    return c;
}

void config_free(config *c)
{
    if (!c)
        return;
    yamldoc_free(&c->doc);
    for (size_t i = 0; c->values && config_options[i].name; i++)
        free(c->values[i]);
    free(c->values);
    free(c->agent_names);
    free(c->agent_values);
    free(c->data);
    free(c->file);
    free(c);
}

const char *config_string(const config *c, const char *name)
{
    int i = option_index(name);
    if (i < 0)
        return NULL;
    return c && c->values[i] ? c->values[i] : config_options[i].default_value;
}

long config_int(const config *c, const char *name)
{
    const char *v = config_string(c, name);
    return v ? strtol(v, NULL, 10) : 0;
}

bool config_bool(const config *c, const char *name)
{
    const char *v = config_string(c, name);
    return v && (!strcmp(v, "true") || !strcmp(v, "yes"));
}

int64_t config_duration(const config *c, const char *name)
{
    const char *v = config_string(c, name);
    int64_t ms = 0;
    bool negative;
    if (!v || !duration_parse(v, &ms, &negative))
        return 0;
    return ms;
}

yaml_node_t *config_section(config *c, const char *name, yamldoc **doc, diagnostics *d)
{
    if (!c || !c->doc.loaded)
        return NULL;
    c->doc.diag = d;
    *doc = &c->doc;
    return yamldoc_get(&c->doc, yamldoc_root(&c->doc), name);
}

const char *config_file(const config *c)
{
    return c && c->file ? c->file : "";
}

size_t config_agent_count(const config *c)
{
    return c ? c->agent_count : 0;
}

void config_agent_at(const config *c, size_t i, const char **name, const char **value)
{
    *name = c->agent_names[i];
    *value = c->agent_values[i];
}
