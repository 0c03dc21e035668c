/* textfold: customer text made comparable before matching: platform noise removed (regular
 * expressions), full-width forms folded to ASCII, ASCII lowercased, characters of one script
 * mapped onto the other (Traditional onto Simplified, from a table the caller fills, e.g.
 * from OpenCC), whitespace collapsed. */
#ifndef HUASHU_TEXTFOLD_H
#define HUASHU_TEXTFOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

typedef struct textfold textfold;

textfold *textfold_new(void);
void textfold_free(textfold *tf);
/* Maps code point from onto to (a Traditional character onto its Simplified form). */
bool textfold_map(textfold *tf, uint32_t from, uint32_t to);
/* The mapping of c (c itself when none). */
uint32_t textfold_char(const textfold *tf, uint32_t c);
/* Adds a noise pattern (POSIX extended regular expression); false when it does not compile. */
bool textfold_noise(textfold *tf, const char *pattern);
/* Appends the folded text to out: noise removed, widths, case and script folded, runs of
 * whitespace made one space, leading and trailing space dropped. */
void textfold_apply(const textfold *tf, const char *text, size_t len, buf *out);
/* The same without the noise patterns (for text the playbook itself gives). */
void textfold_plain(const textfold *tf, const char *text, size_t len, buf *out);

/* Decodes one UTF-8 character at s (len > 0); *n gets its length (1 for a bad byte). */
uint32_t textfold_decode(const char *s, size_t len, size_t *n);
/* Appends c as UTF-8. */
void textfold_encode(buf *out, uint32_t c);

#endif
