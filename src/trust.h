/* SPDX-License-Identifier: MIT */
/* trust - what a returned mail may change: recoil's trust model, in one place
 *
 * Anyone can mail recoil.  Under [verp] signature = enforce (the default),
 * a mail changes an address's state only when something recoil signed
 * names that address:
 *
 *   mail sent to                     acts on
 *   -------------------------------  -----------------------------------------
 *   a signed return path             the one recipient it names; any other
 *   (bounce_domain)                  recipient the report lists is recorded
 *                                    as an untrusted fact
 *   any other local part at the      nobody
 *   bounce domain
 *   a signed unsubscribe address     an unsubscribe request for the
 *   (unsub_domain)                   subscriber it names (never a bounce or
 *                                    an auto-reply sent back to it)
 *   any other address (a feedback-   a complaint or bounce about an address
 *   loop address, no --to at all)    the returned original proves was sent
 *                                    by recoil's user: its Return-Path (or
 *                                    the report's Original-Mail-From,
 *                                    X-Postfix-Sender) or its
 *                                    List-Unsubscribe mailto: is a valid
 *                                    signed address for that same address;
 *                                    or a complaint from a trusted reporter
 *                                    whose DKIM signature the receiving
 *                                    MTA's Authentication-Results (with our
 *                                    authserv-id) says passed
 *
 * A mere "unsubscribe" mail is a request only at a signed unsubscribe
 * address.  Domains compare without case and without a final dot.  What
 * is not believed is still recorded, counted as untrusted and logged.
 *
 * signature = warn believes what enforce would not (unsigned return paths,
 * complaints and requests without evidence), with a warning each time; it
 * is for moving over from plain VERP, and lets anyone who can mail the
 * bounce or feedback-loop address suppress any address.  signature = off
 * does the same silently.
 */
#ifndef RECOIL_TRUST_H
#define RECOIL_TRUST_H

#include <glib.h>

#include "conf.h"
#include "mime/parse.h"
#include "ourdomain.h"

/* The envelope of one mail. */
struct trust_envelope {
  const char *from; /* envelope sender; NULL or "" for <> */
  const char *to;   /* envelope recipient; NULL when not given */
  gint64 now;       /* unix seconds, for signature stamps */
};

/* What trust_mail found out about the mail as a whole. */
struct trust_mail {
  ourdomain_which which;      /* which of our domains TO is at */
  gboolean ours;              /* at one of them, an accepted scheme read the local part */
  const char *why;            /* static: why the mail is kept in the quarantine, or NULL */
  const struct event *target; /* the event the signed return path named, if any */
  GPtrArray *untrusted;       /* of const char * (static), parallel to result->events:
                               * why each event may not change state, or NULL */
};

/* trust_mail - apply the trust model to RESULT, the parse of a mail with
 * envelope ENV, under CONF: the identity a signed address carries goes
 * into the event it names (or, at the unsubscribe domain, RESULT's events
 * become the one request), and OUT->untrusted says for each event whether
 * it may act.  Clear OUT with trust_mail_clear. */
void trust_mail (const struct conf *conf, const struct trust_envelope *env, struct parse_result *result,
                 struct trust_mail *out);

/* trust_mail_clear - free what OUT holds. */
void trust_mail_clear (struct trust_mail *out);

/* trust_signed_address - when ADDRESS (angle brackets, BATV and SRS
 * wrappers allowed) is a recoil-signed address of KIND (OURDOMAIN_BOUNCE
 * or OURDOMAIN_UNSUB) at CONF's domain for it, with a valid signature as
 * of NOW: the subscriber address it carries, normalised (caller frees);
 * otherwise NULL. */
char *trust_signed_address (const struct conf *conf, ourdomain_which kind, const char *address, gint64 now);

/* trust_dkim_pass - whether one of AUTH_RESULTS (Authentication-Results
 * values, RFC 8601) written by AUTHSERV_ID says a DKIM signature of
 * DOMAIN, or of a domain DOMAIN is under, passed, for a domain among
 * TRUSTED (or under one of them).  Comments are ignored; results from
 * other authserv-ids are never believed. */
gboolean trust_dkim_pass (const GPtrArray *auth_results, const char *authserv_id, const char *domain,
                          char **trusted);

/* trust_posture - a sentence for `recoil config check` on what CONF lets
 * a stranger do, or NULL when it is the enforced model (static). */
const char *trust_posture (const struct conf *conf);

#endif
