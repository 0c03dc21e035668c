#include "core/classify.h"

#include <linear.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/textfold.h"

#define MAX_FEATURES 512 /* per text; a longer message keeps its first ones */
#define C_PARAM      10.0

struct classifier {
    uint64_t *keys; /* open addressing: feature hash, 0 = empty */
    int *index;     /* 1-based liblinear feature index */
    size_t cap, count;
    struct model *model;
    int classes;
    int *class_of; /* model label order -> our label */
};

/* ---- features ------------------------------------------------------------ */

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xFF51AFD7ED558CCDull;
    return h ^ (h >> 29);
}

enum { T_BOS = 1, T_EOS, T_LEN, T_NUM, T_LONGNUM, T_WORD };

static bool is_boundary(uint32_t c)
{
    if (c < 0x80)
        return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '?' || c == '\'');
    return (c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF65) || c == 0xFFFD;
}

/* Splits folded text into token hashes; a boundary is written as 0. Returns the count. */
static size_t tokenize(const char *text, size_t len, uint64_t *tok, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n < max;) {
        size_t k;
        uint32_t c = textfold_decode(text + i, len - i, &k);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            bool digits = true;
            uint64_t h = T_WORD;
            size_t j = i;
            while (j < len) {
                unsigned char b = (unsigned char)text[j];
                if (!((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '\''))
                    break;
                digits = digits && b >= '0' && b <= '9';
                h = mix(h, b);
                j++;
            }
            if (digits)
                h = j - i >= 5 ? T_LONGNUM : T_NUM;
            tok[n++] = mix(h, 77);
            i = j;
            continue;
        }
        i += k;
        if (is_boundary(c)) {
            if (n && tok[n - 1])
                tok[n++] = 0;
            continue;
        }
        tok[n++] = mix((uint64_t)c << 8, 91);
    }
    while (n && !tok[n - 1])
        n--;
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The distinct feature hashes of a text, sorted; returns their count. */
static size_t features(const char *text, size_t len, uint64_t *f, size_t max)
{
    uint64_t tok[MAX_FEATURES / 4];
    size_t nt = tokenize(text, len, tok, sizeof tok / sizeof tok[0]);
    size_t n = 0, words = 0;
    for (size_t i = 0; i < nt && n + 4 < max; i++) {
        if (!tok[i])
            continue;
        words++;
        f[n++] = mix(tok[i], 1);
        if (i + 1 < nt && tok[i + 1])
            f[n++] = mix(mix(tok[i], tok[i + 1]), 2);
        if (i + 2 < nt && tok[i + 1] && tok[i + 2])
            f[n++] = mix(mix(mix(tok[i], tok[i + 1]), tok[i + 2]), 3);
    }
    if (nt && n + 3 < max) {
        f[n++] = mix(mix(T_BOS, tok[0]), 4);
        f[n++] = mix(mix(tok[nt - 1], T_EOS), 5);
        unsigned bucket = words <= 3 ? (unsigned)words : words <= 5 ? 4 : words <= 9 ? 5 : 6;
        f[n++] = mix(mix(T_LEN, bucket), 6);
    }
    for (size_t i = 0; i < n; i++)
        if (!f[i])
            f[i] = 1;
    if (n <= 64) { /* insertion sort: messages are short, qsort's calls cost more */
        for (size_t i = 1; i < n; i++) {
            uint64_t v = f[i];
            size_t j = i;
            for (; j > 0 && f[j - 1] > v; j--)
                f[j] = f[j - 1];
            f[j] = v;
        }
    } else {
        qsort(f, n, sizeof *f, cmp_u64);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || f[m - 1] != f[i])
            f[m++] = f[i];
    return m;
}

/* ---- vocabulary ---------------------------------------------------------- */

static bool vocab_grow(classifier *c)
{
    size_t cap = c->cap ? c->cap * 2 : 4096;
    uint64_t *keys = calloc(cap, sizeof *keys);
    int *index = calloc(cap, sizeof *index);
    if (!keys || !index) {
        free(keys);
        free(index);
        return false;
    }
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->keys[i])
            continue;
        size_t s = (size_t)c->keys[i] & (cap - 1);
        while (keys[s])
            s = (s + 1) & (cap - 1);
        keys[s] = c->keys[i];
        index[s] = c->index[i];
    }
    free(c->keys);
    free(c->index);
    c->keys = keys;
    c->index = index;
    c->cap = cap;
    return true;
}

/* The feature's index, 0 when unknown; with add, a new index is given (-1: out of memory). */
static int vocab_index(classifier *c, uint64_t key, bool add)
{
    if (!c->cap && (!add || !vocab_grow(c)))
        return add ? -1 : 0;
    size_t s = (size_t)key & (c->cap - 1);
    while (c->keys[s]) {
        if (c->keys[s] == key)
            return c->index[s];
        s = (s + 1) & (c->cap - 1);
    }
    if (!add)
        return 0;
    if ((c->count + 1) * 2 > c->cap) {
        if (!vocab_grow(c))
            return -1;
        return vocab_index(c, key, true);
    }
    c->keys[s] = key;
    c->index[s] = (int)++c->count;
    return c->index[s];
}

/* Fills nodes for a text (with the bias node and the terminator); returns the count of
 * known features, -1 when out of memory. */
static int make_nodes(classifier *c, const char *text, size_t len, bool add,
                      struct feature_node *nodes, int bias_index)
{
    uint64_t f[MAX_FEATURES];
    size_t nf = features(text, len, f, MAX_FEATURES);
    int n = 0;
    for (size_t i = 0; i < nf; i++) {
        int idx = vocab_index(c, f[i], add);
        if (idx < 0)
            return -1;
        if (idx)
            nodes[n++] = (struct feature_node){idx, 1};
    }
    double v = n ? 1 / sqrt((double)n) : 0;
    for (int i = 0; i < n; i++)
        nodes[i].value = v;
    int known = n;
    if (bias_index > 0)
        nodes[n++] = (struct feature_node){bias_index, 1};
    nodes[n].index = -1;
    return known;
}

static int cmp_node(const void *a, const void *b)
{
    const struct feature_node *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

static void quiet(const char *s)
{
    (void)s;
}

classifier *classify_train(const char *const *texts, const int *labels, size_t n, int classes)
{
    classifier *c = calloc(1, sizeof *c);
    struct feature_node **x = calloc(n ? n : 1, sizeof *x);
    double *y = calloc(n ? n : 1, sizeof *y);
    bool ok = c && x && y;
    bool seen[256] = {false};
    int distinct = 0;
    for (size_t i = 0; ok && i < n; i++) {
        struct feature_node tmp[MAX_FEATURES + 2];
        int k = make_nodes(c, texts[i], strlen(texts[i]), true, tmp, 0);
        if (k < 0 || !(x[i] = malloc(((size_t)k + 2) * sizeof **x))) {
            ok = false;
            break;
        }
        memcpy(x[i], tmp, ((size_t)k + 1) * sizeof *tmp);
        y[i] = labels[i];
        if (labels[i] >= 0 && labels[i] < 256 && !seen[labels[i]]) {
            seen[labels[i]] = true;
            distinct++;
        }
    }
    if (ok && distinct >= 2) {
        int bias = (int)c->count + 1;
        for (size_t i = 0; i < n; i++) {
            size_t k = 0;
            while (x[i][k].index != -1)
                k++;
            qsort(x[i], k, sizeof *x[i], cmp_node);
            x[i][k] = (struct feature_node){bias, 1};
            x[i][k + 1].index = -1;
        }
        struct problem prob = {.l = (int)n, .n = bias, .y = y, .x = x, .bias = 1};
        struct parameter param = {.solver_type = L2R_LR_DUAL, .eps = 2.0, .C = C_PARAM};
        set_print_string_function(quiet);
        if (!check_parameter(&prob, &param))
            c->model = train(&prob, &param);
        c->classes = classes;
        c->class_of = c->model ? malloc((size_t)c->model->nr_class * sizeof *c->class_of) : NULL;
        if (c->class_of)
            get_labels(c->model, c->class_of);
    }
    for (size_t i = 0; x && i < n; i++)
        free(x[i]);
    free(x);
    free(y);
    if (c && (!c->model || !c->class_of)) {
        classify_free(c);
        return NULL;
    }
    return c;
}

void classify_free(classifier *c)
{
    if (!c)
        return;
    if (c->model)
        free_and_destroy_model(&c->model);
    free(c->class_of);
    free(c->keys);
    free(c->index);
    free(c);
}

size_t classify_feature_count(const classifier *c)
{
    return c->count;
}

bool classify_text(const classifier *c, const char *text, size_t len, double *prob)
{
    struct feature_node nodes[MAX_FEATURES + 2];
    int known = make_nodes((classifier *)c, text, len, false, nodes, (int)c->count + 1);
    if (known <= 0)
        return false;
    double p[256];
    int k = c->model->nr_class;
    if (k > 256)
        return false;
    predict_probability(c->model, nodes, p);
    for (int i = 0; i < c->classes; i++)
        prob[i] = 0;
    for (int i = 0; i < k; i++)
        if (c->class_of[i] >= 0 && c->class_of[i] < c->classes)
            prob[c->class_of[i]] = p[i];
    return true;
}
