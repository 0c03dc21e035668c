/* Fuzzes the HTTP response mapper. An input that starts with "{" or "[" is a body for a built-in
 * map (paths, pointers, fallbacks, formats, each, value maps, stock wording); any other is a
 * map spec, one "FIELD KEY VALUE" per line ("@" as FIELD sets a map key, KEY "map" takes
 * "FROM=TO"), then an empty line, then the body. Values come back sanitised, within
 * FIELDMAP_MAX_VALUE and in map order; messages are valid UTF-8; paths round-trip. */
#include <string.h>

#include "core/fieldmap.h"
#include "core/text.h"
#include "fuzz.h"

#define MAX_SPEC_LINES 32

/* The built-in map: one field per kind of source a preset uses. */
static const char *const builtin[][3] = {
    {"@", "error", "errors[0].message"},
    {"id", "path", "/name"},
    {"id", "path", "id"},
    {"id", "required", "true"},
    {"status", "path", "fulfillments[-1].status"},
    {"status", "path", "status"},
    {"status", "default", "未发货"},
    {"status", "map", "fulfilled=已发货"},
    {"status", "map", "processing=处理中"},
    {"qty", "path", "stock_quantity"},
    {"qty", "path", "stock_status"},
    {"qty", "stock", "true"},
    {"qty", "map", "instock=有现货"},
    {"address", "format", "{shipping.name}, {shipping.city} {{x}} {shipping.zip}, {/a~1b/0}"},
    {"items", "each", "line_items"},
    {"items", "format", "{name} ×{quantity}"},
    {"items", "join", "; "},
    {"tags", "path", "tags"},
    {"@", "low_stock", "仅剩{n}件{n}"},
    {"@", "low_at", "3"},
};

/* Applies one setting; a path it accepts must compile again from its own text. */
static void apply_setting(fieldmap *m, const char *field, const char *key, const char *value)
{
    char err[256];
    if (!strcmp(field, "@")) {
        if (fieldmap_set(m, key, value, err, sizeof err) && !strcmp(key, "record")) {
            fieldmap_path *p = fieldmap_path_compile(fieldmap_path_text(m->record), err, 256);
            FUZZ_ASSERT(p != NULL);
            fieldmap_path_free(p);
        }
        return;
    }
    fieldmap_field *f = fieldmap_field_get(m, field);
    if (!f)
        return;
    const char *eq = strchr(value, '=');
    if (!strcmp(key, "map") && eq) {
        char *from = strndup(value, (size_t)(eq - value));
        FUZZ_ASSERT(from != NULL);
        FUZZ_ASSERT(fieldmap_field_map(f, from, eq + 1));
        free(from);
    } else if (!fieldmap_field_set(f, key, value, err, sizeof err)) {
        FUZZ_ASSERT(err[0] != '\0');
    }
}

/* Reads "FIELD KEY VALUE" lines from spec (NUL-terminated, modified in place). */
static void apply_spec(fieldmap *m, char *spec)
{
    int lines = 0;
    for (char *line = spec; line && lines < MAX_SPEC_LINES; lines++) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *key = strchr(line, ' ');
        char *value = key ? strchr(key + 1, ' ') : NULL;
        if (value) {
            *key++ = '\0';
            *value++ = '\0';
            apply_setting(m, line, key, value);
        }
        line = next;
    }
}

/* True when s (of len bytes) has no control, C1 or bidi-override character left. */
static bool sanitized(const char *s, size_t len)
{
    if (!text_valid_utf8(s, len))
        return false;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += text_decode(s + i, len - i, &cp);
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
            (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
            return false;
    }
    return true;
}

/* The values are a subsequence of the map's fields, each sanitised and within bounds. */
static void check_result(const fieldmap *m, const fieldmap_result *r, bool spec_utf8)
{
    FUZZ_ASSERT(r->status >= FIELDMAP_OK && r->status <= FIELDMAP_NO_MEMORY);
    if (r->status != FIELDMAP_OK) {
        size_t len = strnlen(r->message, sizeof r->message);
        FUZZ_ASSERT(len > 0 && len < sizeof r->message);
        FUZZ_ASSERT(!spec_utf8 || text_valid_utf8(r->message, len));
        return;
    }
    FUZZ_ASSERT(r->count <= m->count);
    size_t field = 0;
    for (size_t i = 0; i < r->count; i++) {
        while (field < m->count && strcmp(m->fields[field].name, r->values[i].name) != 0)
            field++;
        FUZZ_ASSERT(field < m->count);
        const char *v = r->values[i].value;
        FUZZ_ASSERT(v && strlen(v) <= FIELDMAP_MAX_VALUE && sanitized(v, strlen(v)));
        FUZZ_ASSERT(fieldmap_result_get(r, r->values[i].name) != NULL);
        field++;
    }
    for (size_t i = 0; i < m->count; i++)
        FUZZ_ASSERT(!m->fields[i].required || fieldmap_result_get(r, m->fields[i].name));
}

/* The first empty line ("\n\n") in s, NULL when there is none. */
static const char *find_gap(const char *s, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == '\n' && s[i + 1] == '\n')
            return s + i;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    fieldmap *m = fieldmap_new();
    FUZZ_ASSERT(m != NULL);
    const char *body = in;
    size_t body_len = size;
    bool spec_utf8 = true;
    const char *gap = size > 0 && in[0] != '{' && in[0] != '[' ? find_gap(in, size) : NULL;
    if (gap) {
        char *spec = strndup(in, (size_t)(gap - in));
        FUZZ_ASSERT(spec != NULL);
        spec_utf8 = text_valid_utf8(spec, strlen(spec));
        apply_spec(m, spec);
        free(spec);
        body = gap + 2;
        body_len = size - (size_t)(body - in);
    } else {
        for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
            apply_setting(m, builtin[i][0], builtin[i][1], builtin[i][2]);
    }
    fieldmap_result r;
    fieldmap_status st = fieldmap_apply(m, body, body_len, &r);
    FUZZ_ASSERT(st == r.status);
    check_result(m, &r, spec_utf8);
    fieldmap_result_free(&r);
    fieldmap_free(m);
    return 0;
}
