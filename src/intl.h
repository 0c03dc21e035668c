/* intl: gettext for UI labels (script lines stay in the playbooks). */
#ifndef HUASHU_INTL_H
#define HUASHU_INTL_H

#include "config.h"

#if ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s)                   (s)
#define ngettext(one, many, n) ((n) == 1 ? (one) : (many))
#endif
#define N_(s) (s)

#endif
