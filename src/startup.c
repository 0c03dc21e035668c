/* startup: config, playbook, engine, agent values, --set (see startup.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "net/paths.h"
#include "startup.h"

bool startup_take(startup_args *a, int id, const char *value)
{
    if (id == STARTUP_CONFIG)
        a->config = value;
    else if (id == STARTUP_PLAYBOOK)
        a->playbook = value;
    else if (!strchr(value, '=')) {
        fprintf(stderr, "huashu: --set wants NAME=VALUE, got \"%s\"\n", value);
        return false;
    } else if (a->set_count == STARTUP_MAX_SETS) {
        fprintf(stderr, "huashu: more than %d --set options\n", STARTUP_MAX_SETS);
        return false;
    } else
        a->sets[a->set_count++] = value;
    return true;
}

bool startup_values(engine *e, const config *cfg, const startup_args *a)
{
    for (size_t i = 0; cfg && i < config_agent_count(cfg); i++) {
        const char *name, *value;
        config_agent_at(cfg, i, &name, &value);
        if (!engine_set_config(e, name, value))
            return false;
    }
    for (int i = 0; i < a->set_count; i++) {
        const char *eq = strchr(a->sets[i], '=');
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - a->sets[i]), a->sets[i]);
        if (!engine_set_config(e, name, eq + 1))
            return false;
    }
    return true;
}

/* The config file; its problems printed or kept. */
static bool open_config(startup *s, const startup_args *a, unsigned flags)
{
    diag_init(&s->problems);
    s->cfg = paths_load_config(a->config, &s->problems);
    if (!(flags & STARTUP_KEEP_CONFIG_PROBLEMS)) {
        fputs(buf_str(&s->problems.text), stderr);
        diag_free(&s->problems);
        diag_init(&s->problems);
    }
    if (!s->cfg)
        fprintf(stderr, "huashu: out of memory\n");
    return s->cfg != NULL;
}

/* The engine with its values; false after a message. */
static bool open_engine(startup *s, const startup_args *a, const playbook *pb)
{
    s->engine = engine_new(pb);
    if (s->engine && startup_values(s->engine, s->cfg, a))
        return true;
    fprintf(stderr, "huashu: out of memory\n");
    return false;
}

bool startup_open(startup *s, const startup_args *a, unsigned flags)
{
    memset(s, 0, sizeof *s);
    if (!open_config(s, a, flags))
        return false;
    diagnostics d;
    diag_init(&d);
    s->pb = paths_choose_playbook(a->playbook, s->cfg, &d);
    if (!(flags & STARTUP_ANY_PLAYBOOK))
        fputs(buf_str(&d.text), stderr);
    diag_free(&d);
    if (!s->pb)
        return (flags & STARTUP_ANY_PLAYBOOK) != 0;
    return (flags & STARTUP_NO_ENGINE) || open_engine(s, a, s->pb);
}

bool startup_open_with(startup *s, const startup_args *a, const playbook *pb, unsigned flags)
{
    memset(s, 0, sizeof *s);
    return open_config(s, a, flags) && open_engine(s, a, pb);
}

void startup_close(startup *s)
{
    engine_free(s->engine);
    playbook_free(s->pb);
    config_free(s->cfg);
    diag_free(&s->problems);
    memset(s, 0, sizeof *s);
}
