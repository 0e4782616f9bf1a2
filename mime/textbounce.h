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
  TEXTBOUNCE_TEMPORARY = 1 << 0,   /* this family only reports delays */
  TEXTBOUNCE_TO_FALLBACK = 1 << 1, /* no address in the text: use the To of the returned message */
  TEXTBOUNCE_RCPT_STAGE = 1 << 2   /* the family reports recipients refused at RCPT time */
};

struct textbounce_family {
  const char *name; /* "qmail", "exim", ... (the event source is "heuristic:NAME") */
  /* detect - lower-case phrases; one of them in the From, the Subject or
   * the first part of the body identifies the family.  "from:" and
   * "subject:" prefixes restrict a phrase to that header. */
  const char *const *detect;
  /* start - lower-case phrases of the line after which recipients are
   * listed; NULL: the whole section. */
  const char *const *start;
  /* end - lower-case phrases of the line where the returned message (or
   * other boilerplate) starts; the generic markers always apply too. */
  const char *const *end;
  unsigned flags;
  const char *reason; /* what the family's bounces mean when their words say nothing, or NULL */
};

/* The tables, one file per group of families (rules-*.c). */
extern const struct textbounce_family rules_unix[];
extern const struct textbounce_family rules_services[];
extern const struct textbounce_family rules_gateways[];

/* What the reader knows about the message around the text. */
struct textbounce_context {
  const char *from;        /* From of the bounce */
  const char *subject;     /* Subject of the bounce, decoded */
  const char *original_to; /* To of the returned message, if any */
  const char *const *skip; /* addresses never to report (the senders, the bounce's recipient) */
  const char *last_resort; /* skipped too, unless nobody else is named and there is no
                            * returned message to fall back on (the bounce's recipient:
                            * people do mail themselves) */
  guint max_rcpts;
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

/* textbounce_diagnostic_for - the diagnostic text that TEXT gives for
 * RECIPIENT (or, when RECIPIENT is NULL or absent, for the only failure it
 * describes), or NULL.  Used to complete DSNs without Diagnostic-Code.
 * Caller frees with g_free. */
char *textbounce_diagnostic_for (const char *text, gsize len, const char *recipient);

#endif
