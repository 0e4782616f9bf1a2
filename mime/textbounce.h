/* SPDX-License-Identifier: MIT */
/* textbounce - bounces written as free text (qmail, Exim, old Sendmail,
 * Exchange, webmail services, gateways ...)
 *
 * One generic reader driven by tables: each MTA family is a `struct
 * textbounce_family` row saying how to recognise its bounces and where in
 * the text the failed recipients are listed and where the returned message
 * starts.  The reader takes every address in that section, with the text
 * that follows it as its diagnostic.  A new MTA is a table row in one of
 * the rules-*.c files, not a new code path.
 */
#ifndef RECOIL_TEXTBOUNCE_H
#define RECOIL_TEXTBOUNCE_H

#include <glib.h>

enum {
  TEXTBOUNCE_TEMPORARY = 1 << 0,    /* this family only reports delays */
  TEXTBOUNCE_TO_FALLBACK = 1 << 1,  /* no address in the text: use the To of the returned message */
  TEXTBOUNCE_MAIL_ONHOLD = 1 << 2,  /* a refusal at MAIL FROM without a code is "on hold" (5.0.901) */
  TEXTBOUNCE_REASON_ABOVE = 1 << 3, /* the family writes the reason above the address */
  /* an SMTP transcript ("while talking to", ">>> RCPT", "<<< 550 ...",
   * "550 <a@b>... User unknown"): a recipient's words are its own status
   * line and the server's replies of its conversation, never the status
   * lines about the next host or address */
  TEXTBOUNCE_TRANSCRIPT = 1 << 4,
  /* the family gives the reason once, in the lines above the start line
   * ("Could not be delivered because of ... The following recipients were
   * affected:"); the lines by the recipients are no diagnostic */
  TEXTBOUNCE_REASON_BEFORE_START = 1 << 5
};

/* What a format's or a host's own words mean: a lower-case phrase of the
 * diagnostic and the reason it names; "" names the format's reason for
 * reports that give no status code. */
struct textbounce_says {
  const char *phrase;
  const char *reason;
  char command; /* only after this SMTP command (CLASSIFY_CMD_*), or 0 for any */
};

struct textbounce_family {
  const char *name; /* "qmail", "exim", ... (the event source is "heuristic:NAME") */
  /* detect - lower-case phrases; one of them in the From, the Subject or
   * the first part of the body identifies the family.  "from:",
   * "subject:" and "x-mailer:" prefixes restrict a phrase to that
   * header. */
  const char *const *detect;
  /* start - lower-case phrases of the line after which recipients are
   * listed; NULL: the whole section. */
  const char *const *start;
  /* end - lower-case phrases of the line where the returned message (or
   * other boilerplate) starts; the generic markers always apply too. */
  const char *const *end;
  unsigned flags;
  const struct textbounce_says *says; /* the family's own words, first match wins; or NULL */
};

/* A receiving host's own words: hosts are lower-case suffixes of the
 * remote MTA or of the recipient's domain. */
struct textbounce_host {
  const char *name;
  const char *const *hosts;
  const struct textbounce_says *says;
};

/* The tables, one file per group of families (rules-*.c). */
extern const struct textbounce_family rules_unix[];
extern const struct textbounce_family rules_services[];
extern const struct textbounce_family rules_gateways[];
extern const struct textbounce_host rules_hosts[];

/* What the reader knows about the message around the text. */
struct textbounce_context {
  const char *from;        /* From of the bounce */
  const char *subject;     /* Subject of the bounce, decoded */
  const char *mailer;      /* X-Mailer of the bounce, if any */
  const char *original_to; /* To of the returned message, if any */
  const char *const *skip; /* addresses never to report (the senders, the bounce's recipient) */
  const char *last_resort; /* skipped too, unless nobody else is named and there is no
                            * returned message to fall back on (the bounce's recipient:
                            * people do mail themselves) */
  guint max_rcpts;
  gboolean report; /* the mail says it is a delivery report (a delivery-status
                    * part, MAILER-DAEMON in Return-Path) whatever its From and
                    * Subject */
};

/* textbounce_looks_like_bounce - whether FROM and SUBJECT are those of a
 * delivery failure notice (mailer-daemon, postmaster, "Undeliverable", ...). */
gboolean textbounce_looks_like_bounce (const char *from, const char *subject);

/* textbounce_read - append struct fact * for the recipients of the free
 * text TEXT to FACTS.  Returns the family that matched (static), "generic"
 * when none did but recipients were found, or NULL when nothing was found.
 * *ANOMALIES gets ANOMALY_TOO_MANY_RCPTS when the cap is reached. */
const char *textbounce_read (const char *text, gsize len, const struct textbounce_context *ctx,
                             GPtrArray *facts, unsigned *anomalies);

/* textbounce_family_of - the name of the family whose phrases occur in
 * FROM, SUBJECT or the start of TEXT (static), or NULL. */
const char *textbounce_family_of (const char *from, const char *subject, const char *mailer, const char *text,
                                  gsize len);

/* textbounce_says - the reason the words of DIAGNOSTIC name in the
 * language of the receiving host (REMOTE_MTA, or the domain of RECIPIENT)
 * or of FAMILY (a family name, or NULL), for a failure with STATUS (or
 * NULL) after COMMAND (CLASSIFY_CMD_* or 0); static, or NULL. */
const char *textbounce_says (const char *family, const char *remote_mta, const char *recipient,
                             const char *diagnostic, const char *status, char command);

/* A report's free text, split into lines once so that each of its
 * recipients is looked up without reading it again.
 * textbounce_text_new / textbounce_text_free - prepare TEXT (LEN bytes)
 * and release it; NULL is fine for free.
 * textbounce_diagnostic_in - the diagnostic the text gives for RECIPIENT
 * (or, when RECIPIENT is NULL or absent, the text of the report's section),
 * or NULL.  Used to complete DSNs without Diagnostic-Code.  Caller frees
 * with g_free. */
struct textbounce_text;
struct textbounce_text *textbounce_text_new (const char *text, gsize len);
void textbounce_text_free (struct textbounce_text *tt);
char *textbounce_diagnostic_in (const struct textbounce_text *tt, const char *recipient);

/* textbounce_reply_whole - the whole of a multi-line SMTP reply of which
 * DIAGNOSTIC is the first line ("550-5.7.1 ..."), read from the transcript
 * in the text; continuation lines lose their code.  NULL when DIAGNOSTIC
 * is not such a line or the text does not hold the reply up to its last
 * line.  Sendmail puts only the first line of a reply in Diagnostic-Code.
 * Caller frees with g_free. */
char *textbounce_reply_whole (const struct textbounce_text *tt, const char *diagnostic);

#endif
