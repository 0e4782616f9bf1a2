/* SPDX-License-Identifier: MIT */
/* store-hold - hold the writer lock of the LMDB environment in DIR, as
 * another process stuck in a long write transaction would, for the fault
 * tests.
 *
 * store-hold DIR
 *   begins a write transaction, prints "held" on standard output and
 *   keeps it until SIGTERM or SIGINT, then aborts it and exits 0.
 */
#include "config.h"

#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t store_hold_stop;

static void
store_hold_on_signal (int sig)
{
  store_hold_stop = sig;
}

int
main (int argc, char **argv)
{
  MDB_env *env = NULL;
  MDB_txn *txn = NULL;
  struct sigaction sa = { 0 };
  int rc;

  if (argc != 2) {
    fprintf (stderr, "usage: store-hold DIR\n");
    return 2;
  }
  sa.sa_handler = store_hold_on_signal;
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  if ((rc = mdb_env_create (&env)) != 0 || (rc = mdb_env_set_maxdbs (env, 8)) != 0
      || (rc = mdb_env_open (env, argv[1], 0, 0600)) != 0 || (rc = mdb_txn_begin (env, NULL, 0, &txn)) != 0) {
    fprintf (stderr, "store-hold: %s\n", mdb_strerror (rc));
    return 1;
  }
  printf ("held\n");
  fflush (stdout);
  while (!store_hold_stop)
    pause ();
  mdb_txn_abort (txn);
  mdb_env_close (env);
  return 0;
}
