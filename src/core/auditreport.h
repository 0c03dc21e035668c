/* auditreport: the supervisor's report over an audit's conversations — per conversation, in
 * total, per agent / day / week / hour, the conversations to listen to first, and charts —
 * as readable text, JSON, CSV or one self-contained HTML page. Pure: it appends to a buf and
 * the caller writes it out. */
#ifndef HUASHU_AUDITREPORT_H
#define HUASHU_AUDITREPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/audit.h"
#include "core/buf.h"
#include "core/lint.h"

typedef enum audit_format {
    AUDIT_FORMAT_TEXT,
    AUDIT_FORMAT_JSON,
    AUDIT_FORMAT_CSV,
    AUDIT_FORMAT_HTML,
} audit_format;

/* What --by groups by (combinable). */
enum {
    AUDIT_BY_AGENT = 1u << 0,
    AUDIT_BY_WEEK = 1u << 1,
    AUDIT_BY_DAY = 1u << 2,
    AUDIT_BY_HOUR = 1u << 3, /* hour of the day, 00-23 */
};

typedef struct auditreport_options {
    audit_format format;
    bool summary;         /* totals (and groups, charts, worst) only */
    unsigned by;          /* AUDIT_BY_*, 0 = no groups */
    size_t worst;         /* conversations in the "listen to these first" list */
    size_t width;         /* text: columns for bars and sparklines, 0 = 80 */
    const char *playbook; /* shown in the header: the playbook's id */
    const char *source;   /* and where it came from (a file, or "bundled") */
    audit_options audit;  /* since/until/agent, the targets, as the audit used them */
} auditreport_options;

typedef struct auditreport auditreport;

/* A report against lint l (borrowed). NULL when out of memory. */
auditreport *auditreport_new(const lint *l, const auditreport_options *o);
void auditreport_free(auditreport *r);
/* Appends what comes before the first conversation. */
void auditreport_begin(auditreport *r, buf *out);
/* Takes one conversation: appends its row (unless summary or grouped CSV) and counts it. */
void auditreport_conversation(auditreport *r, const audit_conv *c, buf *out);
/* Appends the totals, groups, charts and the worst list, closing the document. */
void auditreport_finish(auditreport *r, const audit_totals *t, buf *out);
/* True when an allocation failed (some groups or list entries are missing). */
bool auditreport_failed(const auditreport *r);

/* Parses "agent,day" into AUDIT_BY_* bits; false for an unknown word. */
bool audit_parse_by(const char *spec, unsigned *by);
/* The --fail-under keys, NULL-terminated, and the percentage one names (-1: nothing counts). */
extern const char *const audit_gate_keys[];
double audit_gate_value(const audit_totals *t, const char *key);

#endif
