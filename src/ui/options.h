/* options: the console's settings in one table (name, type, range, default, help) that the
 * config file's `ui:` section and the command line are checked against. */
#ifndef HUASHU_UI_OPTIONS_H
#define HUASHU_UI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ui_options {
    int ambiguous_width; /* 1 or 2: columns of East Asian Ambiguous characters */
    bool bell;           /* ring the terminal bell on alerts */
    bool color;          /* colours (off when NO_COLOR is set) */
    int escape_delay;    /* ms to wait after Esc for an Alt chord */
    int scrollback;      /* messages kept per conversation in memory */
    int queue_width;     /* columns of the queue in the two-column layout */
    bool osc52;          /* copy with OSC 52 through the terminal */
    int lint_mode;       /* what Enter does with a forbidden phrase: LINT_MODE_* */
} ui_options;

enum { LINT_MODE_WARN, LINT_MODE_CONFIRM, LINT_MODE_BLOCK };

typedef enum ui_option_type {
    UI_OPT_INT,
    UI_OPT_BOOL,
    UI_OPT_ENUM, /* one of choices ("a|b|c"), stored as its index */
} ui_option_type;

typedef struct ui_option_info {
    const char *name;
    ui_option_type type;
    int min, max;
    const char *def;
    const char *help;    /* N_() */
    size_t offset;       /* into ui_options */
    const char *choices; /* UI_OPT_ENUM */
} ui_option_info;

extern const ui_option_info ui_option_table[];
extern const size_t ui_option_count;

/* Every option at its default. */
void ui_options_defaults(ui_options *o);
/* Sets one option from text ("2", "true", "off"); false with a message when the name is
 * unknown or the value out of range. */
bool ui_options_set(ui_options *o, const char *name, const char *value, char *err, size_t errlen);

#endif
