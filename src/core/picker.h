/* picker: search every line of a playbook by short code or words, like a help desk's
 * canned-response picker. Pure. */
#ifndef HUASHU_PICKER_H
#define HUASHU_PICKER_H

#include <stddef.h>

#include "core/playbook.h"

/* Writes to out (at most max) the indexes of the lines matching query, best first: an exact
 * short code, then a code prefix, then line or state ids and labels, then the text. Every
 * space-separated word of the query must match (ASCII case-insensitively). An empty query
 * matches every line in playbook order. Returns how many were written. */
size_t picker_search(const playbook *pb, const char *query, int *out, size_t max);

#endif
