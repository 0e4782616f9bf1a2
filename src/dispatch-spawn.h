/* SPDX-License-Identifier: MIT */
/* dispatch-spawn - how recoil hands work to its dispatcher program
 *
 * The dispatcher (dispatch.c, providers/) links libcurl and libxml2, which
 * with their dependencies cost several milliseconds to load; recoil mail
 * runs for a few.  So they live in a helper program, recoil-dispatch, that
 * recoil starts only when provider actions are due: `recoil retry` becomes
 * it, and `recoil mail` and `recoil acct` run it on the actions they just
 * created and wait for it (at most inline_deadline_ms and a little).
 *
 * The helper is found, in this order, at $RECOIL_DISPATCH, beside the
 * running recoil executable (the build tree), or in the package's libexec
 * directory.
 */
#ifndef RECOIL_DISPATCH_SPAWN_H
#define RECOIL_DISPATCH_SPAWN_H

#include <glib.h>

#include "cli.h"
#include "conf.h"
#include "store.h"

/* dispatch_lease - how long a claimed entry is left alone by other
 * processes, seconds: long enough for a whole action's requests. */
gint64 dispatch_lease (const struct conf *conf);

/* dispatch_inline_wanted - whether recoil mail and acct should claim new
 * actions and have them tried right away (providers configured and
 * inline_deadline_ms > 0); when so, call store_set_claim with
 * dispatch_lease before store_apply. */
gboolean dispatch_inline_wanted (const struct conf *conf);

/* dispatch_helper_path - where recoil-dispatch is; caller frees. */
char *dispatch_helper_path (void);

/* dispatch_inline - run the helper on the actions store_apply just
 * created for RESULTS (N of them) and wait for it.  Trouble is logged,
 * never fatal: the decisions are committed and the actions wait in the
 * outbox for recoil retry. */
void dispatch_inline (const struct cli *cli, const struct conf *conf, const struct store_result *results,
                      guint n);

/* dispatch_exec_retry - replace this process with the helper running
 * `retry` (ONCE, DEADLINE seconds, 0 = none); returns only on failure. */
recoil_outcome dispatch_exec_retry (const struct cli *cli, gboolean once, gint deadline);

#endif
