/* text: UTF-8 decoding, sanitising and display width. Every pane cuts and wraps with these. */
#ifndef HUASHU_TEXT_H
#define HUASHU_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define TEXT_REPLACEMENT 0xFFFDu

/* Decodes one code point strictly (no overlongs, no surrogates, <= U+10FFFF).
 * Returns the bytes consumed (>= 1); invalid input yields U+FFFD and consumes 1 byte. */
size_t text_decode(const char *s, size_t len, uint32_t *cp);
/* True when s[0..len) is valid UTF-8. */
bool text_valid_utf8(const char *s, size_t len);
/* Appends cp encoded as UTF-8. */
void text_encode(buf *out, uint32_t cp);

/* Display columns of one code point: 0 (combining, controls), 1 or 2.
 * ambiguous_wide counts East Asian Ambiguous characters (“ ” … · ①) as 2. */
int text_cp_width(uint32_t cp, bool ambiguous_wide);
/* Display columns of a UTF-8 string. */
size_t text_width(const char *s, size_t len, bool ambiguous_wide);

/* How many bytes of s fit in max_cols columns without splitting a character;
 * *cols receives the columns they take. Zero-width marks stay with their base. */
size_t text_fit(const char *s, size_t len, size_t max_cols, bool ambiguous_wide, size_t *cols);

/* Appends a display-safe copy of s: invalid UTF-8 → U+FFFD, tab → space, C0 (except \n when
 * keep_newlines), DEL, C1, ESC sequences, bidi controls, U+2028/9, BOM, interlinear annotation,
 * tag characters removed; at most 4 combining marks per base character. */
void text_sanitize(buf *out, const char *s, size_t len, bool keep_newlines);

/* text_sanitize of the string s (no newlines kept) into dst, at most cap - 1 bytes, cut
 * between characters, NUL-terminated; returns the length. Allocates nothing. */
size_t text_sanitize_into(char *dst, size_t cap, const char *s);

/* Byte length of the next line when wrapping s to width columns: breaks at spaces or between
 * wide characters, never splits a character, never starts a line with closing punctuation
 * (，。！？、；：)」』 …). *next receives where the following line starts (spaces skipped). */
size_t text_wrap_line(const char *s, size_t len, size_t width, bool ambiguous_wide, size_t *next);

/* True for what a terminal must never receive as text: DEL, C1 controls, bidi controls,
 * invisible format characters (soft hyphen, zero-width space, word joiner, BOM), line and
 * paragraph separators, interlinear annotation and tag characters. */
bool text_is_format_cp(uint32_t cp);

/* Appends s for a line of plain CLI output (text reports, stderr diagnostics): controls as
 * \n \t \r \xNN, invalid UTF-8 bytes as \xNN, format characters as \u{XXXX}; the rest as is. */
void text_escape(buf *out, const char *s, size_t len);
/* text_escape of the string s into dst (cap bytes, cut between characters); returns dst. */
const char *text_escape_into(char *dst, size_t cap, const char *s);

/* Appends s as one CSV field: escaped as text_escape does, quoted when it holds a comma, a quote
 * or outer spaces, and, when it starts with = + - @, quoted with a leading ' so spreadsheets
 * show it as text instead of running it as a formula (OWASP's CSV injection rule). */
void text_csv_field(buf *out, const char *s, size_t len);

/* True when cp is a CJK ideograph, kana or hangul (a place where lines may break). */
bool text_is_cjk(uint32_t cp);

#endif
