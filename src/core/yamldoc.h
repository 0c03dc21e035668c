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
    void *image_nodes; /* loaded from an image: the one block holding the nodes, else NULL */
    const char *file;
    diagnostics *diag;
} yamldoc;

/* Parses data; on a syntax error reports it and returns false. */
bool yamldoc_load(yamldoc *y, const char *file, const char *data, size_t len, diagnostics *d);
void yamldoc_free(yamldoc *y);

/* Images: a loaded document as one flat block of bytes (huashu's own layout, with the text it
 * was parsed from), so that the same text is loaded again without the YAML parser: libyaml
 * is most of a playbook's load time, and the playbook is most of start-up. */

/* Appends the image of y, loaded from data[0..len), to out; false when it cannot be made (a
 * value beyond 32 bits, out of memory). */
bool yamldoc_image(const yamldoc *y, const char *data, size_t len, buf *out);
/* Loads the document of image when it is a well-formed image of exactly data[0..len) in this
 * build's layout: then y is as yamldoc_load would have made it (nodes, values, styles, tags,
 * marks) and true. False, y empty and nothing said, when it is anything else. */
bool yamldoc_load_image(yamldoc *y, const char *file, const char *data, size_t len,
                        const char *image, size_t image_len, diagnostics *d);

/* Where images are kept between runs (the edge's files; core only calls these). */
typedef struct yamldoc_cache {
    /* the image stored for file, malloc'd, its size in *len; NULL when none */
    char *(*get)(void *ctx, const char *file, size_t *len);
    /* stores image for file, replacing any; failures are ignored */
    void (*put)(void *ctx, const char *file, const char *image, size_t len);
    void *ctx;
} yamldoc_cache;

/* yamldoc_load through cache (NULL: none): the stored image of file when it was made from
 * this very text, else the parser, and then the new image is stored. */
bool yamldoc_load_cached(yamldoc *y, const char *file, const char *data, size_t len, diagnostics *d,
                         const yamldoc_cache *cache);
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
