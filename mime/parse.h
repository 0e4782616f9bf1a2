/* SPDX-License-Identifier: MIT */
/* parse - one returned mail in, its events out
 *
 * Reads a message of any shape (RFC 3464 DSN, RFC 6533 global DSN, RFC
 * 5965 ARF, Microsoft JMRP, free-text bounces, RFC 3834 auto-replies,
 * List-Unsubscribe requests, anything else) with GMime and returns what it
 * is and one event per recipient it names, with identity hints read from
 * the returned original message.  Every message yields a result, even an
 * empty one of kind unknown; defects and passed limits are anomalies.
 */
#ifndef RECOIL_PARSE_H
#define RECOIL_PARSE_H

#include <glib.h>

#include "anomaly.h"
#include "event.h"

struct parse_limits {
  gsize max_size;       /* bytes of input read; the rest is ignored */
  guint max_depth;      /* MIME nesting */
  guint max_parts;      /* MIME parts visited */
  gsize max_field;      /* one header or report field */
  guint max_recipients; /* recipients per report */
  gsize max_text;       /* bytes of body text searched by the heuristics */
};

/* parse_limits_default - 25 MB, depth 8, 256 parts, 16 KB fields, 1000
 * recipients, 1 MB of text. */
void parse_limits_default (struct parse_limits *limits);

enum {
  PARSE_EXPECT_UNSUB = 1 << 0, /* sent to the unsubscribe domain: a plain mail is a request */
  PARSE_ONE_SHOT = 1 << 1      /* the process exits after this message: GMime's tree of it is
                                * left to the exit rather than freed object by object */
};

/* What a returned mail says that a sender's signature can be checked
 * against (src/trust.c decides what to believe).  Strings are as the mail
 * has them, bounded by max_field; every array is owned, of char *. */
struct parse_evidence {
  GPtrArray *senders;      /* envelope senders of the returned original: its Return-Path header,
                            * an ARF report's Original-Mail-From, a DSN's X-Postfix-Sender */
  GPtrArray *unsubscribe;  /* the mailto: addresses of the original's List-Unsubscribe */
  GPtrArray *web_unsub;    /* its http(s) List-Unsubscribe URIs */
  GPtrArray *auth_results; /* Authentication-Results values of the mail itself, top first */
  char *reporter_domain;   /* the domain of the mail's From, lower case, or NULL */
};

struct parse_result {
  event_kind kind;          /* what the message is, overall */
  GPtrArray *events;        /* of struct event *, owned; one per recipient */
  unsigned anomalies;       /* enum anomaly bits */
  char *source;             /* "dsn", "arf", "jmrp", "heuristic:exim", "autoreply", "unsub-mail", or NULL */
  char *from;               /* the message's From address, normalised, or NULL */
  char *subject;            /* decoded Subject, or NULL */
  char *message_id;         /* Message-ID of the message itself, or NULL */
  struct event_hints hints; /* read from the returned original message */
  struct parse_evidence evidence;
};

/* parse_message - read DATA (LEN bytes; any line ends) within LIMITS (NULL
 * for the defaults).  Never fails.  Free with parse_result_free. */
struct parse_result *parse_message (const char *data, gsize len, const struct parse_limits *limits,
                                    unsigned flags);

/* parse_result_free - free RESULT and its events; NULL is fine. */
void parse_result_free (struct parse_result *result);

#endif
