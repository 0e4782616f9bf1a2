/* SPDX-License-Identifier: MIT */
/* policy - from an event and an address's record to a decision
 *
 * Defaults (design.md 4): a hard bounce suppresses at once; soft bounces
 * suppress at 5, counted at most once a day and forgotten after 30 quiet
 * days (Mailman 3's rule); a complaint suppresses at once; an unsubscribe
 * request unsubscribes at once; class ignore (sender-side trouble) is
 * recorded and never counted.  An address the operator flagged `ignore` is
 * never acted on, and an address already suppressed or unsubscribed is not
 * acted on again.  The clock is a parameter, so tests walk days forward.
 */
#ifndef RECOIL_POLICY_H
#define RECOIL_POLICY_H

#include <glib.h>

#include "conf.h"
#include "mime/event.h"
#include "record.h"

struct policy_rules {
  gint64 hard_threshold;
  gint64 soft_threshold;
  gint64 soft_window; /* seconds */
  gint64 complaint_threshold;
  gint64 unsubscribe_threshold;
};

typedef enum {
  POLICY_NONE = 0,   /* recorded, nothing to do */
  POLICY_SUPPRESS,   /* stop mailing: bounced or complained past a threshold */
  POLICY_UNSUBSCRIBE /* the subscriber asked to be removed */
} policy_outcome;

struct policy_decision {
  policy_outcome outcome;
  const char *why;  /* static: "hard", "soft", "complaint", "unsubscribe", or NULL */
  gboolean counted; /* the event changed a counter that can lead to a decision */
  gboolean repeat;  /* the address was already stopped: no new action */
  gboolean ignored; /* the operator's ignore flag held the decision back */
};

/* policy_rules_from_conf - the [policy] thresholds of CONF. */
void policy_rules_from_conf (const struct conf *conf, struct policy_rules *rules);

/* policy_apply - update R for E as of NOW (unix seconds) and say what to
 * do.  The state in R changes only when a new decision is taken. */
struct policy_decision policy_apply (const struct policy_rules *rules, struct record *r,
                                     const struct event *e, gint64 now);

/* One action for one provider, as the outbox keeps it. */
struct policy_action {
  const char *provider; /* borrowed from the configuration */
  const char *action;   /* "unsubscribe", "blocklist", "record" */
  int scope;            /* enum provider_scope */
};

/* policy_route - the actions DECISION asks of the providers of CONF for E,
 * whose mail went out with envelope SENDER (may be NULL).  A provider gets
 * them when E names it (hints.provider), or when its `senders` patterns
 * match SENDER, or when it has no patterns.  Actions it was already given
 * for R (record_acted) are not repeated.  Appends struct policy_action *
 * (caller frees with g_free) to OUT. */
void policy_route (const struct conf *conf, const struct event *e, const char *sender, const struct record *r,
                   const struct policy_decision *decision, GPtrArray *out);

#endif
