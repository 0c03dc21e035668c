#include "core/detect.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify.h"
#include "core/lint.h"
#include "core/textfold.h"

#define MAX_CUE_SETS 32
#define MAX_CLASSES  64  /* states with examples, plus "same" */
#define MAX_STATES   256 /* states detection scores */
#define MEMO_SIZE    2048
#define MEMO_WAYS    4
#define MEMO_TEXT    400  /* longer messages are analysed every time */
#define STICKY       0.25 /* the current state's bonus */
#define SHORT_REPLY  8    /* characters: a reply read against the agent's last line */

typedef struct exact_word {
    char *word; /* folded, without the leading '=' */
    int set;
} exact_word;

typedef struct analysis analysis;
typedef struct memo_entry memo_entry;
static memo_entry *memo_new(void);

struct detector {
    textfold *fold;
    lint_words *cues;    /* folded cue words, tagged 1 << set */
    lint_words *negated; /* negator + cue word, tagged the same */
    lint_words *asked;   /* agent words asking a reply's question, tagged 1 << reply */
    bool has_negators;
    exact_word *exact; /* "=好": the whole reply is the word */
    size_t exact_count;
    char **polite;
    size_t polite_count;
    double weight[MAX_CUE_SETS];
    size_t set_count;
    classifier *clf;
    int *class_state; /* class -> state index; the last class is "same" */
    int classes;
    size_t examples;
    double threshold;
    memo_entry *memo; /* cache of analyses by message text (set-associative) */
    uint64_t memo_clock;
};

/* ---- training ------------------------------------------------------------ */

static void strip_polite(const detector *det, buf *b);
static size_t reply_chars(const char *s, size_t len);

static char *fold_copy(const detector *det, const char *s)
{
    buf b;
    buf_init(&b);
    textfold_plain(det->fold, s, strlen(s), &b);
    if (b.failed) {
        buf_free(&b);
        return NULL;
    }
    char *out = buf_take(&b);
    return out ? out : strdup("");
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Adds to the fold table, for every character of text, its other-script form. */
static bool learn_script(textfold *tf, detect_convert convert, void *ctx, const char *text)
{
    /* one character a line, so the conversion cannot merge characters into phrases */
    size_t len = strlen(text), count = 0;
    uint32_t *chars = malloc((len + 1) * sizeof *chars);
    if (!chars)
        return false;
    for (size_t i = 0, n; i < len; i += n) {
        uint32_t c = textfold_decode(text + i, len - i, &n);
        if (c >= 0x2E80)
            chars[count++] = c;
    }
    qsort(chars, count, sizeof *chars, cmp_u32);
    buf in;
    buf_init(&in);
    for (size_t i = 0; i < count; i++) {
        if (i && chars[i] == chars[i - 1])
            continue;
        textfold_encode(&in, chars[i]);
        buf_putc(&in, '\n');
    }
    free(chars);
    bool ok = !in.failed;
    char *simp = ok && in.len ? convert(ctx, false, in.data) : NULL;
    char *trad = simp ? convert(ctx, true, simp) : NULL;
    /* a Traditional playbook's characters fold to Simplified, and the Traditional form of
     * every (Simplified) character folds to it */
    for (const char *a = in.data, *s = simp, *t = trad; ok && a && s && t && *a && *s && *t;) {
        size_t na, ns, nt;
        uint32_t ca = textfold_decode(a, strlen(a), &na);
        uint32_t cs = textfold_decode(s, strlen(s), &ns);
        uint32_t ct = textfold_decode(t, strlen(t), &nt);
        if (ca == '\n' || cs == '\n' || ct == '\n')
            break; /* lengths differ: give up rather than pair wrong characters */
        ok = textfold_map(tf, ca, cs) && textfold_map(tf, ct, cs);
        a += na, s += ns, t += nt;
        if (*a != '\n' || *s != '\n' || *t != '\n')
            break;
        a++, s++, t++;
    }
    free(simp);
    free(trad);
    buf_free(&in);
    return ok;
}

/* Every text the playbook gives detection, one after another (for learn_script). */
static void all_texts(const playbook *pb, buf *b)
{
    for (size_t i = 0; i < pb->cue_count; i++)
        for (size_t j = 0; j < pb->cues[i].word_count; j++)
            buf_puts(b, pb->cues[i].words[j]);
    for (size_t i = 0; i < pb->state_count; i++)
        for (size_t j = 0; j < pb->states[i].example_count; j++)
            buf_puts(b, pb->states[i].examples[j]);
    const pb_detect *dt = &pb->detect;
    for (size_t j = 0; j < dt->same_count; j++)
        buf_puts(b, dt->same[j]);
    for (size_t j = 0; j < dt->polite_count; j++)
        buf_puts(b, dt->polite[j]);
    for (size_t j = 0; j < dt->negator_count; j++)
        buf_puts(b, dt->negators[j]);
    for (size_t j = 0; j < dt->noise_count; j++) /* their Chinese words match folded text */
        buf_puts(b, dt->noise[j]);
}

static bool build_cues(detector *det, const playbook *pb)
{
    size_t n = 0;
    det->set_count = pb->cue_count < MAX_CUE_SETS ? pb->cue_count : MAX_CUE_SETS;
    for (size_t i = 0; i < det->set_count; i++)
        n += pb->cues[i].word_count;
    size_t nn = n * (pb->detect.negator_count ? pb->detect.negator_count : 1);
    char **words = calloc(n + 1, sizeof *words), **neg = calloc(nn + 1, sizeof *neg);
    uint32_t *tags = calloc(n + 1, sizeof *tags), *ntags = calloc(nn + 1, sizeof *ntags);
    det->exact = calloc(n + 1, sizeof *det->exact);
    bool ok = words && neg && tags && ntags && det->exact;
    size_t k = 0, kn = 0;
    for (size_t i = 0; ok && i < det->set_count; i++) {
        det->weight[i] = pb->cues[i].weight;
        for (size_t j = 0; ok && j < pb->cues[i].word_count; j++) {
            const char *w = pb->cues[i].words[j];
            if (w[0] == '=') {
                exact_word *e = &det->exact[det->exact_count];
                ok = (e->word = fold_copy(det, w + 1)) != NULL;
                e->set = (int)i;
                det->exact_count += ok;
                continue;
            }
            ok = (words[k] = fold_copy(det, w)) != NULL;
            tags[k++] = 1u << i;
            for (size_t m = 0; ok && m < pb->detect.negator_count; m++) {
                buf b;
                buf_init(&b);
                textfold_plain(det->fold, pb->detect.negators[m], strlen(pb->detect.negators[m]),
                               &b);
                const char *last = b.len ? b.data + b.len - 1 : "";
                if (*last >= 'a' && *last <= 'z')
                    buf_putc(&b, ' ');
                buf_puts(&b, words[k - 1]);
                ok = !b.failed && (neg[kn] = buf_take(&b)) != NULL;
                buf_free(&b);
                ntags[kn++] = 1u << i;
            }
        }
    }
    if (ok && k)
        ok = (det->cues = lint_words_new((const char *const *)words, tags, k,
                                         LINT_WORDS_BOUNDARIES)) != NULL;
    if (ok && kn) {
        ok = (det->negated = lint_words_new((const char *const *)neg, ntags, kn,
                                            LINT_WORDS_BOUNDARIES)) != NULL;
        det->has_negators = ok;
    }
    for (size_t i = 0; i < k; i++)
        free(words[i]);
    for (size_t i = 0; i < kn; i++)
        free(neg[i]);
    free(words);
    free(neg);
    free(tags);
    free(ntags);
    return ok;
}

/* The agent words of each reply's `asked` cue set, as written and folded (agent text is not
 * folded: it is matched as sent). */
static bool build_asked(detector *det, const playbook *pb)
{
    size_t n = 0;
    for (size_t i = 0; i < pb->detect.reply_count && i < 32; i++)
        if (pb->detect.replies[i].asked >= 0)
            n += 2 * pb->cues[pb->detect.replies[i].asked].word_count;
    if (!n)
        return true;
    char **words = calloc(n, sizeof *words);
    uint32_t *tags = calloc(n, sizeof *tags);
    bool ok = words && tags;
    size_t k = 0;
    for (size_t i = 0; ok && i < pb->detect.reply_count && i < 32; i++) {
        const pb_reply *r = &pb->detect.replies[i];
        if (r->asked < 0)
            continue;
        const pb_cue_set *set = &pb->cues[r->asked];
        for (size_t j = 0; ok && j < set->word_count; j++) {
            ok = (words[k] = strdup(set->words[j])) &&
                 (words[k + 1] = fold_copy(det, set->words[j]));
            tags[k] = tags[k + 1] = 1u << i;
            k += 2;
        }
    }
    if (ok)
        ok = (det->asked = lint_words_new((const char *const *)words, tags, k,
                                          LINT_WORDS_FOLD | LINT_WORDS_BOUNDARIES)) != NULL;
    for (size_t i = 0; words && i < n; i++)
        free(words[i]);
    free(words);
    free(tags);
    return ok;
}

uint32_t detect_asked(const detector *det, const playbook *pb, int line, const char *text,
                      size_t len)
{
    uint32_t bits = det->asked && text ? lint_words_find(det->asked, text, len) : 0;
    int said = line >= 0 && (size_t)line < pb->line_count ? pb->lines[line].state : PB_NONE;
    for (size_t i = 0; said >= 0 && i < pb->detect.reply_count && i < 32; i++)
        if (pb->detect.replies[i].said == said)
            bits |= 1u << i;
    return bits;
}

/* An example as the classifier will see messages: folded, polite words out unless they are
 * all it says. */
static char *fold_example(const detector *det, const char *s)
{
    buf b;
    buf_init(&b);
    textfold_plain(det->fold, s, strlen(s), &b);
    size_t full = b.len;
    char *keep = b.data ? strndup(b.data, full) : NULL;
    strip_polite(det, &b);
    if (keep && reply_chars(b.data, b.len) < 2) {
        buf_clear(&b);
        buf_append(&b, keep, full);
    }
    free(keep);
    if (b.failed || !b.data) {
        buf_free(&b);
        return b.failed ? NULL : strdup("");
    }
    return buf_take(&b);
}

/* The classifier over every state with examples, plus "same". */
static bool build_classifier(detector *det, const playbook *pb)
{
    size_t n = pb->detect.same_count;
    int classes = 1;
    for (size_t i = 0; i < pb->state_count; i++) {
        n += pb->states[i].example_count;
        classes += pb->states[i].example_count > 0;
    }
    det->examples = n;
    if (classes < 2 || n == 0)
        return true;
    if (classes > MAX_CLASSES)
        return false;
    char **texts = calloc(n, sizeof *texts);
    int *labels = calloc(n, sizeof *labels);
    det->class_state = calloc((size_t)classes, sizeof *det->class_state);
    bool ok = texts && labels && det->class_state;
    size_t k = 0;
    int cls = 0;
    for (size_t i = 0; ok && i < pb->state_count; i++) {
        const pb_state *st = &pb->states[i];
        if (!st->example_count)
            continue;
        det->class_state[cls] = (int)i;
        for (size_t j = 0; ok && j < st->example_count; j++) {
            ok = (texts[k] = fold_example(det, st->examples[j])) != NULL;
            labels[k++] = cls;
        }
        cls++;
    }
    det->class_state[cls] = PB_NONE; /* same */
    for (size_t j = 0; ok && j < pb->detect.same_count; j++) {
        ok = (texts[k] = fold_example(det, pb->detect.same[j])) != NULL;
        labels[k++] = cls;
    }
    det->classes = classes;
    if (ok)
        ok = (det->clf = classify_train((const char *const *)texts, labels, k, classes)) != NULL;
    for (size_t i = 0; i < k; i++)
        free(texts[i]);
    free(texts);
    free(labels);
    return ok;
}

void detect_free(detector *det)
{
    if (!det)
        return;
    textfold_free(det->fold);
    lint_words_free(det->cues);
    lint_words_free(det->negated);
    lint_words_free(det->asked);
    for (size_t i = 0; i < det->exact_count; i++)
        free(det->exact[i].word);
    free(det->exact);
    for (size_t i = 0; i < det->polite_count; i++)
        free(det->polite[i]);
    free(det->polite);
    classify_free(det->clf);
    free(det->class_state);
    free(det->memo);
    free(det);
}

bool detect_train(playbook *pb, detect_convert convert, void *ctx, diagnostics *d)
{
    detect_free(pb->detector);
    pb->detector = NULL;
    detector *det = calloc(1, sizeof *det);
    const char *file = pb->file_count ? pb->files[pb->file_count - 1] : "playbook";
    bool ok = det && (det->fold = textfold_new()) != NULL;
    if (ok && convert) {
        buf all;
        buf_init(&all);
        all_texts(pb, &all);
        ok = !all.failed && learn_script(det->fold, convert, ctx, buf_str(&all));
        buf_free(&all);
    }
    for (size_t i = 0; ok && i < pb->detect.noise_count; i++) {
        if (!textfold_noise(det->fold, pb->detect.noise[i])) {
            diag_add(d, file, pb->detect.mark.line, pb->detect.mark.col,
                     "detect: noise pattern \"%s\" does not compile", pb->detect.noise[i]);
            ok = false;
        }
    }
    if (ok && pb->detect.polite_count) {
        det->polite = calloc(pb->detect.polite_count, sizeof *det->polite);
        ok = det->polite != NULL;
        for (size_t i = 0; ok && i < pb->detect.polite_count; i++) {
            ok = (det->polite[i] = fold_copy(det, pb->detect.polite[i])) != NULL;
            det->polite_count += ok;
        }
    }
    ok = ok && build_cues(det, pb) && build_asked(det, pb) && build_classifier(det, pb);
    if (ok && pb->cue_count > MAX_CUE_SETS)
        diag_add(d, file, 1, 1, "more than %d cue sets: detection uses the first %d", MAX_CUE_SETS,
                 MAX_CUE_SETS);
    if (!ok) {
        if (det)
            diag_add(d, file, 1, 1, "detection could not be trained (out of memory)");
        detect_free(det);
        return false;
    }
    det->threshold = pb->detect.threshold >= 0 ? pb->detect.threshold : DETECT_DEFAULT_THRESHOLD;
    det->memo = memo_new(); /* NULL: no cache, still right */
    pb->detector = det;
    return true;
}

size_t detect_feature_count(const detector *det)
{
    return det && det->clf ? classify_feature_count(det->clf) : 0;
}

size_t detect_example_count(const detector *det)
{
    return det ? det->examples : 0;
}

void detect_fold(const detector *det, const char *text, size_t len, buf *out)
{
    textfold_apply(det->fold, text, len, out);
}

/* ---- reading a message ------------------------------------------------------ */

/* Removes the polite words (不好意思, 请问) from b in place. */
static void strip_polite(const detector *det, buf *b)
{
    for (size_t i = 0; i < det->polite_count; i++) {
        size_t n = strlen(det->polite[i]);
        char *p;
        while (n && (p = strstr(b->data, det->polite[i])) != NULL) {
            *p = ' ';
            memmove(p + 1, p + n, b->len - (size_t)(p - b->data) - n + 1);
            b->len -= n - 1;
        }
    }
}

static bool is_particle(uint32_t c)
{
    static const uint32_t particles[] = {0x554A, 0x5440, 0x5427, 0x5462, 0x54E6, 0x5594,
                                         0x7684, 0x4E86, 0x5566, 0x561B, 0x54C8, 0x5662,
                                         0x4EB2, 0x54C7, 0x5457, 0x54DF};
    /* 啊 呀 吧 呢 哦 喔 的 了 啦 嘛 哈 噢 亲 哇 呗 哟 */
    for (size_t i = 0; i < sizeof particles / sizeof particles[0]; i++)
        if (c == particles[i])
            return true;
    return c < 0x80 ? !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                    : c == 0xFFFD || (c >= 0x3000 && c <= 0x303F) || (c >= 0x2000 && c <= 0x206F) ||
                          (c >= 0xFF00 && c <= 0xFF65);
}

/* The reply without particles and punctuation around it; *chars gets its length. */
static void reply_core(const char *s, size_t len, const char **start, size_t *n, size_t *chars)
{
    size_t a = 0, b = len, k;
    while (a < b && is_particle(textfold_decode(s + a, b - a, &k)))
        a += k;
    while (b > a) {
        size_t j = b - 1;
        while (j > a && ((unsigned char)s[j] & 0xC0) == 0x80)
            j--;
        if (!is_particle(textfold_decode(s + j, b - j, &k)))
            break;
        b = j;
    }
    *start = s + a;
    *n = b - a;
    size_t c = 0;
    for (size_t i = a; i < b; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    *chars = c;
}

/* Characters in s that are not particles or punctuation. */
static size_t reply_chars(const char *s, size_t len)
{
    size_t n = 0, k;
    for (size_t i = 0; i < len; i += k)
        n += !is_particle(textfold_decode(s + i, len - i, &k));
    return n;
}

/* Bits of the cue sets occurring in the message (negated occurrences dropped, their sets in
 * *negated). */
static uint32_t find_cues(const detector *det, const char *text, size_t len, const char *core,
                          size_t core_len, uint32_t *negated)
{
    *negated = 0;
    uint32_t bits = det->cues ? lint_words_find(det->cues, text, len) : 0;
    bool rhetorical = len >= 3 && (!memcmp(text + len - 3, "\xe5\x90\x97", 3) || /* 吗 */
                                   !memcmp(text + len - 3, "\xe4\xb9\x88", 3) || /* 么 */
                                   !memcmp(text + len - 3, "\xe5\x98\x9b", 3));  /* 嘛 */
    if (bits && det->has_negators && !rhetorical) {
        uint32_t neg = lint_words_find(det->negated, text, len);
        bits &= ~neg;
        *negated = neg;
    }
    for (size_t i = 0; i < det->exact_count; i++)
        if (strlen(det->exact[i].word) == core_len && !memcmp(det->exact[i].word, core, core_len))
            bits |= 1u << det->exact[i].set;
    return bits;
}

/* The transition open in state s (its own first, then the playbook's) triggered by a cue in
 * bits and leading to `to` (any target when to is PB_NONE); NULL when none. */
static const pb_transition *cue_transition(const playbook *pb, int s, uint32_t bits, int to,
                                           bool local_only)
{
    const pb_state *st = &pb->states[s];
    for (int pass = 0; pass < (local_only ? 1 : 2); pass++) {
        const pb_transition *list = pass ? pb->transitions : st->transitions;
        size_t n = pass ? pb->transition_count : st->transition_count;
        for (size_t i = 0; i < n; i++) {
            const pb_transition *t = &list[i];
            if (t->trigger != TRIGGER_CUE || t->cue < 0 || t->cue >= MAX_CUE_SETS)
                continue;
            if (bits != UINT32_MAX && !((bits >> t->cue) & 1u))
                continue;
            if (to == PB_NONE || t->to == to)
                return t;
        }
    }
    return NULL;
}

static int class_of_state(const detector *det, int s)
{
    for (int i = 0; i < det->classes; i++)
        if (det->class_state[i] == s)
            return i;
    return -1;
}

/* Keeps the best three scores (same included) in r->top. */
static void explain(detect_result *r, const double *score, int ns, double same, double total)
{
    for (size_t k = 0; k < DETECT_MAX_UNSURE; k++) {
        int pick = PB_NONE - 1;
        double v = 0;
        bool same_taken = false;
        for (size_t j = 0; j < r->top_count; j++)
            same_taken = same_taken || r->top[j] == PB_NONE;
        if (!same_taken && same > 0) {
            pick = PB_NONE;
            v = same;
        }
        for (int s = 0; s < ns; s++) {
            bool taken = false;
            for (size_t j = 0; j < r->top_count; j++)
                taken = taken || r->top[j] == s;
            if (!taken && score[s] > v) {
                pick = s;
                v = score[s];
            }
        }
        if (pick < PB_NONE || v <= 0)
            break;
        r->top[r->top_count] = pick;
        r->top_score[r->top_count++] = v / total;
    }
}

/* What a message says regardless of context (memoised per text: see detector.memo). */
typedef struct analysis {
    bool empty;       /* nothing but noise */
    bool known;       /* the classifier knew some feature */
    uint32_t bits;    /* cue sets that match */
    uint32_t negated; /* cue sets matched only after a negator */
    size_t chars;     /* length of the reply without particles */
    float prob[MAX_CLASSES];
} analysis;

/* The last clause of s when it is a question after some other clause: it follows a comma or
 * stop, has two characters or more, and ends in 吗/呢/么/? or asks 什么/怎么/多少/几/有没有. */
static const char *last_question(const char *s, size_t len)
{
    size_t cut = 0, k;
    for (size_t i = 0; i < len; i += k) {
        uint32_t c = textfold_decode(s + i, len - i, &k);
        bool stop = c == ',' || c == '.' || c == '!' || c == ';' || c == ' ' || c == 0x3002 ||
                    c == 0x3001 || c == '~';
        if (stop && i + k < len)
            cut = i + k;
    }
    if (!cut || reply_chars(s + cut, len - cut) < 2 || reply_chars(s, cut) < 2)
        return NULL;
    const char *t = s + cut;
    size_t n = len - cut;
    static const char *const asks[] = {"吗",   "呢",   "么", "?",      "什么",
                                       "怎么", "多少", "几", "有没有", "嘛"};
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        size_t m = strlen(asks[i]);
        for (size_t j = 0; j + m <= n; j++)
            if (!memcmp(t + j, asks[i], m))
                return t;
    }
    return NULL;
}

struct memo_entry {
    bool used;
    uint64_t last; /* memo_clock when last used */
    unsigned short len;
    char text[MEMO_TEXT];
    analysis a;
};

static memo_entry *memo_new(void)
{
    return calloc(MEMO_SIZE, sizeof(memo_entry));
}

static void analyse(const detector *det, const char *text, size_t len, analysis *a)
{
    memset(a, 0, offsetof(analysis, prob));
    buf folded;
    buf_init(&folded);
    textfold_apply(det->fold, text, len, &folded);
    if (folded.len == 0 || folded.failed) { /* nothing but noise: nothing said */
        a->empty = true;
        buf_free(&folded);
        return;
    }
    size_t full = folded.len;
    strip_polite(det, &folded); /* for cues: the polite words (不好意思) out */
    const char *core;
    size_t core_len;
    reply_core(folded.data, folded.len, &core, &core_len, &a->chars);
    /* a whole reply is compared without the punctuation and spaces inside it (好,快点) */
    char compact[64];
    size_t m = 0;
    for (size_t i = 0, k; i < core_len && m + 4 < sizeof compact; i += k) {
        uint32_t c = textfold_decode(core + i, core_len - i, &k);
        bool punct = c < 0x80 ? !((c | 0x20) - 'a' < 26u || c - '0' < 10u || c == '\'')
                              : (c >= 0x3000 && c <= 0x303F) || (c >= 0x2000 && c <= 0x206F);
        if (!punct) {
            memcpy(compact + m, core + i, k);
            m += k;
        }
    }
    if (core_len < sizeof compact - 4) {
        core = compact;
        core_len = m;
    }
    a->bits = find_cues(det, folded.data, folded.len, core, core_len, &a->negated);
    /* the classifier reads the message without its polite words unless nothing else is
     * said (then as it came) */
    if (det->clf) {
        if (reply_chars(folded.data, folded.len) < 2 && folded.len != full) {
            buf_clear(&folded);
            textfold_apply(det->fold, text, len, &folded);
        }
        double prob[MAX_CLASSES];
        a->known = !folded.failed && classify_text(det->clf, folded.data, folded.len, prob);
        for (int c = 0; a->known && c < det->classes; c++)
            a->prob[c] = (float)prob[c];
        /* the question beats the background: a last clause asking something (付好了,有赠品吗)
         * weighs as much as the whole message */
        const char *tail = a->known ? last_question(folded.data, folded.len) : NULL;
        double tp[MAX_CLASSES];
        if (tail && classify_text(det->clf, tail, folded.len - (size_t)(tail - folded.data), tp))
            for (int c = 0; c < det->classes; c++)
                a->prob[c] = (float)((prob[c] + tp[c]) / 2);
    }
    buf_free(&folded);
}

/* The analysis of text, from the memo when this text was seen lately. */
static const analysis *analysis_of(const detector *cdet, const char *text, size_t len,
                                   analysis *tmp)
{
    detector *det = (detector *)cdet; /* the memo is a cache: detection stays a function */
    if (len > MEMO_TEXT || !det->memo) {
        analyse(det, text, len, tmp);
        return tmp;
    }
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
    /* four-way sets, least recently used out: a text used lately stays */
    memo_entry *set = &det->memo[(h & (MEMO_SIZE / MEMO_WAYS - 1)) * MEMO_WAYS];
    det->memo_clock++;
    memo_entry *m = &set[0];
    for (int w = 0; w < MEMO_WAYS; w++) {
        if (set[w].used && set[w].len == len && !memcmp(set[w].text, text, len)) {
            set[w].last = det->memo_clock;
            return &set[w].a;
        }
        if (set[w].last < m->last)
            m = &set[w];
    }
    analyse(det, text, len, &m->a);
    memcpy(m->text, text, len);
    m->len = (unsigned short)len;
    m->used = true;
    m->last = det->memo_clock;
    return &m->a;
}

void detect_message(const detector *det, const playbook *pb, const detect_ctx *ctx,
                    const char *text, size_t len, detect_result *r)
{
    *r = (detect_result){.to = PB_NONE, .line = PB_NONE, .best = PB_NONE};
    analysis tmp;
    const analysis *a = analysis_of(det, text, len, &tmp);
    if (a->empty)
        return;
    uint32_t bits = a->bits, negated = a->negated;
    size_t chars = a->chars;

    /* a short reply to the agent's question: detect: replies, then the state's own replies */
    if (bits && chars <= SHORT_REPLY) {
        for (size_t i = 0; i < pb->detect.reply_count; i++) {
            const pb_reply *rp = &pb->detect.replies[i];
            bool open = rp->said == ctx->said_state || rp->said == ctx->state ||
                        (i < 32 && ((ctx->asked >> i) & 1u));
            if (open && rp->t.cue >= 0 && rp->t.cue < MAX_CUE_SETS && ((bits >> rp->t.cue) & 1u) &&
                rp->t.to != ctx->state) {
                r->to = rp->t.to;
                r->line = rp->t.line;
                r->best = rp->t.to;
                r->confidence = 1;
                return;
            }
        }
    }

    /* scores: the classifier's probabilities, plus the weights of the cues that match */
    double score[MAX_STATES];
    int ns = (int)pb->state_count < MAX_STATES ? (int)pb->state_count : MAX_STATES;
    for (int i = 0; i < ns; i++)
        score[i] = 0;
    double same = 0, total = 1;
    if (det->clf) {
        if (a->known) {
            for (int c = 0; c < det->classes; c++) {
                if (det->class_state[c] == PB_NONE)
                    same = a->prob[c];
                else if (det->class_state[c] < ns)
                    score[det->class_state[c]] = a->prob[c];
            }
        } else {
            same = 1; /* nothing the classifier knows */
        }
    }
    /* the conversation's own topic holds unless another is clearly meant: a complaint goes
     * on about its parcel without becoming a shipping question */
    if (ctx->state >= 0 && ctx->state < ns && class_of_state(det, ctx->state) >= 0 &&
        score[ctx->state] > 0.05) {
        score[ctx->state] += STICKY;
        total += STICKY;
    }
    /* 不是投诉: what a negated cue leads to is not what the message means */
    for (int pass = 0; negated && pass < 2; pass++) {
        const pb_state *st = &pb->states[ctx->state];
        const pb_transition *list = pass ? pb->transitions : st->transitions;
        size_t n = pass ? pb->transition_count : st->transition_count;
        for (size_t i = 0; i < n; i++) {
            const pb_transition *t = &list[i];
            if (t->trigger == TRIGGER_CUE && t->cue >= 0 && t->cue < MAX_CUE_SETS &&
                ((negated >> t->cue) & 1u) && t->to >= 0 && t->to < ns)
                score[t->to] *= 0.2;
        }
    }
    const pb_transition *local = NULL; /* a reply open in this state (consent, refuse) */
    uint32_t counted = 0;
    for (int pass = 0; bits && pass < 2; pass++) {
        const pb_state *st = &pb->states[ctx->state];
        const pb_transition *list = pass ? pb->transitions : st->transitions;
        size_t n = pass ? pb->transition_count : st->transition_count;
        for (size_t i = 0; i < n; i++) {
            const pb_transition *t = &list[i];
            if (t->trigger != TRIGGER_CUE || t->cue < 0 || t->cue >= MAX_CUE_SETS ||
                !((bits >> t->cue) & 1u) || ((counted >> t->cue) & 1u))
                continue;
            counted |= 1u << t->cue;
            bool known = !det->clf || class_of_state(det, t->to) >= 0;
            if (!pass && !known) {
                if (!local)
                    local = t; /* a target the classifier does not know: a reply */
            } else if (t->to >= 0 && t->to < ns) {
                score[t->to] += det->weight[t->cue];
                total += det->weight[t->cue];
            }
        }
    }
    int best = PB_NONE;
    double top = same;
    for (int s = 0; s < ns; s++) {
        if (score[s] > top) {
            top = score[s];
            best = s;
        }
    }
    r->best = best;
    r->confidence = top / total;
    if (ctx->explain)
        explain(r, score, ns, same, total);
    /* a reply the state waits for (好 to a transfer offer) wins unless a topic clearly does */
    if (local && (chars <= SHORT_REPLY || best == PB_NONE || r->confidence < det->threshold)) {
        r->to = local->to;
        r->line = local->line;
        return;
    }
    if (r->confidence < det->threshold) {
        /* unsure: the state stays; name the likeliest states */
        r->below = true;
        for (size_t k = 0; k < DETECT_MAX_UNSURE; k++) {
            int pick = PB_NONE;
            for (int s = 0; s < ns; s++) {
                bool taken = false;
                for (size_t j = 0; j < r->unsure_count; j++)
                    taken = taken || r->unsure[j] == s;
                if (!taken && score[s] > 0.1 * total && (pick < 0 || score[s] > score[pick]))
                    pick = s;
            }
            if (pick < 0)
                break;
            r->unsure[r->unsure_count++] = pick;
        }
        return;
    }
    if (best == PB_NONE || best == ctx->state)
        return;
    if (class_of_state(det, best) >= 0 && best == playbook_state_index(pb, "greeting"))
        return; /* a hail keeps greeting, and later is only a hail */
    r->to = best;
    const pb_transition *t = cue_transition(pb, ctx->state, bits, best, false);
    if (!t)
        t = cue_transition(pb, ctx->state, UINT32_MAX, best, false);
    r->line = t ? t->line : PB_NONE;
}
