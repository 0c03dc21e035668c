/* curlapi: libcurl, loaded on first use. huashu is not linked with libcurl: its 29 libraries
 * (TLS, HTTP/2, SSH, LDAP, Kerberos...) cost every process ~10 ms in the dynamic loader, also
 * `huashu --version` and `lint`, which never make a request. http.c calls libcurl only
 * through this table, filled by curlapi_load() the first time a transfer starts.
 *
 * The library is libcurl.so.4 (the soname of every libcurl since 7.16), or the file named by
 * $HUASHU_LIBCURL. Once loaded it stays loaded: libcurl and its TLS library keep process-wide
 * state and are not safe to unload. Single-threaded, like the rest of net/. */
#ifndef HUASHU_CURLAPI_H
#define HUASHU_CURLAPI_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#define CURLAPI_SONAME "libcurl.so.4"

typedef struct curlapi {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *e, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *e, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *e);
    const char *(*easy_strerror)(CURLcode rc);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *m, CURLMoption option, ...);
    CURLMcode (*multi_add_handle)(CURLM *m, CURL *e);
    CURLMcode (*multi_remove_handle)(CURLM *m, CURL *e);
    CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev_bitmask, int *running);
    CURLMsg *(*multi_info_read)(CURLM *m, int *msgs_in_queue);
    CURLMcode (*multi_cleanup)(CURLM *m);
    CURLU *(*url)(void);
    CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned int flags);
    void (*url_cleanup)(CURLU *u);
    void (*free)(void *p);
} curlapi;

/* The functions; valid once curlapi_load() returned true. */
extern curlapi curl_fn;

/* Loads libcurl and fills curl_fn; true at once when done before. On failure false, and err
 * says which library could not be loaded or which function it lacks, and what to install. A
 * failure is not remembered: the next call tries again. */
bool curlapi_load(char *err, size_t errlen);

#endif
