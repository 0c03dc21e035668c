/* app: the console's screen. One struct holds everything the panes and the key handlers
 * share; it is passed down to every function (no other global state). One file per pane
 * (queue, chat, suggest, info, compose, status, help), each filling a pane_ops. It draws and
 * handles keys; the loop, the session log, the feed and the lookups are the console layer's
 * (src/console/), which drives it through app_tick, app_render, app_next_wakeup and
 * app_resize and which it reaches only through app_ops. */
#ifndef HUASHU_UI_APP_H
#define HUASHU_UI_APP_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/engine.h"
#include "core/lint.h"
#include "core/queue.h"
#include "core/suggest.h"
#include "ui/keys.h"
#include "ui/options.h"

typedef struct app app;

enum pane_id {
    PANE_QUEUE,
    PANE_CHAT,
    PANE_SUGGEST,
    PANE_INFO,
    PANE_COMPOSE,
    PANE_STATUS,
    PANE_HINT, /* the bundled demo's "how to connect" line (connect.c); no room elsewhere */
    PANE_COUNT
};

typedef struct pane {
    WINDOW *win; /* NULL when the pane has no room in the current layout */
    int y, x, h, w;
    bool dirty;
} pane;

/* What a pane does: tig's view_ops, tmux's window_mode. */
typedef struct pane_ops {
    const char *name;
    void (*draw)(app *a, pane *p);
} pane_ops;

extern const pane_ops queue_pane_ops, chat_pane_ops, suggest_pane_ops, info_pane_ops,
    compose_pane_ops, status_pane_ops, hint_pane_ops;

/* A mode layered on the console (huashu drill, ui/drill_mode.c): it sees every event fed and every
 * engine change, may draw a pane in place of the console's own and an overlay on top, and
 * takes keys first (true when it used the key); it names its next deadline (ENGINE_NEVER when
 * none) and app_tick calls due once the clock reaches it. Its state is app.mode_ctx. */
typedef struct app_mode {
    void (*fed)(app *a, const event *ev);
    void (*changed)(app *a, const conversation *c, int64_t at, unsigned changes);
    const pane_ops *(*pane)(app *a, enum pane_id id); /* NULL: the console's own */
    void (*overlay)(app *a);
    bool (*key)(app *a, int key);
    int64_t (*deadline)(app *a);
    void (*due)(app *a, int64_t now);
} app_mode;

/* Display attributes, colour or (with NO_COLOR) bold/reverse/underline only. */
enum ui_attr {
    ATTR_NORMAL,
    ATTR_HEADER,
    ATTR_SELECTED,
    ATTR_OK,
    ATTR_NEAR,
    ATTR_PAST,
    ATTR_HOLE,
    ATTR_DIM,
    ATTR_CUSTOMER,
    ATTR_AGENT,
    ATTR_KEY,
    ATTR_ALERT,
    ATTR_COUNT
};

typedef enum msg_kind { MSG_CUSTOMER, MSG_AGENT, MSG_SYSTEM, MSG_NOTE } msg_kind;

typedef struct chat_msg {
    int64_t ts;
    int tz;
    msg_kind kind;
    char *text; /* sanitised for display */
} chat_msg;

/* The console's side of one conversation (parallel to engine_at()). */
typedef struct ui_conv {
    chat_msg *msgs; /* ring buffer of at most ui_options.scrollback */
    size_t count, start, cap;
    int64_t last_agent_at;
    int scroll; /* transcript rows scrolled back from the newest */
    buf draft;  /* the compose line, kept per conversation */
    size_t cursor;
    int draft_line; /* playbook line the draft came from, PB_NONE when typed */
    buf undo;       /* the draft Esc last cleared, for undo */
    int undo_line;
} ui_conv;

typedef enum compose_mode {
    COMPOSE_TEXT,   /* writing the draft */
    COMPOSE_ASK,    /* filling a line's missing value in place */
    COMPOSE_PICK,   /* "/" search over the playbook */
    COMPOSE_PROMPT, /* a question in the compose line (name, order number) */
} compose_mode;

typedef enum prompt_kind { PROMPT_NAME, PROMPT_ORDER, PROMPT_STOCK } prompt_kind;

#define PICK_MAX 200

typedef struct compose_state {
    compose_mode mode;
    buf answer; /* what is typed in ASK, PICK and PROMPT modes */
    size_t answer_cursor;
    /* ASK: the line being inserted, around the draft text before and after it */
    int ask_line;
    const char *ask_name; /* placeholder name */
    buf before, after;
    prompt_kind prompt;
    int picks[PICK_MAX];
    size_t pick_count, pick_selected;
} compose_state;

/* How the screen reaches the outside: the clock, the session log, the feed and the lookups,
 * all provided by the console layer (src/console/) with ctx (app.ops_ctx). A NULL member is a
 * thing the console does not have (no feed, no lookups). */
typedef struct app_ops {
    /* The time now on the console's clock (--time-scale, --start). */
    int64_t (*now)(void *ctx);
    /* Writes ev to the session log; false with a message for the status line in err when
     * that failed (NULL: no session log). */
    bool (*record)(void *ctx, const event *ev, char *err, size_t cap);
    /* The feed's write side: called with every line the agent sends, instead of app_feed; it
     * logs the line once it went (or was copied). False keeps it in the compose line. */
    bool (*send)(void *ctx, app *a, event *ev);
    /* Starts fetching kind ("order", "stock") id for conv; the result comes back as a lookup
     * event through app_feed. */
    bool (*lookup)(void *ctx, app *a, const char *kind, const char *conv, const char *id);
    /* Looks the conversation's last lookup up again past the cache. */
    bool (*lookup_refresh)(void *ctx, app *a, const char *conv);
    /* Stops a closed conversation's lookups. */
    void (*lookup_closed)(void *ctx, const char *conv);
    /* The info pane's lookup line (progress, result or error; *alert for errors), or NULL. */
    const char *(*lookup_status)(void *ctx, const char *conv, bool *alert);
    /* The feed's log for the log view. */
    size_t (*feed_log_count)(void *ctx);
    const char *(*feed_log_line)(void *ctx, size_t i);
} app_ops;

struct app {
    app_ops ops;
    void *ops_ctx;
    engine *engine;
    const playbook *pb;
    ui_options opt;
    keymap keys;
    bool manual;           /* phone-desk mode: no feed */
    bool connect_hint;     /* the bundled demo: show how to connect a chat (PANE_HINT) */
    const char *feed_kind; /* "exec", "file"...: the live feed's kind, NULL without one */
    bool feed_sends;       /* the feed sends a line to the chat (else: the clipboard) */
    const char *mode_label;
    bool log_failing; /* the latest session log write failed (and the status line said so) */
    bool on_demo;     /* the events come from a demo file */

    ui_conv *convs; /* parallel to engine_at() */
    size_t conv_count, conv_cap;
    size_t *index_table; /* conversation pointer -> index + 1 (open addressing) */
    size_t index_cap;
    queue_item *queue; /* most urgent first */
    bool queue_stale;  /* events arrived since it was sorted */
    size_t queue_count;
    int selected; /* engine index, -1 when none */
    suggestion shown[SUGGEST_MAX];
    size_t shown_count;
    int shown_for;           /* conversation the shown suggestions are up to date for, -1: stale */
    int shown_conv;          /* conversation the shown suggestions (and their numbers) belong to */
    suggestion ladder_shown; /* the ladder's line, on its own key (0), when ladder_shown_set */
    bool ladder_shown_set;
    int64_t shown_changed_at; /* when the suggestion numbers on screen last changed */
    compose_state compose;
    unsigned call_counter;

    WINDOW *input; /* 1x1, never drawn: keys are read from it */
    pane panes[PANE_COUNT];
    bool single_column;
    int rows, cols;
    attr_t attrs[ATTR_COUNT];
    bool colors; /* colour pairs in use (not with NO_COLOR) */
    bool help_open;
    bool help_shows_log; /* the overlay shows the feed's log instead of the keys */
    int help_scroll;
    WINDOW *help_win;
    bool quit_asked;
    bool pasting;          /* inside a bracketed paste: Enter and Tab are text */
    bool paste_ending;     /* a paste end came: the paste ends once no more input waits */
    buf paste;             /* pasted text not yet put in the compose line */
    size_t paste_left;     /* bytes of this paste that did not fit */
    unsigned char utf8[4]; /* the bytes of a UTF-8 character read so far */
    size_t utf8_len;
    lint *lint;              /* forbidden phrases of the playbook, for the compose line; built
                                at the first check, not before the first frame */
    bool lint_built;         /* lint_new was called (lint stays NULL when it failed) */
    uint64_t lint_confirmed; /* hash of a draft the agent chose to send despite a hit */

    char status[256];
    int64_t status_until;
    bool status_alert;

    bool running;
    bool resize_pending; /* asks the console layer for app_resize */
    bool bell_pending;
    bool full_redraw;
    bool suspend_pending; /* asks the console layer to suspend (app_suspend, app_resume) */
    int64_t shown_second; /* the clock second on screen */
    int tz_offset;        /* local, minutes east of UTC */
    int64_t started_mono_us;
    bool first_frame_done;
    double first_frame_ms;
    int exit_status;
    int bench_frames; /* --bench: redraw this many times once the demo is in, then quit */
    double bench_redraw_ms, bench_repaint_ms;
    int clip_pids[4];   /* clipboard helpers still to be reaped */
    int tmux_clipboard; /* tmux's set-clipboard: 0 not asked yet, 1 passes OSC 52, 2 drops it */
    /* a mode on top of the console (huashu drill), NULL in the plain console; its state */
    const app_mode *mode;
    void *mode_ctx;
};

/* app.c */
/* Takes the terminal (curses, bracketed paste) and watches the engine; false on failure. */
bool app_init(app *a);
void app_free(app *a);
/* Runs what is due at now: the mode's deadline, the engine's timers, the clock on screen. */
void app_tick(app *a, int64_t now);
/* Draws the panes marked dirty (and the help on top), then one doupdate(). */
void app_render(app *a);
/* When app_tick is next needed: the next clock second, engine deadline, mode deadline or end of
 * a status message. */
int64_t app_next_wakeup(const app *a, int64_t now);
/* Applies the terminal's current size. */
void app_resize(app *a);
/* Gives the terminal back before the process stops (SIGTSTP); app_resume takes it again. */
void app_suspend(app *a);
void app_resume(app *a);
/* --bench: times full redraws of every pane into bench_redraw_ms and bench_repaint_ms. */
void app_bench(app *a);
/* Logs ev, feeds it to the engine and the transcript. False when the engine refused it. */
bool app_feed(app *a, event *ev);
/* The current time on the loop's clock. */
int64_t app_now(const app *a);
ui_conv *app_conv(app *a, int index);
const conversation *app_selected(const app *a);
/* Shows a message in the status line for a few seconds. */
void app_message(app *a, bool alert, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void app_mark(app *a, enum pane_id id);
void app_mark_all(app *a);
/* Recomputes the queue order at now. */
void app_queue_update(app *a, int64_t now);
/* Selects conversation index (or -1), leaving any prompt. */
void app_select(app *a, int index);
#define SHOWN_GRACE_MS 1500 /* suggestion numbers stay put this long after they changed */

/* Recomputes the suggestions shown for the selected conversation. */
void app_suggestions_update(app *a);
size_t app_open_count(const app *a);

/* layout.c */
void layout_apply(app *a, int rows, int cols);
void layout_free(app *a);

/* draw.c */
void draw_init_attrs(app *a);
/* Draws at most cols columns of s at y, x, never splitting or wrapping a glyph; returns the
 * columns used. */
int draw_text(app *a, WINDOW *w, int y, int x, const char *s, size_t len, int cols, int attr);
/* Like draw_text, but ends with ".." when s does not fit. */
int draw_text_cut(app *a, WINDOW *w, int y, int x, const char *s, size_t len, int cols, int attr);
void draw_fill(app *a, WINDOW *w, int y, int x, int cols, int attr);
/* A pane's title bar: title on the left, right-aligned extra text. */
void draw_header(app *a, pane *p, const char *title, const char *right);
size_t draw_width(const app *a, const char *s, size_t len);
/* "m:ss" (or "h:mm:ss") of a duration in ms. */
void draw_duration(int64_t ms, char *out, size_t cap);
/* "HH:MM:SS" of a time at a UTC offset. */
void draw_clock(int64_t ms, int tz, char *out, size_t cap);

/* input.c */
void input_on_ready(void *ctx, int fd, short revents);
/* Puts the pasted text gathered so far in the compose line; ends a paste whose end marker
 * came. Called once the input waiting has been read. */
void input_paste_flush(app *a);
/* Handles one key (already translated to an HK_ code). */
void input_key(app *a, int key);

/* actions.c */
void action_run(app *a, action act);
/* Puts playbook line `line` into the compose line, asking in place for missing values. */
void action_insert_line(app *a, int line);
/* Sends a key event (hold, transfer...) for the selected conversation. */
bool action_key_event(app *a, const char *key);

/* compose.c */
bool compose_empty(const app *a);
/* Handles a key while the compose line is asking, searching or prompting; true when used. */
bool compose_mode_key(app *a, int key);
/* Edits the draft with key (typing, cursor movement); true when used. */
bool compose_edit_key(app *a, int key);
/* Inserts pasted text (made one line) where the agent is typing; returns the bytes that did
 * not fit under the line's limit. */
size_t compose_paste(app *a, const char *text, size_t len);
/* Says how much of a paste did not fit (nothing when left is 0). */
void compose_paste_cut(app *a, size_t left);
void compose_cancel(app *a);
void compose_start_ask(app *a, int line, const char *before, const char *after);
void compose_start_pick(app *a);
void compose_start_prompt(app *a, prompt_kind kind, const char *initial);
/* True when text still holds a raw {placeholder} or a 【label】 hole of the playbook. */
bool compose_has_hole(const app *a, const char *text, char *what, size_t cap);
/* The forbidden phrase of the selected draft the agent is most likely at (the one under or
 * before the cursor, else the first); false when the draft has none. */
bool compose_lint_hit(app *a, lint_hit *hit);
/* Replaces that phrase with its better wording; false when there is nothing to replace. */
bool compose_lint_fix(app *a);

/* help.c */
void help_draw(app *a);
bool help_key(app *a, int key);

/* connect.c */
/* Rows of the help overlay's "connect your chat" section. */
int connect_help_rows(const app *a);
/* Row r of that section: a key-column label and the text. */
void connect_help_row(const app *a, int r, char *label, size_t lcap, char *text, size_t tcap);

/* clipboard.c */
/* Copies text with OSC 52 (and wl-copy / xclip when a display is known); false on failure. */
bool clipboard_copy(app *a, const char *text);
/* True when a copy went only by OSC 52 into a tmux whose set-clipboard option (not "on")
 * keeps it from the desktop; tmux is asked once. */
bool clipboard_dropped(app *a);
/* Reaps clipboard helpers that have finished. */
void clipboard_reap(app *a);

#endif
