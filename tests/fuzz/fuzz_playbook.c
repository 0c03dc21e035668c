/* Fuzzes the playbook loader: any text loads or yields located messages, never a crash or a
 * leak, and a loaded playbook's references all resolve. */
#include <string.h>

#include "core/playbook.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diagnostics d;
    diag_init(&d);
    playbook *pb = playbook_load("fuzz.yaml", (const char *)data, size, NULL, NULL, &d);
    FUZZ_ASSERT((pb == NULL) == (d.count > 0));
    if (!pb)
        FUZZ_ASSERT(strncmp(buf_str(&d.text), "fuzz.yaml:", 10) == 0);
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
    playbook_free(pb);
    diag_free(&d);
    return 0;
}
