#include "config.h"

#include "net/curlapi.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

curlapi curl_fn;

/* Each entry of curl_fn with the symbol that fills it. */
#define CURLAPI_SYMBOL(field)                                                                      \
    {                                                                                              \
        "curl_" #field, offsetof(curlapi, field)                                                   \
    }
static const struct {
    const char *name;
    size_t offset;
} symbols[] = {
    CURLAPI_SYMBOL(global_init),
    CURLAPI_SYMBOL(global_cleanup),
    CURLAPI_SYMBOL(easy_init),
    CURLAPI_SYMBOL(easy_setopt),
    CURLAPI_SYMBOL(easy_getinfo),
    CURLAPI_SYMBOL(easy_cleanup),
    CURLAPI_SYMBOL(easy_strerror),
    CURLAPI_SYMBOL(slist_append),
    CURLAPI_SYMBOL(slist_free_all),
    CURLAPI_SYMBOL(multi_init),
    CURLAPI_SYMBOL(multi_setopt),
    CURLAPI_SYMBOL(multi_add_handle),
    CURLAPI_SYMBOL(multi_remove_handle),
    CURLAPI_SYMBOL(multi_socket_action),
    CURLAPI_SYMBOL(multi_info_read),
    CURLAPI_SYMBOL(multi_cleanup),
    CURLAPI_SYMBOL(url),
    CURLAPI_SYMBOL(url_set),
    CURLAPI_SYMBOL(url_get),
    CURLAPI_SYMBOL(url_cleanup),
    CURLAPI_SYMBOL(free),
};

static bool loaded;

bool curlapi_load(char *err, size_t errlen)
{
    if (loaded)
        return true;
    const char *name = getenv("HUASHU_LIBCURL");
    if (!name || !*name)
        name = CURLAPI_SONAME;
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        if (!why)
            why = "unknown error";
        /* glibc's message starts with the file name; say it when another does not */
        snprintf(err, errlen,
                 "cannot load libcurl, which lookups and the chatwoot feed need: %s%s%s; "
                 "install it (Debian: apt-get install libcurl4)",
                 strstr(why, name) ? "" : name, strstr(why, name) ? "" : ": ", why);
        return false;
    }
    curlapi fn;
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        dlerror();
        void *sym = dlsym(lib, symbols[i].name);
        if (!sym) {
            snprintf(err, errlen,
                     "%s lacks %s: libcurl 7.68 or later is needed (Debian: apt-get install "
                     "libcurl4)",
                     name, symbols[i].name);
            dlclose(lib);
            return false;
        }
        /* POSIX guarantees that a data pointer from dlsym converts to a function pointer */
        memcpy((char *)&fn + symbols[i].offset, &sym, sizeof sym);
    }
    curl_fn = fn;
    loaded = true; /* never dlclose'd: see curlapi.h */
    return true;
}
