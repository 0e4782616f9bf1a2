/* SPDX-License-Identifier: MIT */
/* dispatch - carry out the outbox's actions at the providers
 *
 * The dispatcher claims due outbox entries (store_outbox_claim: each gets
 * an attempt and a lease, so that two processes never run the same entry
 * at once), hands each to its provider type (providers/provider.h) and
 * runs the HTTP requests the types ask for with libcurl multi: connections
 * are kept alive and reused, at most `parallel` requests per provider are
 * in flight, connect and total timeouts apply, TLS is verified.
 *
 * How an action ends decides what happens to its entry:
 *   done   the entry is removed;
 *   retry  (no answer, timeout, 408/425/429/5xx, an unreadable answer) the
 *          entry is rescheduled with exponential backoff and jitter, or
 *          with the provider's Retry-After when longer; an action still
 *          failing `give_up` after its decision is parked;
 *   park   (a 4xx retrying cannot fix, an answer the API documents as
 *          final) the entry is kept with the answer for the operator.
 * Outcomes are written in batches; an entry whose outcome was not written
 * (recoil killed in the middle) becomes due again when its lease ends, and
 * is carried out again: the actions are idempotent at the providers.
 *
 * This file and providers/ (libcurl, libxml2) are linked only into the
 * helper program recoil-dispatch (dispatch-main.c), never into recoil
 * itself, so that a `recoil mail` invocation does not pay for loading
 * them; recoil runs the helper when there is something to send
 * (dispatch-spawn.h).
 */
#ifndef RECOIL_DISPATCH_H
#define RECOIL_DISPATCH_H

#include <glib.h>

#include "conf.h"
#include "store.h"

struct dispatch_options {
  gint64 deadline_ms; /* stop after this long (unfinished actions stay due); 0 = no deadline */
  guint64 first;      /* only entries with ids first..last */
  guint64 last;
  gboolean claimed; /* first..last were claimed by store_apply (store_set_claim): run just those, once */
  gboolean once;    /* one pass: each due entry is tried at most once */
};

struct dispatch_report {
  guint done, retried, parked, released;
};

/* dispatch_backoff - seconds to wait after ATTEMPTS failed attempts:
 * backoff_min doubled per attempt up to backoff_max, times JITTER (0.75 to
 * 1.25), at least RETRY_AFTER (capped at backoff_max). */
gint64 dispatch_backoff (const struct conf *conf, guint attempts, gint64 retry_after, double jitter);

/* dispatch_run - run due actions in S as OPTIONS say; REPORT counts the
 * outcomes.  FALSE with ERROR only on store trouble. */
gboolean dispatch_run (struct store *s, const struct conf *conf, const struct dispatch_options *options,
                       struct dispatch_report *report, GError **error);

#endif
