/* lineedit: one line of UTF-8 text being edited at a cursor (the compose line, its questions
 * and "/" search). Pure: glyph-wise cursor moves (combining marks stay with their base), word
 * moves, edits, pasted text made into one line, and the scroll start that keeps the cursor in
 * view. Every operation costs the same whatever the line's length, except for moving the
 * bytes after the cursor (a memmove) on inserts and deletes. */
#ifndef HUASHU_LINEEDIT_H
#define HUASHU_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* The most the compose line holds (bytes); a paste past it is cut, with a message. */
#define LINEEDIT_MAX (1u << 20)

typedef enum lineedit_op {
    LINEEDIT_LEFT,       /* one glyph back */
    LINEEDIT_RIGHT,      /* one glyph on */
    LINEEDIT_HOME,       /* start of the line */
    LINEEDIT_END,        /* end of the line */
    LINEEDIT_WORD_LEFT,  /* start of this or the previous word */
    LINEEDIT_WORD_RIGHT, /* end of this or the next word */
    LINEEDIT_BACKSPACE,  /* the glyph before the cursor */
    LINEEDIT_DELETE,     /* the glyph at the cursor */
    LINEEDIT_KILL_START, /* everything before the cursor */
    LINEEDIT_KILL_END,   /* everything from the cursor on */
    LINEEDIT_KILL_WORD,  /* the word before the cursor (and the spaces after it) */
} lineedit_op;

/* Start of the glyph before cur (0 at the start). */
size_t lineedit_prev(const char *s, size_t len, size_t cur);
/* Start of the glyph after the one at cur (len at the end). */
size_t lineedit_next(const char *s, size_t len, size_t cur);
/* Start of the word before cur: spaces first, then the word. */
size_t lineedit_word_start(const char *s, size_t cur);
/* End of the word at or after cur: spaces first, then the word. */
size_t lineedit_word_end(const char *s, size_t len, size_t cur);

/* Applies op to the line b with its cursor *cur (kept on a glyph start, within b). */
void lineedit_apply(buf *b, size_t *cur, lineedit_op op);

/* Inserts n bytes of s at *cur and moves the cursor past them, as one line: line breaks and
 * tabs become spaces, other controls, escape sequences, bidi and format characters and invalid
 * bytes are dropped (text_sanitize). Stops at a whole character before the line would exceed
 * max bytes (0: LINEEDIT_MAX). Returns how many bytes of the cleaned text did not fit (0 when
 * all went in); false in *failed when memory ran out. */
size_t lineedit_insert(buf *b, size_t *cur, const char *s, size_t n, size_t max, bool *failed);

/* The first byte to show so that the text up to cursor fits in cols columns (the cursor on
 * the last column when the line is longer): found by walking back from the cursor, so it costs
 * what is on screen, never what lies before it. */
size_t lineedit_scroll_start(const char *s, size_t len, size_t cursor, size_t cols,
                             bool ambiguous_wide);

#endif
