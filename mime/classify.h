/* SPDX-License-Identifier: MIT */
/* classify - from what a report says about one recipient to an event
 *
 * Readers (DSN, ARF, free-text heuristics) fill a `struct fact` with what
 * they found; classify_fact() decides the reason (Sisimai's names), the
 * category (PowerMTA's bounceCat names), the class (hard, soft, ignore) and
 * the enhanced status, from tables: the diagnostic's phrases weighed with
 * the status code and the SMTP command the failure came after, and the
 * reason the report's format or receiving host names (family_reason).
 * Sender-side trouble (policy, reputation,
 * authentication, content, blocked IPs, 5.7.x, 5.3.x, 5.5.x, 5.6.x, 5.1.7,
 * 5.1.8) is class ignore: never the recipient's fault.
 *
 * STANDARDS: RFC 3463 and the IANA enhanced status code registry (RFC 5248);
 * RFC 5321 4.2 reply codes.
 */
#ifndef RECOIL_CLASSIFY_H
#define RECOIL_CLASSIFY_H

#include <glib.h>

#include "event.h"

/* What a reader found about one recipient.  All strings owned. */
struct fact {
  char *recipient;           /* the address, as found */
  char *original;            /* DSN Original-Recipient when it names another address, or NULL */
  char *action;              /* DSN Action: failed, delayed, delivered, relayed, expanded */
  char *status;              /* enhanced status as found (DSN Status: or from text) */
  int reply_code;            /* SMTP reply code found, or 0 */
  char *diagnostic;          /* diagnostic text, unfolded */
  char *remote_mta;          /* Remote-MTA or a host named in the text */
  gboolean temporary;        /* the report says it is being retried / was a 4xx */
  const char *family;        /* static: "postfix", "qmail", ... or NULL */
  const char *family_reason; /* static: the reason the report's format says, or NULL */
  char command;              /* the SMTP command the failure came after: CLASSIFY_CMD_*, or 0 */
  char diag_type;            /* the Diagnostic-Code type: CLASSIFY_DIAG_*, or 0 (none given) */
  gboolean onhold_status;    /* without a status code, report the on-hold one whatever the reason */
  char *report_status;       /* the reporting MTA's own Status: field, before the remote's code in the
                              * diagnostic took its place; NULL when the report has none */
  gboolean warning;          /* the report as a whole says it is only a warning (the MTA goes on
                              * trying), for facts that give no Action */
  gboolean gave_up;          /* the report as a whole says the MTA gave up retrying ("Message could
                              * not be delivered for 5 days"): a temporary last answer is an expiry */
};

/* SMTP commands (struct fact.command). */
enum {
  CLASSIFY_CMD_CONN = 'C', /* the connection or greeting */
  CLASSIFY_CMD_HELO = 'H', /* HELO or EHLO */
  CLASSIFY_CMD_MAIL = 'M',
  CLASSIFY_CMD_RCPT = 'R',
  CLASSIFY_CMD_DATA = 'D'
};

/* Diagnostic-Code types (struct fact.diag_type). */
enum {
  CLASSIFY_DIAG_SMTP = 'S',   /* smtp; */
  CLASSIFY_DIAG_MAILER = 'U', /* x-unix; x-postfix; a local mailer's words */
  CLASSIFY_DIAG_OTHER = 'O'
};

/* fact_new / fact_free - allocate and free a fact; NULL is fine for free. */
struct fact *fact_new (void);
void fact_free (struct fact *fact);

/* classify_status_in_text - the first enhanced status code ("5.1.1",
 * class 2, 4 or 5, subject 0-9, detail up to 3 digits) in TEXT, or NULL;
 * caller frees with g_free. */
char *classify_status_in_text (const char *text);

/* classify_reply_in_text - the first SMTP reply code (2xx, 4xx or 5xx,
 * standing alone as a word) in TEXT, or 0. */
int classify_reply_in_text (const char *text);

/* classify_command_in - the SMTP command TEXT says a failure came after
 * (CLASSIFY_CMD_*), the mention nearest to RECIPIENT when it is named, or 0. */
char classify_command_in (const char *text, const char *recipient);

/* classify_fold - TEXT lower-cased (ASCII) with runs of white space as one
 * space; caller frees.  classify_command_near - classify_command_in on a
 * text already folded (FLAT) for the lower-case address WHO (or NULL):
 * reading one report for many recipients folds it once. */
char *classify_fold (const char *text);
char classify_command_near (const char *flat, const char *who);

/* classify_reason - the reason name for DIAGNOSTIC, STATUS and REPLY_CODE
 * (any may be NULL/0), whether the report is a delay (DELAYED) and the SMTP
 * COMMAND the failure came after (CLASSIFY_CMD_* or 0); static. */
const char *classify_reason (const char *diagnostic, const char *status, int reply_code, gboolean delayed,
                             char command);

/* classify_says_expired - whether TEXT says an MTA gave up after retrying
 * ("retry timeout exceeded", "Envelope expired", "could not be delivered
 * for 5 days", ...). */
gboolean classify_says_expired (const char *text);

/* classify_fact - an event of kind bounce (or delivered, for Action
 * delivered/relayed/expanded or a 2.x status) for FACT: address
 * normalised, reason, category, class, status (a Sisimai-style 5.0.9xx
 * code when the report gave none), reply code, diagnostic, remote MTA and
 * SOURCE.  Caller frees with event_free. */
struct event *classify_fact (const struct fact *fact, const char *source);

/* classify_category - PowerMTA's bounceCat name for REASON; static. */
const char *classify_category (const char *reason);

/* classify_is_hard - whether REASON is a hard bounce (the recipient's
 * address itself is bad) when the failure is permanent. */
gboolean classify_is_hard (const char *reason);

#endif
