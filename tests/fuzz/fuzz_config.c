/* Fuzzes the config loader and its lookup: section (core/lookup_config): bad text gives
 * located messages and defaults, never a crash. */
#include <string.h>

#include "core/config.h"
#include "core/lookup_config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diagnostics d;
    diag_init(&d);
    config *c = config_load("fuzz.yaml", (const char *)data, size, &d);
    FUZZ_ASSERT(c != NULL);
    long width = config_int(c, "ui.ambiguous_width");
    FUZZ_ASSERT(width == 1 || width == 2);
    const char *mode = config_string(c, "ui.lint_mode");
    FUZZ_ASSERT(!strcmp(mode, "warn") || !strcmp(mode, "confirm") || !strcmp(mode, "block"));
    FUZZ_ASSERT(config_duration(c, "audit.response_target") >= 0);
    lookup_config *lc = lookup_config_load(c, &d);
    if (lc) { /* NULL only when out of memory */
        const lookup_endpoint *ep = lookup_config_endpoint(lc, "order");
        FUZZ_ASSERT(!ep || (ep->method && ep->map && ep->kind));
        lookup_config_free(lc);
    }
    config_free(c);
    diag_free(&d);
    return 0;
}
