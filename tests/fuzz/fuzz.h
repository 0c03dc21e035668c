/* fuzz: what the libFuzzer targets share. Each target states its invariants with FUZZ_ASSERT,
 * which aborts (so libFuzzer saves the input) when one breaks. */
#ifndef HUASHU_FUZZ_H
#define HUASHU_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
