/* fuzz: what the libFuzzer targets share. Each target states its invariants with FUZZ_ASSERT,
 * which aborts (so libFuzzer saves the input) when one breaks. */
#ifndef HUASHU_FUZZ_H
#define HUASHU_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/playbook.h"

#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads bundled playbook id (zh_CN, zh_TW, en) from $HUASHU_DATA or the source tree; aborts
 * when it cannot, since every input would then be tested against nothing. */
static inline playbook *fuzz_load_bundled(const char *id)
{
    const char *dir = getenv("HUASHU_DATA");
    char path[4096];
    snprintf(path, sizeof path, "%s/playbooks/%s.yaml", dir && *dir ? dir : HUASHU_SRCDATADIR, id);
    FILE *f = fopen(path, "rb");
    FUZZ_ASSERT(f != NULL);
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    diagnostics d;
    diag_init(&d);
    playbook *pb = playbook_load(path, text, len, NULL, NULL, &d);
    diag_free(&d);
    FUZZ_ASSERT(pb != NULL);
    return pb;
}

#endif
