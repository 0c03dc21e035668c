/* Fuzzes the lint matcher over the bundled zh_CN playbook: hits lie inside the text, start and
 * end on character boundaries, come in order, and replacing one yields valid UTF-8. */
#include <string.h>

#include "core/lint.h"
#include "core/text.h"
#include "fuzz.h"

static playbook *pb;
static lint *checker;

/* Loads zh_CN once ($HUASHU_DATA or the source tree). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    pb = fuzz_load_bundled("zh_CN");
    checker = lint_new(pb);
    FUZZ_ASSERT(checker != NULL);
    return 0;
}

static bool boundary(const char *s, size_t len, size_t at)
{
    return at == 0 || at == len || ((unsigned char)s[at] & 0xC0) != 0x80;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    lint_hit hits[64];
    size_t n = lint_check(checker, s, size, hits, 64);
    for (size_t i = 0; i < n && i < 64; i++) {
        FUZZ_ASSERT(hits[i].offset + hits[i].length <= size);
        if (text_valid_utf8(s, size)) {
            FUZZ_ASSERT(boundary(s, size, hits[i].offset));
            FUZZ_ASSERT(boundary(s, size, hits[i].offset + hits[i].length));
        }
        FUZZ_ASSERT(i == 0 || hits[i - 1].offset <= hits[i].offset);
        if (hits[i].better && text_valid_utf8(s, size)) {
            buf out;
            buf_init(&out);
            if (lint_replace(&out, s, size, &hits[i], NULL))
                FUZZ_ASSERT(text_valid_utf8(buf_str(&out), out.len));
            buf_free(&out);
        }
    }
    return 0;
}
