/* SPDX-License-Identifier: MIT */
/* test-policy - thresholds, once-a-day soft counting, the quiet window, the
 * ignore flag, repeats and routing, with the clock walked by hand. */
#include "config.h"

#include <string.h>

#include "policy.h"
#include "providers/provider.h"

#define DAY 86400
#define T0 (G_GINT64_CONSTANT (20413) * DAY + 3600) /* 2025-11-21 01:00 UTC */

/* One step of a scenario: an event of KIND/KLASS at T0 + AT seconds, and
 * what the policy must answer. */
struct step {
  gint64 at;
  event_kind kind;
  event_class klass;
  policy_outcome outcome;
  gboolean repeat;
  guint32 soft_after; /* record.soft after the step */
};

struct scenario {
  const char *name;
  struct policy_rules rules;
  gboolean ignore_flag;
  struct step steps[12];
  record_state final;
};

#define R1                                                                                                   \
  {                                                                                                          \
    1, 5, 30 * DAY, 1, 1                                                                                     \
  }
#define R3                                                                                                   \
  {                                                                                                          \
    3, 3, 30 * DAY, 2, 1                                                                                     \
  }
#define END                                                                                                  \
  {                                                                                                          \
    -1, 0, 0, 0, FALSE, 0                                                                                    \
  }
#define B EVENT_KIND_BOUNCE
#define C EVENT_KIND_COMPLAINT
#define U EVENT_KIND_UNSUBSCRIBE
#define HARD EVENT_CLASS_HARD
#define SOFT EVENT_CLASS_SOFT
#define IGN EVENT_CLASS_IGNORE
#define NONE_ POLICY_NONE
#define SUP POLICY_SUPPRESS

static const struct scenario scenarios[] = {
  { "hard-threshold-1", R1, FALSE, { { 0, B, HARD, SUP, FALSE, 0 }, END }, RECORD_SUPPRESSED },
  { "hard-threshold-3",
    R3,
    FALSE,
    { { 0, B, HARD, NONE_, FALSE, 0 },
      { 10, B, HARD, NONE_, FALSE, 0 },
      { 20, B, HARD, SUP, FALSE, 0 },
      END },
    RECORD_SUPPRESSED },
  { "soft-once-a-day",
    R1,
    FALSE,
    { { 0, B, SOFT, NONE_, FALSE, 1 },
      { 60, B, SOFT, NONE_, FALSE, 1 },
      { 3600, B, SOFT, NONE_, FALSE, 1 },
      { 22 * 3600, B, SOFT, NONE_, FALSE, 1 }, /* 23:00 the same day */
      { 23 * 3600, B, SOFT, NONE_, FALSE, 2 }, /* 00:00 the next day */
      END },
    RECORD_ACTIVE },
  { "soft-five-days",
    R1,
    FALSE,
    { { 0, B, SOFT, NONE_, FALSE, 1 },
      { DAY, B, SOFT, NONE_, FALSE, 2 },
      { 2 * DAY, B, SOFT, NONE_, FALSE, 3 },
      { 3 * DAY, B, SOFT, NONE_, FALSE, 4 },
      { 4 * DAY, B, SOFT, SUP, FALSE, 5 },
      END },
    RECORD_SUPPRESSED },
  { "soft-forgotten-after-quiet-window",
    R1,
    FALSE,
    { { 0, B, SOFT, NONE_, FALSE, 1 },
      { DAY, B, SOFT, NONE_, FALSE, 2 },
      { 2 * DAY, B, SOFT, NONE_, FALSE, 3 },
      { 2 * DAY + 31 * DAY, B, SOFT, NONE_, FALSE, 1 }, /* 31 quiet days: start again */
      { 2 * DAY + 32 * DAY, B, SOFT, NONE_, FALSE, 2 },
      END },
    RECORD_ACTIVE },
  { "soft-window-edge-30-days-kept",
    R1,
    FALSE,
    { { 0, B, SOFT, NONE_, FALSE, 1 }, { 30 * DAY, B, SOFT, NONE_, FALSE, 2 }, END },
    RECORD_ACTIVE },
  { "ignore-class-never-counts",
    R1,
    FALSE,
    { { 0, B, IGN, NONE_, FALSE, 0 },
      { DAY, B, IGN, NONE_, FALSE, 0 },
      { 2 * DAY, B, IGN, NONE_, FALSE, 0 },
      END },
    RECORD_ACTIVE },
  { "complaint-1", R1, FALSE, { { 0, C, EVENT_CLASS_NONE, SUP, FALSE, 0 }, END }, RECORD_SUPPRESSED },
  { "complaint-2",
    R3,
    FALSE,
    { { 0, C, EVENT_CLASS_NONE, NONE_, FALSE, 0 }, { 5, C, EVENT_CLASS_NONE, SUP, FALSE, 0 }, END },
    RECORD_SUPPRESSED },
  { "not-spam-report-not-counted", R1, FALSE, { { 0, C, IGN, NONE_, FALSE, 0 }, END }, RECORD_ACTIVE },
  { "unsubscribe",
    R1,
    FALSE,
    { { 0, U, EVENT_CLASS_NONE, POLICY_UNSUBSCRIBE, FALSE, 0 }, END },
    RECORD_UNSUBSCRIBED },
  { "suppressed-not-repeated",
    R1,
    FALSE,
    { { 0, B, HARD, SUP, FALSE, 0 },
      { DAY, B, HARD, SUP, TRUE, 0 },
      { 2 * DAY, C, EVENT_CLASS_NONE, SUP, TRUE, 0 },
      END },
    RECORD_SUPPRESSED },
  { "unsubscribe-after-suppress",
    R1,
    FALSE,
    { { 0, B, HARD, SUP, FALSE, 0 }, { DAY, U, EVENT_CLASS_NONE, POLICY_UNSUBSCRIBE, FALSE, 0 }, END },
    RECORD_UNSUBSCRIBED },
  { "operator-ignore-flag",
    R1,
    TRUE,
    { { 0, B, HARD, NONE_, FALSE, 0 },
      { DAY, C, EVENT_CLASS_NONE, NONE_, FALSE, 0 },
      { 2 * DAY, U, EVENT_CLASS_NONE, NONE_, FALSE, 0 },
      END },
    RECORD_ACTIVE },
};

static void
test_scenario (gconstpointer data)
{
  const struct scenario *sc = data;
  struct record r;

  record_init (&r);
  r.ignore = sc->ignore_flag;
  for (int i = 0; sc->steps[i].at >= 0; i++) {
    const struct step *st = &sc->steps[i];
    g_autoptr (event_t) e = event_new ();
    struct policy_decision d;

    e->kind = st->kind;
    e->klass = st->klass;
    e->status = g_strdup ("5.1.1");
    e->reason = g_strdup ("userunknown");
    d = policy_apply (&sc->rules, &r, e, T0 + st->at);
    g_test_message ("step %d: outcome %d repeat %d soft %u", i, d.outcome, d.repeat, r.soft);
    g_assert_cmpint (d.outcome, ==, st->outcome);
    g_assert_cmpint (d.repeat, ==, st->repeat);
    g_assert_cmpuint (r.soft, ==, st->soft_after);
    if (sc->ignore_flag && st->kind != EVENT_KIND_AUTOREPLY)
      g_assert_true (d.ignored || !d.counted);
  }
  g_assert_cmpint (r.state, ==, sc->final);
  record_clear (&r);
}

/* Bounce facts are remembered: first, last and the last three times. */
static void
test_bounce_times (void)
{
  struct policy_rules rules = R3;
  struct record r;

  record_init (&r);
  for (int i = 0; i < 5; i++) {
    g_autoptr (event_t) e = event_new ();

    e->kind = EVENT_KIND_BOUNCE;
    e->klass = EVENT_CLASS_SOFT;
    e->status = g_strdup_printf ("4.2.%d", i);
    e->reason = g_strdup ("mailboxfull");
    e->category = g_strdup ("quota-issues");
    policy_apply (&rules, &r, e, T0 + i * DAY);
  }
  g_assert_cmpint (r.first_bounce, ==, T0);
  g_assert_cmpint (r.last_bounce, ==, T0 + 4 * DAY);
  g_assert_cmpint (r.recent[0], ==, T0 + 4 * DAY);
  g_assert_cmpint (r.recent[1], ==, T0 + 3 * DAY);
  g_assert_cmpint (r.recent[2], ==, T0 + 2 * DAY);
  g_assert_cmpstr (r.last_status, ==, "4.2.4");
  g_assert_cmpstr (r.last_category, ==, "quota-issues");
  g_assert_cmpint (r.state, ==, RECORD_SUPPRESSED); /* soft threshold 3 */
  g_assert_cmpstr (r.state_reason, ==, "soft");
  g_assert_cmpint (r.changed, ==, T0 + 2 * DAY);
  record_clear (&r);
}

/* route: providers by name hint, by sender pattern, or all; not twice. */
static void
test_route (void)
{
  struct conf conf = { 0 };
  struct provider_settings mw = { 0 }, hook = { 0 }, other = { 0 };
  char *mw_actions[] = { (char *) "unsubscribe", (char *) "record", NULL };
  char *hook_actions[] = { (char *) "blocklist", NULL };
  char *promo[] = { (char *) "*@promo.example.com", NULL };
  struct policy_decision d = { POLICY_SUPPRESS, "hard", TRUE, FALSE, FALSE };
  g_autoptr (event_t) e = event_new ();
  struct record r;

  mw.name = (char *) "mw";
  mw.actions = mw_actions;
  hook.name = (char *) "hook";
  hook.actions = hook_actions;
  other.name = (char *) "promo";
  other.actions = hook_actions;
  other.senders = promo;
  conf.providers = g_ptr_array_new ();
  g_ptr_array_add (conf.providers, &mw);
  g_ptr_array_add (conf.providers, &hook);
  g_ptr_array_add (conf.providers, &other);
  e->kind = EVENT_KIND_BOUNCE;
  record_init (&r);
  {
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

    policy_route (&conf, e, "news@example.com", &r, &d, out);
    g_assert_cmpuint (out->len, ==, 3); /* mw unsubscribe+record, hook blocklist; promo's pattern misses */
    /* the bounce is recorded before the unsubscribe, whatever the order in the file */
    g_assert_cmpstr (((struct policy_action *) out->pdata[0])->action, ==, "record");
    g_assert_cmpstr (((struct policy_action *) out->pdata[1])->action, ==, "unsubscribe");
  }
  {
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

    policy_route (&conf, e, "Offers@PROMO.example.com", &r, &d, out);
    g_assert_cmpuint (out->len, ==, 4);
  }
  {
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

    e->hints.provider = g_strdup ("hook");
    policy_route (&conf, e, "news@example.com", &r, &d, out);
    g_assert_cmpuint (out->len, ==, 1);
    g_assert_cmpstr (((struct policy_action *) out->pdata[0])->provider, ==, "hook");
    g_clear_pointer (&e->hints.provider, g_free);
  }
  {
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

    record_acted_add (&r, "mw:unsubscribe");
    e->kind = EVENT_KIND_COMPLAINT; /* complaints are recorded too (listmonk has the type) */
    policy_route (&conf, e, "news@example.com", &r, &d, out);
    g_assert_cmpuint (out->len, ==, 2);
    g_assert_cmpstr (((struct policy_action *) out->pdata[0])->action, ==, "record");
    g_assert_cmpstr (((struct policy_action *) out->pdata[1])->action, ==, "blocklist");
  }
  {
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

    e->kind = EVENT_KIND_UNSUBSCRIBE; /* a request is not a bounce to record */
    policy_route (&conf, e, "news@example.com", &r, &d, out);
    g_assert_cmpuint (out->len, ==, 1);
    g_assert_cmpstr (((struct policy_action *) out->pdata[0])->action, ==, "blocklist");
  }
  {
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
    struct policy_decision repeat = d;

    repeat.repeat = TRUE;
    policy_route (&conf, e, "news@example.com", &r, &repeat, out);
    g_assert_cmpuint (out->len, ==, 0);
  }
  record_clear (&r);
  g_ptr_array_unref (conf.providers);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (scenarios); i++) {
    g_autofree char *path = g_strdup_printf ("/policy/%s", scenarios[i].name);

    g_test_add_data_func (path, &scenarios[i], test_scenario);
  }
  g_test_add_func ("/policy/bounce-times", test_bounce_times);
  g_test_add_func ("/policy/route", test_route);
  return g_test_run ();
}
