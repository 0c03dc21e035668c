/* linematch: whether a reply carries a playbook line, said in the agent's own way. A drill's
 * `line:` expectation (huashu-drill(5)) is met by what was said, not by how it was produced:
 * a message that still carries the line's words counts, a suggestion edited into another
 * sentence does not, whatever line id it carries.
 *
 * A reply carries a line when
 *   - every value the line's placeholders were filled with for this conversation (the
 *     company, the agent number, the customer's surname, the order's status...) appears in
 *     it: these are the line's key phrases, and
 *   - its similarity to the filled line reaches a threshold: the share of the line's words
 *     (a Chinese character, a Latin word or a number each count as one) found in the reply,
 *     averaged with the share of its pairs of neighbouring words found side by side in it,
 *     punctuation and spaces ignored, Latin letters in any case.
 * Extra words in the reply (an inserted surname, the order's details) never lower it. Pure. */
#ifndef HUASHU_LINEMATCH_H
#define HUASHU_LINEMATCH_H

#include <stdbool.h>

#define LINEMATCH_THRESHOLD 50 /* percent, the default of a drill's scoring: similarity */

/* 0-100: how much of line (filled text) the reply carries, as above; 100 when it contains it
 * whole. A line without words gives 0. */
int linematch_similarity(const char *line, const char *reply);

/* True when every placeholder value of the filled line (what template's {name}s became in
 * filled) appears in reply. A placeholder left unfilled ("【label】") is no key phrase. */
bool linematch_values(const char *template, const char *filled, const char *reply);

/* Both tests: the values, and a similarity of at least threshold percent. */
bool linematch_carries(const char *template, const char *filled, const char *reply, int threshold);

#endif
