/* scriptconv: Traditional <-> Simplified Chinese character conversion through OpenCC, for
 * detection's fold table (detect_train). The dictionaries are opened on first use. */
#ifndef HUASHU_SCRIPTCONV_H
#define HUASHU_SCRIPTCONV_H

#include <stdbool.h>

#include "core/playbook.h"
#include "core/yamldoc.h"

typedef struct scriptconv scriptconv;

scriptconv *scriptconv_new(void);
void scriptconv_free(scriptconv *sc);
/* A detect_convert: text converted to Traditional or Simplified characters (malloc'd), NULL
 * when OpenCC or its dictionaries are unavailable. */
char *scriptconv_convert(void *sc, bool to_traditional, const char *text);
/* Trains pb's detector with OpenCC folding (when available); problems go to d. */
bool scriptconv_train(playbook *pb, diagnostics *d);

#endif
