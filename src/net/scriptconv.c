#include "net/scriptconv.h"

#include <opencc/opencc.h>
#include <stdlib.h>
#include <string.h>

#include "core/detect.h"
#include "net/paths.h"

struct scriptconv {
    opencc_t conv[2]; /* [0] to Simplified, [1] to Traditional; (opencc_t)-1 when failed */
    bool tried[2];
};

scriptconv *scriptconv_new(void)
{
    return calloc(1, sizeof(scriptconv));
}

void scriptconv_free(scriptconv *sc)
{
    if (!sc)
        return;
    for (int i = 0; i < 2; i++)
        if (sc->tried[i] && sc->conv[i] != (opencc_t)-1)
            opencc_close(sc->conv[i]);
    free(sc);
}

char *scriptconv_convert(void *ctx, bool to_traditional, const char *text)
{
    scriptconv *sc = ctx;
    int k = to_traditional;
    if (!sc->tried[k]) {
        sc->tried[k] = true;
        /* character tables only: the phrase dictionaries take 10x as long to open */
        char *cfg = paths_find_data(k ? "opencc/s2t-chars.json" : "opencc/t2s-chars.json");
        sc->conv[k] = opencc_open(cfg ? cfg : k ? "s2t.json" : "t2s.json");
        free(cfg);
    }
    if (sc->conv[k] == (opencc_t)-1)
        return NULL;
    char *out = opencc_convert_utf8(sc->conv[k], text, strlen(text));
    if (!out)
        return NULL;
    char *copy = strdup(out); /* ours to free() */
    opencc_convert_utf8_free(out);
    return copy;
}

bool scriptconv_train(playbook *pb, diagnostics *d)
{
    scriptconv *sc = scriptconv_new();
    bool ok = detect_train(pb, sc ? scriptconv_convert : NULL, sc, d);
    scriptconv_free(sc);
    return ok;
}
