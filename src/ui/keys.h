/* keys: the console's key codes, their names ("F3", "M-h", "C-q", "S-Tab"), the table of
 * actions with their default keys and help, and the keymap a `keys:` config section overrides.
 * Pure: no curses here (input.c translates curses codes). */
#ifndef HUASHU_UI_KEYS_H
#define HUASHU_UI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

#define HK_ALT     0x40000000         /* Alt (Meta) chord flag */
#define HK_SPECIAL 0x00200000         /* above Unicode: named keys */
#define HK_F(n)    (HK_SPECIAL + (n)) /* F1..F24 */
enum {
    HK_ENTER = HK_SPECIAL + 100,
    HK_ESC,
    HK_TAB,
    HK_BTAB,
    HK_BACKSPACE,
    HK_DELETE,
    HK_INSERT,
    HK_UP,
    HK_DOWN,
    HK_LEFT,
    HK_RIGHT,
    HK_HOME,
    HK_END,
    HK_PGUP,
    HK_PGDN,
    HK_PASTE_BEGIN, /* bracketed paste: what comes until HK_PASTE_END is pasted text */
    HK_PASTE_END,
    HK_LAST,
};
#define HK_CTRL(c) ((c)&0x1F)

typedef enum action {
    ACT_NONE,
    ACT_HELP,
    ACT_SEND,
    ACT_CLEAR,
    ACT_NEXT,
    ACT_PREV,
    ACT_USE1, /* ACT_USE1 + n - 1 for suggestion n */
    ACT_USE9 = ACT_USE1 + 8,
    ACT_PICKER,
    ACT_GREETING,
    ACT_HOLD,
    ACT_TRANSFER,
    ACT_COMPLAINT,
    ACT_CLOSING,
    ACT_NAME,
    ACT_ORDER,
    ACT_STOCK,
    ACT_REFRESH,
    ACT_COPY,
    ACT_FIX,
    ACT_QUIT,
    ACT_CALL,
    ACT_SILENT,
    ACT_UNCLEAR,
    ACT_DIALECT,
    ACT_WRONG_NUMBER,
    ACT_NUISANCE,
    ACT_INQUIRY,
    ACT_CONSENT,
    ACT_BACK,
    ACT_HANGUP,
    ACT_SCROLL_UP,
    ACT_SCROLL_DOWN,
    ACT_REDRAW,
    ACT_SUSPEND,
    ACT_FEED_LOG,
    ACT_USE_LADDER, /* the ladder's line, on its own key */
    ACT_UNDO,       /* bring back what Esc cleared */
    ACT_UNSURE,     /* take detection's likeliest state when it was unsure */
    ACT_COUNT,
} action;

typedef struct action_info {
    const char *name;      /* as written in the config's keys: section */
    const char *keys;      /* default keys, space-separated */
    const char *help;      /* N_() text for the help overlay and huashu(1) */
    const char *key_event; /* the engine key this action sends, NULL when none */
} action_info;

extern const action_info action_table[ACT_COUNT];

#define KEYMAP_KEYS 4

typedef struct keymap {
    int keys[ACT_COUNT][KEYMAP_KEYS]; /* 0 = unused slot */
} keymap;

/* Parses one key name; false when it names no key. */
bool keys_parse(const char *name, int *key);
/* Writes the key's name ("M-h", "F3", "?") to out. */
void keys_format(int key, char *out, size_t cap);
/* True for keys that type a character when no modifier is held (letters, digits, '?', '/'). */
bool keys_printable(int key);

void keymap_defaults(keymap *m);
/* Binds action (by name) to a space-separated list of keys, replacing its defaults and taking
 * those keys from any other action. False with a message when a name is unknown. */
bool keymap_set(keymap *m, const char *action_name, const char *keys, char *err, size_t errlen);
/* The action bound to key, ACT_NONE when none. */
action keymap_lookup(const keymap *m, int key);
/* "F3 M-h": the keys of an action, for help and hints. */
void keymap_describe(const keymap *m, action a, char *out, size_t cap);
/* The action with that name, ACT_NONE when unknown. */
action keys_action_by_name(const char *name);
/* Applies the config's keys: section ({hold: "F3 M-h", copy: [M-y, C-y]}) to m; each bad entry
 * goes to d with its position and the others still apply. */
void keymap_load(keymap *m, config *cfg, diagnostics *d);

#endif
