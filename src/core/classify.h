/* classify: a small linear text classifier (liblinear, logistic regression) over n-grams of
 * folded text: for Chinese, characters and their bigrams and trigrams; for words in Latin
 * letters, words and word bigrams; plus the message's first and last token and a length
 * bucket. Trained from labelled examples, it gives every class a probability. */
#ifndef HUASHU_CLASSIFY_H
#define HUASHU_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct classifier classifier;

/* Trains on n folded texts with their labels (0..classes-1); NULL when out of memory or
 * when there are fewer than two classes with examples. */
classifier *classify_train(const char *const *texts, const int *labels, size_t n, int classes);
void classify_free(classifier *c);
/* Fills prob[0..classes-1] for a folded text; false when it has no known feature (then
 * prob is left as is). */
bool classify_text(const classifier *c, const char *text, size_t len, double *prob);
/* How many distinct features training kept. */
size_t classify_feature_count(const classifier *c);

#endif
