/* yamldoc: a loaded YAML document with source positions, and file:line:col diagnostics.
 * Shared by the playbook, drill and config loaders. */
#ifndef HUASHU_YAMLDOC_H
#define HUASHU_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "core/buf.h"

/* Collected problems, one "file:line:col: message" line each. */
typedef struct diagnostics {
    buf text;
    int count;
} diagnostics;

void diag_init(diagnostics *d);
void diag_free(diagnostics *d);
void diag_add(diagnostics *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Orders the collected lines by file, line and column. */
void diag_sort(diagnostics *d);

typedef struct yamldoc {
    yaml_document_t doc;
    bool loaded;
    const char *file;
    diagnostics *diag;
} yamldoc;

/* Parses data; on a syntax error reports it and returns false. */
bool yamldoc_load(yamldoc *y, const char *file, const char *data, size_t len, diagnostics *d);
void yamldoc_free(yamldoc *y);
yaml_node_t *yamldoc_root(yamldoc *y);
/* Reports a problem at node's position. */
void yamldoc_error(yamldoc *y, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Mapping entry lookup by key; NULL when absent or when map is not a mapping. */
yaml_node_t *yamldoc_get(yamldoc *y, yaml_node_t *map, const char *key);
/* The i-th key/value of a mapping (false past the end). */
bool yamldoc_pair(yamldoc *y, yaml_node_t *map, size_t i, yaml_node_t **key, yaml_node_t **value);
/* The i-th item of a sequence, NULL past the end. */
yaml_node_t *yamldoc_item(yamldoc *y, yaml_node_t *seq, size_t i);
/* Scalar text (NUL-terminated by libyaml), NULL when node is not a scalar. */
const char *yamldoc_scalar(const yaml_node_t *node);

/* Typed accessors: report a located error and return false when the node has another type. */
bool yamldoc_expect_map(yamldoc *y, yaml_node_t *node, const char *what);
bool yamldoc_expect_seq(yamldoc *y, yaml_node_t *node, const char *what);
bool yamldoc_expect_scalar(yamldoc *y, yaml_node_t *node, const char *what);
/* Reports keys given twice in map (libyaml accepts them); false when there were any. */
bool yamldoc_check_duplicates(yamldoc *y, yaml_node_t *map, const char *what);
/* Rejects keys of map not in the NULL-terminated list `known` (typo protection), and keys
 * given twice. */
void yamldoc_check_keys(yamldoc *y, yaml_node_t *map, const char *const *known, const char *what);
/* Parses a boolean scalar (true/false/yes/no). */
bool yamldoc_bool(yamldoc *y, yaml_node_t *node, bool *out);

/* Parses a duration: integer seconds, or a number with s/m/h/d. Returns false when the text is
 * not of that form (so callers can try a settings name); *negative is set for values < 0. */
bool duration_parse(const char *s, int64_t *ms, bool *negative);

#endif
