#include "ui/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"
#include "intl.h"

/* Printable keys (?, /, digits) act only when the compose line is empty; otherwise they type. */
const action_info action_table[ACT_COUNT] = {
    [ACT_NONE] = {"none", "", "", NULL},
    [ACT_HELP] = {"help", "F1 ?", N_("Show or hide this help"), NULL},
    [ACT_SEND] = {"send", "Enter", N_("Send the compose line"), NULL},
    [ACT_CLEAR] =
        {"clear", "Esc",
         N_("Dismiss a warning, close a prompt, else clear the compose line (M-z undoes)"), NULL},
    [ACT_NEXT] = {"next", "Tab", N_("Next conversation (most urgent first)"), NULL},
    [ACT_PREV] = {"prev", "S-Tab", N_("Previous conversation"), NULL},
    [ACT_USE1] = {"use1", "M-1 1", N_("Put suggestion 1 in the compose line"), NULL},
    [ACT_USE1 + 1] = {"use2", "M-2 2", N_("Put suggestion 2 in the compose line"), NULL},
    [ACT_USE1 + 2] = {"use3", "M-3 3", N_("Put suggestion 3 in the compose line"), NULL},
    [ACT_USE1 + 3] = {"use4", "M-4 4", N_("Put suggestion 4 in the compose line"), NULL},
    [ACT_USE1 + 4] = {"use5", "M-5 5", N_("Put suggestion 5 in the compose line"), NULL},
    [ACT_USE1 + 5] = {"use6", "M-6 6", N_("Put suggestion 6 in the compose line"), NULL},
    [ACT_USE1 + 6] = {"use7", "M-7 7", N_("Put suggestion 7 in the compose line"), NULL},
    [ACT_USE1 + 7] = {"use8", "M-8 8", N_("Put suggestion 8 in the compose line"), NULL},
    [ACT_USE9] = {"use9", "M-9 9", N_("Put suggestion 9 in the compose line"), NULL},
    [ACT_PICKER] = {"picker", "/ M-/", N_("Search every line of the playbook"), NULL},
    [ACT_GREETING] = {"greeting", "F2 M-g", N_("Greeting"), "greeting"},
    [ACT_HOLD] = {"hold", "F3 M-h", N_("Hold on / off"), "hold"},
    [ACT_TRANSFER] = {"transfer", "F4 M-t", N_("Transfer"), "transfer"},
    [ACT_COMPLAINT] = {"complaint", "F5 M-c", N_("Complaint"), "complaint"},
    [ACT_CLOSING] = {"closing", "F6 M-e", N_("Closing"), "closing"},
    [ACT_NAME] = {"name", "F7 M-n", N_("Record the customer's name and title"), NULL},
    [ACT_ORDER] = {"order", "F8 M-o", N_("Order lookup"), NULL},
    [ACT_STOCK] = {"stock", "F9 M-k", N_("Stock lookup"), NULL},
    [ACT_REFRESH] = {"refresh", "M-f", N_("Look the last order or stock up again, past the cache"),
                     NULL},
    [ACT_COPY] = {"copy", "M-y", N_("Copy the current line to the clipboard"), NULL},
    [ACT_FIX] = {"fix", "M-v", N_("Replace a forbidden phrase with the better wording"), NULL},
    [ACT_QUIT] = {"quit", "F10 C-q C-c", N_("Quit (asks when chats are open)"), NULL},
    [ACT_CALL] = {"call", "F12 M-p", N_("Open a new phone call"), NULL},
    [ACT_SILENT] = {"silent", "M-s", N_("Mark: silent line"), "silent"},
    [ACT_UNCLEAR] = {"unclear", "M-u", N_("Mark: can't hear the customer"), "unclear"},
    [ACT_DIALECT] = {"dialect", "M-d", N_("Mark: dialect"), "dialect"},
    [ACT_WRONG_NUMBER] = {"wrong_number", "M-w", N_("Mark: wrong number"), "wrong_number"},
    [ACT_NUISANCE] = {"nuisance", "M-r", N_("Mark: nuisance call"), "nuisance"},
    [ACT_INQUIRY] = {"inquiry", "M-i", N_("Mark: the customer is explaining"), "inquiry"},
    [ACT_CONSENT] = {"consent", "M-a", N_("Mark: the customer agrees (transfer)"), "consent"},
    [ACT_BACK] = {"back", "M-b", N_("Back to the previous state"), "back"},
    [ACT_HANGUP] = {"hangup", "M-x", N_("End the conversation (hang up)"), NULL},
    [ACT_SCROLL_UP] = {"scroll_up", "PgUp", N_("Scroll the transcript up"), NULL},
    [ACT_SCROLL_DOWN] = {"scroll_down", "PgDn", N_("Scroll the transcript down"), NULL},
    [ACT_REDRAW] = {"redraw", "C-l", N_("Redraw the screen"), NULL},
    [ACT_SUSPEND] = {"suspend", "C-z", N_("Suspend to the shell"), NULL},
    [ACT_FEED_LOG] = {"feed_log", "F11 M-l", N_("The feed's log: bad lines, bridge stderr, drops"),
                      NULL},
    [ACT_USE_LADDER] = {"use0", "M-0 0",
                        N_("Put the ladder's timed line (0) in the compose line; Enter on an empty "
                           "compose line does too"),
                        NULL},
    [ACT_UNDO] = {"undo", "M-z", N_("Bring back the compose line Esc cleared"), NULL},
    [ACT_UNSURE] = {"unsure", "M-j",
                    N_("Take the likeliest state when detection was unsure (info: unsure: ...?)"),
                    NULL},
};

typedef struct named_key {
    const char *name;
    int key;
} named_key;

static const named_key named_keys[] = {
    {"Enter", HK_ENTER},      {"Esc", HK_ESC},    {"Tab", HK_TAB},     {"S-Tab", HK_BTAB},
    {"BSpace", HK_BACKSPACE}, {"Del", HK_DELETE}, {"Ins", HK_INSERT},  {"Up", HK_UP},
    {"Down", HK_DOWN},        {"Left", HK_LEFT},  {"Right", HK_RIGHT}, {"Home", HK_HOME},
    {"End", HK_END},          {"PgUp", HK_PGUP},  {"PgDn", HK_PGDN},   {"Space", ' '},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* A key name without modifiers: a named key, F1..F24 or one character. */
static bool parse_base(const char *name, int *key)
{
    for (size_t i = 0; i < COUNT(named_keys); i++) {
        if (ieq(name, named_keys[i].name)) {
            *key = named_keys[i].key;
            return true;
        }
    }
    if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (*end == '\0' && n >= 1 && n <= 24) {
            *key = HK_F(n);
            return true;
        }
    }
    size_t len = strlen(name);
    uint32_t cp;
    if (len == 0 || text_decode(name, len, &cp) != len || cp < 0x21 || cp == TEXT_REPLACEMENT)
        return false;
    *key = (int)cp;
    return true;
}

bool keys_parse(const char *name, int *key)
{
    if ((name[0] == 'M' || name[0] == 'A') && name[1] == '-' && name[2]) {
        if (!parse_base(name + 2, key))
            return false;
        *key |= HK_ALT;
        return true;
    }
    if (name[0] == 'C' && name[1] == '-' && name[2] && !name[3]) {
        char c = name[2];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c < 'a' || c > 'z')
            return false;
        *key = HK_CTRL(c);
        return true;
    }
    return parse_base(name, key);
}

void keys_format(int key, char *out, size_t cap)
{
    const char *alt = key & HK_ALT ? "M-" : "";
    int base = key & ~HK_ALT;
    for (size_t i = 0; i < COUNT(named_keys); i++) {
        if (named_keys[i].key == base) {
            snprintf(out, cap, "%s%s", alt, named_keys[i].name);
            return;
        }
    }
    if (base >= HK_F(1) && base <= HK_F(24)) {
        snprintf(out, cap, "%sF%d", alt, base - HK_SPECIAL);
    } else if (base > 0 && base < 0x20) {
        snprintf(out, cap, "%sC-%c", alt, (char)(base + 'a' - 1));
    } else {
        buf b;
        buf_init(&b);
        text_encode(&b, (uint32_t)base);
        snprintf(out, cap, "%s%s", alt, buf_str(&b));
        buf_free(&b);
    }
}

bool keys_printable(int key)
{
    return key >= 0x20 && key < HK_SPECIAL && key != 0x7F;
}

action keys_action_by_name(const char *name)
{
    for (int a = 1; a < ACT_COUNT; a++)
        if (strcmp(action_table[a].name, name) == 0)
            return (action)a;
    return ACT_NONE;
}

/* Removes key from every action. */
static void unbind(keymap *m, int key)
{
    for (int a = 0; a < ACT_COUNT; a++)
        for (int k = 0; k < KEYMAP_KEYS; k++)
            if (m->keys[a][k] == key)
                m->keys[a][k] = 0;
}

/* Binds the space-separated keys to a; false naming the first bad key in err. */
static bool bind_list(keymap *m, action a, const char *list, char *err, size_t errlen)
{
    int parsed[KEYMAP_KEYS] = {0}, n = 0;
    char word[32];
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == 0)
            break;
        snprintf(word, sizeof word, "%.*s", (int)len, p);
        p += len;
        int key;
        if (!keys_parse(word, &key)) {
            snprintf(err, errlen, "unknown key \"%s\" for %s", word, action_table[a].name);
            return false;
        }
        if (n < KEYMAP_KEYS)
            parsed[n++] = key;
    }
    for (int k = 0; k < n; k++)
        unbind(m, parsed[k]);
    for (int k = 0; k < KEYMAP_KEYS; k++)
        m->keys[a][k] = parsed[k];
    return true;
}

void keymap_defaults(keymap *m)
{
    memset(m, 0, sizeof *m);
    char err[64];
    for (int a = 1; a < ACT_COUNT; a++)
        bind_list(m, (action)a, action_table[a].keys, err, sizeof err);
}

bool keymap_set(keymap *m, const char *action_name, const char *keys, char *err, size_t errlen)
{
    action a = keys_action_by_name(action_name);
    if (a == ACT_NONE) {
        snprintf(err, errlen, "unknown action \"%s\"", action_name);
        return false;
    }
    return bind_list(m, a, keys, err, errlen);
}

action keymap_lookup(const keymap *m, int key)
{
    if (key == 0)
        return ACT_NONE;
    for (int a = 1; a < ACT_COUNT; a++)
        for (int k = 0; k < KEYMAP_KEYS; k++)
            if (m->keys[a][k] == key)
                return (action)a;
    return ACT_NONE;
}

void keymap_describe(const keymap *m, action a, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (int k = 0; k < KEYMAP_KEYS && used + 1 < cap; k++) {
        if (!m->keys[a][k])
            continue;
        char name[32];
        keys_format(m->keys[a][k], name, sizeof name);
        int n = snprintf(out + used, cap - used, "%s%s", used ? " " : "", name);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
}

/* The keys of one keys: entry, a "F3 M-h" string or a list; false when neither. */
static bool key_list(yamldoc *doc, yaml_node_t *v, buf *out)
{
    if (yamldoc_scalar(v)) {
        buf_puts(out, yamldoc_scalar(v));
        return true;
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return false;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(doc, v, i)); i++) {
        if (!yamldoc_scalar(item))
            return false;
        buf_printf(out, "%s%s", i ? " " : "", yamldoc_scalar(item));
    }
    return true;
}

void keymap_load(keymap *m, config *cfg, diagnostics *d)
{
    yamldoc *doc = NULL;
    yaml_node_t *map = config_section(cfg, "keys", &doc, d);
    if (!map || !yamldoc_expect_map(doc, map, "keys"))
        return;
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(doc, map, i, &k, &v); i++) {
        const char *name = yamldoc_scalar(k);
        buf list;
        buf_init(&list);
        char err[160];
        if (!name || !key_list(doc, v, &list))
            yamldoc_error(doc, v, "keys: each entry is an action and its keys (\"F3 M-h\")");
        else if (!keymap_set(m, name, buf_str(&list), err, sizeof err))
            yamldoc_error(doc, v, "keys: %s", err);
        buf_free(&list);
    }
}
