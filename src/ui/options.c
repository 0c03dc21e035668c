#include "ui/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intl.h"

#define OPTION(field) offsetof(ui_options, field)

const ui_option_info ui_option_table[] = {
    {"ambiguous_width", UI_OPT_INT, 1, 2, "1",
     N_("Columns of East Asian Ambiguous characters (“ ” … ①): 1 or 2"), OPTION(ambiguous_width),
     NULL},
    {"bell", UI_OPT_BOOL, 0, 1, "true", N_("Ring the terminal bell on the 25 s / 30 s alerts"),
     OPTION(bell), NULL},
    {"color", UI_OPT_BOOL, 0, 1, "true",
     N_("Use colours (NO_COLOR in the environment turns them off)"), OPTION(color), NULL},
    {"escape_delay", UI_OPT_INT, 0, 1000, "25",
     N_("Milliseconds after Esc within which a key makes an Alt chord"), OPTION(escape_delay),
     NULL},
    {"scrollback", UI_OPT_INT, 10, 100000, "1000",
     N_("Messages kept in memory per conversation (the session log keeps all)"), OPTION(scrollback),
     NULL},
    {"queue_width", UI_OPT_INT, 16, 80, "30", N_("Columns of the conversation queue"),
     OPTION(queue_width), NULL},
    {"osc52", UI_OPT_BOOL, 0, 1, "true",
     N_("Copy to the clipboard with OSC 52 through the terminal"), OPTION(osc52), NULL},
    {"lint_mode", UI_OPT_ENUM, 0, 2, "confirm",
     N_("What Enter does with a forbidden phrase: warn, confirm or block"), OPTION(lint_mode),
     "warn|confirm|block"},
};
const size_t ui_option_count = sizeof ui_option_table / sizeof ui_option_table[0];

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0)
            return *out = true, true;
        if (strcmp(v, no[i]) == 0)
            return *out = false, true;
    }
    return false;
}

/* The index of value among choices ("a|b|c"), -1 when it is not one of them. */
static int choice_index(const char *choices, const char *value)
{
    size_t n = strlen(value);
    int i = 0;
    for (const char *p = choices; p; i++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !strncmp(p, value, n))
            return i;
        p = bar ? bar + 1 : NULL;
    }
    return -1;
}

/* Stores value into the option described by info; false with a message when it does not fit. */
static bool store(ui_options *o, const ui_option_info *info, const char *value, char *err,
                  size_t errlen)
{
    char *field = (char *)o + info->offset;
    if (info->type == UI_OPT_BOOL) {
        bool b;
        if (!parse_bool(value, &b)) {
            snprintf(err, errlen, "%s: want true or false, got \"%s\"", info->name, value);
            return false;
        }
        memcpy(field, &b, sizeof b);
        return true;
    }
    if (info->type == UI_OPT_ENUM) {
        int i = choice_index(info->choices, value);
        if (i < 0) {
            snprintf(err, errlen, "%s: want one of %s, got \"%s\"", info->name, info->choices,
                     value);
            return false;
        }
        memcpy(field, &i, sizeof i);
        return true;
    }
    char *end;
    long n = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || n < info->min || n > info->max) {
        snprintf(err, errlen, "%s: want a number from %d to %d, got \"%s\"", info->name, info->min,
                 info->max, value);
        return false;
    }
    int v = (int)n;
    memcpy(field, &v, sizeof v);
    return true;
}

void ui_options_defaults(ui_options *o)
{
    char err[128];
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < ui_option_count; i++)
        store(o, &ui_option_table[i], ui_option_table[i].def, err, sizeof err);
}

bool ui_options_set(ui_options *o, const char *name, const char *value, char *err, size_t errlen)
{
    for (size_t i = 0; i < ui_option_count; i++)
        if (strcmp(ui_option_table[i].name, name) == 0)
            return store(o, &ui_option_table[i], value, err, errlen);
    snprintf(err, errlen, "unknown ui option \"%s\"", name);
    return false;
}
