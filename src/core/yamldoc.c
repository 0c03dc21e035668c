#include "core/yamldoc.h"

#include "core/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_init(diagnostics *d)
{
    buf_init(&d->text);
    d->count = 0;
}

void diag_free(diagnostics *d)
{
    buf_free(&d->text);
    d->count = 0;
}

void diag_add(diagnostics *d, const char *file, int line, int col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* messages quote the file's own text: one line each, nothing that could drive a terminal */
    buf_printf(&d->text, "%s:%d:%d: ", file, line, col);
    text_sanitize(&d->text, msg, strlen(msg), false);
    buf_putc(&d->text, '\n');
    d->count++;
}

typedef struct diag_line {
    const char *text;
    size_t len, file_len;
    long line, col;
} diag_line;

static int compare_lines(const void *a, const void *b)
{
    const diag_line *x = a, *y = b;
    size_t n = x->file_len < y->file_len ? x->file_len : y->file_len;
    int c = memcmp(x->text, y->text, n);
    if (c == 0 && x->file_len != y->file_len)
        c = x->file_len < y->file_len ? -1 : 1;
    if (c == 0)
        c = (x->line > y->line) - (x->line < y->line);
    if (c == 0)
        c = (x->col > y->col) - (x->col < y->col);
    if (c == 0)
        c = (x->text > y->text) - (x->text < y->text); /* keep the order they were found */
    return c;
}

/* Splits "file:line:col: msg" into its parts for sorting. */
static diag_line parse_diag_line(const char *s, size_t len)
{
    diag_line d = {s, len, len, 0, 0};
    const char *colon = NULL;
    for (const char *p = s; p + 1 < s + len; p++) {
        if (*p == ':' && p[1] >= '0' && p[1] <= '9') {
            colon = p;
            break;
        }
    }
    if (colon) {
        char *end;
        d.file_len = (size_t)(colon - s);
        d.line = strtol(colon + 1, &end, 10);
        d.col = *end == ':' ? strtol(end + 1, NULL, 10) : 0;
    }
    return d;
}

/* Says, under the first message's file, that the messages could not be sorted. */
static void diag_unsorted(diagnostics *d)
{
    diag_line first = parse_diag_line(buf_str(&d->text), d->text.len);
    buf_printf(&d->text, "%.*s:1:1: out of memory (these messages are not in order)\n",
               (int)first.file_len, first.text);
    d->count++;
}

void diag_sort(diagnostics *d)
{
    if (d->count < 2 || d->text.failed)
        return;
    diag_line *lines = calloc((size_t)d->count, sizeof *lines);
    if (!lines) {
        diag_unsorted(d);
        return;
    }
    size_t n = 0;
    const char *s = buf_str(&d->text);
    for (const char *p = s; *p && n < (size_t)d->count;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
        lines[n++] = parse_diag_line(p, len);
        p += len;
    }
    qsort(lines, n, sizeof *lines, compare_lines);
    buf sorted;
    buf_init(&sorted);
    for (size_t i = 0; i < n; i++)
        buf_append(&sorted, lines[i].text, lines[i].len);
    free(lines);
    if (sorted.failed) {
        buf_free(&sorted);
        diag_unsorted(d);
        return;
    }
    buf_free(&d->text);
    d->text = sorted;
}

bool yamldoc_load(yamldoc *y, const char *file, const char *data, size_t len, diagnostics *d)
{
    memset(y, 0, sizeof *y);
    y->file = file;
    y->diag = d;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        diag_add(d, file, 1, 1, "out of memory");
        return false;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &y->doc)) {
        const char *problem = parser.problem ? parser.problem : "syntax error";
        if (parser.context)
            diag_add(d, file, (int)parser.problem_mark.line + 1,
                     (int)parser.problem_mark.column + 1, "YAML syntax: %s %s", problem,
                     parser.context);
        else
            diag_add(d, file, (int)parser.problem_mark.line + 1,
                     (int)parser.problem_mark.column + 1, "YAML syntax: %s", problem);
        yaml_parser_delete(&parser);
        return false;
    }
    yaml_parser_delete(&parser);
    y->loaded = true;
    if (!yaml_document_get_root_node(&y->doc)) {
        diag_add(d, file, 1, 1, "empty document");
        return false;
    }
    return true;
}

void yamldoc_free(yamldoc *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    y->loaded = false;
}

yaml_node_t *yamldoc_root(yamldoc *y)
{
    return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

void yamldoc_error(yamldoc *y, const yaml_node_t *node, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = node ? (int)node->start_mark.line + 1 : 1;
    int col = node ? (int)node->start_mark.column + 1 : 1;
    diag_add(y->diag, y->file, line, col, "%s", msg);
}

const char *yamldoc_scalar(const yaml_node_t *node)
{
    if (!node || node->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)node->data.scalar.value;
}

bool yamldoc_pair(yamldoc *y, yaml_node_t *map, size_t i, yaml_node_t **key, yaml_node_t **value)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return false;
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    if (start + i >= map->data.mapping.pairs.top)
        return false;
    *key = yaml_document_get_node(&y->doc, start[i].key);
    *value = yaml_document_get_node(&y->doc, start[i].value);
    return true;
}

yaml_node_t *yamldoc_get(yamldoc *y, yaml_node_t *map, const char *key)
{
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(y, map, i, &k, &v); i++) {
        const char *s = yamldoc_scalar(k);
        if (s && strcmp(s, key) == 0)
            return v;
    }
    return NULL;
}

yaml_node_t *yamldoc_item(yamldoc *y, yaml_node_t *seq, size_t i)
{
    if (!seq || seq->type != YAML_SEQUENCE_NODE)
        return NULL;
    yaml_node_item_t *start = seq->data.sequence.items.start;
    if (start + i >= seq->data.sequence.items.top)
        return NULL;
    return yaml_document_get_node(&y->doc, start[i]);
}

static bool expect(yamldoc *y, yaml_node_t *node, yaml_node_type_t type, const char *what,
                   const char *kind)
{
    if (node && node->type == type)
        return true;
    yamldoc_error(y, node, "%s must be %s", what, kind);
    return false;
}

bool yamldoc_expect_map(yamldoc *y, yaml_node_t *node, const char *what)
{
    return expect(y, node, YAML_MAPPING_NODE, what, "a mapping (key: value)");
}

bool yamldoc_expect_seq(yamldoc *y, yaml_node_t *node, const char *what)
{
    return expect(y, node, YAML_SEQUENCE_NODE, what, "a list");
}

bool yamldoc_expect_scalar(yamldoc *y, yaml_node_t *node, const char *what)
{
    return expect(y, node, YAML_SCALAR_NODE, what, "a single value");
}

bool yamldoc_check_duplicates(yamldoc *y, yaml_node_t *map, const char *what)
{
    yaml_node_t *k, *v, *k2, *v2;
    bool clean = true;
    for (size_t i = 0; yamldoc_pair(y, map, i, &k, &v); i++) {
        const char *s = yamldoc_scalar(k);
        for (size_t j = 0; s && j < i && yamldoc_pair(y, map, j, &k2, &v2); j++) {
            const char *t = yamldoc_scalar(k2);
            if (t && strcmp(s, t) == 0) {
                yamldoc_error(y, k, "duplicate key \"%s\" in %s (first at line %d)", s, what,
                              (int)k2->start_mark.line + 1);
                clean = false;
                break;
            }
        }
    }
    return clean;
}

void yamldoc_check_keys(yamldoc *y, yaml_node_t *map, const char *const *known, const char *what)
{
    yamldoc_check_duplicates(y, map, what);
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(y, map, i, &k, &v); i++) {
        const char *s = yamldoc_scalar(k);
        bool ok = false;
        for (size_t j = 0; s && known[j]; j++)
            ok = ok || strcmp(s, known[j]) == 0;
        if (!ok && map->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
            yamldoc_error(y, k,
                          "unknown key \"%s\" in %s (inside { } a comma ends a value: "
                          "quote text that contains commas)",
                          s ? s : "?", what);
        else if (!ok)
            yamldoc_error(y, k, "unknown key \"%s\" in %s", s ? s : "?", what);
    }
}

bool yamldoc_bool(yamldoc *y, yaml_node_t *node, bool *out)
{
    const char *s = yamldoc_scalar(node);
    if (s && (!strcmp(s, "true") || !strcmp(s, "yes"))) {
        *out = true;
        return true;
    }
    if (s && (!strcmp(s, "false") || !strcmp(s, "no"))) {
        *out = false;
        return true;
    }
    yamldoc_error(y, node, "expected true or false");
    return false;
}

bool duration_parse(const char *s, int64_t *ms, bool *negative)
{
    *negative = false;
    const char *p = s;
    if (*p == '-') {
        *negative = true;
        p++;
    }
    if (*p < '0' || *p > '9')
        return false;
    char *end;
    double v = strtod(p, &end);
    int64_t unit = 1000;
    if (*end == 's' && end[1] == '\0')
        end++;
    else if (*end == 'm' && end[1] == 's' && end[2] == '\0')
        unit = 1, end += 2;
    else if (*end == 'm' && end[1] == '\0')
        unit = 60000, end++;
    else if (*end == 'h' && end[1] == '\0')
        unit = 3600000, end++;
    else if (*end == 'd' && end[1] == '\0')
        unit = 86400000, end++;
    if (*end != '\0' || v > 1e9)
        return false;
    *ms = (int64_t)(v * (double)unit + 0.5);
    return true;
}
