/* SPDX-License-Identifier: MIT */
/* test-exitcode - the exit-code table keeps Postfix pipe(8) semantics. */
#include "config.h"

#include "exitcode.h"

struct exit_case {
  recoil_outcome outcome;
  int pipe;
  int admin;
  const char *name;
};

static const struct exit_case exit_cases[] = {
  { RECOIL_DONE, 0, 0, "done" },           { RECOIL_USAGE, 75, 64, "usage" },
  { RECOIL_CONFIG, 75, 78, "config" },     { RECOIL_TEMPORARY, 75, 75, "tempfail" },
  { RECOIL_INPUT, 75, 66, "input" },       { RECOIL_INVALID, 75, 65, "invalid" },
  { RECOIL_REJECT, 67, 67, "reject" },     { RECOIL_WORK_LEFT, 0, 75, "work-left" },
  { RECOIL_INTERNAL, 75, 70, "internal" },
};

static void
test_exitcode_case (gconstpointer data)
{
  const struct exit_case *c = data;

  g_assert_cmpint (exitcode_for (c->outcome, EXITCODE_PIPE), ==, c->pipe);
  g_assert_cmpint (exitcode_for (c->outcome, EXITCODE_ADMIN), ==, c->admin);
  g_assert_cmpstr (exitcode_name (c->outcome), ==, c->name);
  g_assert_nonnull (exitcode_meaning (c->outcome));
}

/* Every outcome is in the table above, so a new outcome fails here until
 * its codes are decided and tested. */
static void
test_exitcode_complete (void)
{
  g_assert_cmpint (G_N_ELEMENTS (exit_cases), ==, RECOIL_OUTCOME_COUNT);
  for (int o = 0; o < RECOIL_OUTCOME_COUNT; o++)
    g_assert_cmpint (exit_cases[o].outcome, ==, o);
}

/* In pipe mode only 0, 75 (defer) and 67 for an asked-for rejection may
 * appear: any other code makes Postfix bounce the mail. */
static void
test_exitcode_pipe_never_bounces (void)
{
  for (int o = 0; o < RECOIL_OUTCOME_COUNT; o++) {
    int code = exitcode_for ((recoil_outcome) o, EXITCODE_PIPE);

    if (o == RECOIL_REJECT)
      g_assert_cmpint (code, ==, 67);
    else
      g_assert_true (code == 0 || code == 75);
  }
}

static void
test_exitcode_out_of_range (void)
{
  g_assert_cmpint (exitcode_for ((recoil_outcome) 999, EXITCODE_PIPE), ==, 75);
  g_assert_cmpint (exitcode_for ((recoil_outcome) -1, EXITCODE_ADMIN), ==, 70);
  g_assert_cmpstr (exitcode_name ((recoil_outcome) 999), ==, "internal");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (exit_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/exitcode/%s", exit_cases[i].name);

    g_test_add_data_func (path, &exit_cases[i], test_exitcode_case);
  }
  g_test_add_func ("/exitcode/complete", test_exitcode_complete);
  g_test_add_func ("/exitcode/pipe-never-bounces", test_exitcode_pipe_never_bounces);
  g_test_add_func ("/exitcode/out-of-range", test_exitcode_out_of_range);
  return g_test_run ();
}
