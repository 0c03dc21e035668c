/* Fuzzes the playbook loader: any text loads or yields located messages, never a crash or a
 * leak, and a loaded playbook's references all resolve. Each text is loaded a second time
 * from the image of its parsed YAML (the playbook cache, yamldoc_image), which must say
 * exactly what the parser's document said. */
#include <stdlib.h>
#include <string.h>

#include "core/playbook.h"
#include "fuzz.h"

/* The cache: the one image the first load stored. */
static buf image;
static bool stored;

static char *image_get(void *ctx, const char *file, size_t *len)
{
    if (!stored)
        return NULL;
    char *copy = malloc(image.len ? image.len : 1);
    if (copy && image.len)
        memcpy(copy, image.data, image.len);
    *len = image.len;
    return copy;
}

static void image_put(void *ctx, const char *file, const char *data, size_t len)
{
    buf_clear(&image);
    buf_append(&image, data, len);
    stored = !image.failed;
}

static const yamldoc_cache cache = {image_get, image_put, NULL};

/* Loads the text; returns whether it gave a playbook, its messages in d. */
static bool load(const uint8_t *data, size_t size, diagnostics *d)
{
    diag_init(d);
    playbook *pb = playbook_load("fuzz.yaml", (const char *)data, size, NULL, NULL, d);
    FUZZ_ASSERT((pb == NULL) == (d->count > 0));
    if (!pb)
        FUZZ_ASSERT(strncmp(buf_str(&d->text), "fuzz.yaml:", 10) == 0);
    for (size_t i = 0; pb && i < pb->state_count; i++) {
        const pb_state *st = &pb->states[i];
        for (size_t j = 0; j < st->line_count; j++)
            FUZZ_ASSERT(st->lines[j] >= 0 && (size_t)st->lines[j] < pb->line_count);
        for (size_t j = 0; j < st->transition_count; j++)
            FUZZ_ASSERT(
                st->transitions[j].to == PB_BACK ||
                (st->transitions[j].to >= 0 && (size_t)st->transitions[j].to < pb->state_count));
        for (size_t j = 0; j < st->ladder_count; j++)
            FUZZ_ASSERT(st->ladder[j].line >= 0 && (size_t)st->ladder[j].line < pb->line_count);
    }
    bool loaded = pb != NULL;
    playbook_free(pb);
    return loaded;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stored = false;
    buf_clear(&image);
    playbook_set_cache(&cache);
    diagnostics parsed, cached;
    bool a = load(data, size, &parsed);
    bool b = load(data, size, &cached);
    playbook_set_cache(NULL);
    FUZZ_ASSERT(a == b);
    FUZZ_ASSERT(strcmp(buf_str(&parsed.text), buf_str(&cached.text)) == 0);
    diag_free(&parsed);
    diag_free(&cached);
    return 0;
}
