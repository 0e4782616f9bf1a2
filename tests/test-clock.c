/* SPDX-License-Identifier: MIT */
/* test-clock - day numbers and dates agree with GLib's calendar, and
 * RECOIL_NOW's forms read as documented. */
#include "config.h"

#include "clock.h"

/* clock_format_day against GDateTime's calendar (zero-padded years), for every day of the 1900s to the
 * 2100s and every 97th day of the years 1 to 9999. */
static void
test_clock_format_day (void)
{
  g_autoptr (GDateTime) first = g_date_time_new_utc (1, 1, 1, 0, 0, 0);
  g_autoptr (GDateTime) last = g_date_time_new_utc (9999, 12, 31, 0, 0, 0);
  gint64 lo = g_date_time_to_unix (first) / 86400, hi = g_date_time_to_unix (last) / 86400;
  guint checked = 0;

  for (gint64 day = lo; day <= hi; day += (day > -26000 && day < 47500) ? 1 : 97) {
    g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (day * 86400);
    int y, m, d;
    g_autofree char *want = NULL;
    g_autofree char *got = clock_format_day (day);

    g_date_time_get_ymd (dt, &y, &m, &d);
    want = g_strdup_printf ("%04d-%02d-%02d", y, m, d);

    if (g_strcmp0 (got, want) != 0)
      g_error ("day %" G_GINT64_FORMAT ": %s, GLib says %s", day, got, want);
    checked++;
  }
  g_assert_cmpuint (checked, >, 100000);
  {
    g_autofree char *end = clock_format_day (hi);
    g_autofree char *after = clock_format_day (hi + 1);
    g_autofree char *before = clock_format_day (lo - 1);
    g_autofree char *epoch = clock_format_day (0);
    g_autofree char *leap = clock_format_day (11016);

    g_assert_cmpstr (end, ==, "9999-12-31");
    g_assert_cmpstr (after, ==, "?");
    g_assert_cmpstr (before, ==, "?");
    g_assert_cmpstr (epoch, ==, "1970-01-01");
    g_assert_cmpstr (leap, ==, "2000-02-29");
  }
}

static void
test_clock_day_of (void)
{
  g_assert_cmpint (clock_day_of (0), ==, 0);
  g_assert_cmpint (clock_day_of (86399), ==, 0);
  g_assert_cmpint (clock_day_of (86400), ==, 1);
  g_assert_cmpint (clock_day_of (-1), ==, -1);
  g_assert_cmpint (clock_day_of (-86400), ==, -1);
  g_assert_cmpint (clock_day_of (-86401), ==, -2);
  g_assert_cmpint (clock_day_of (1795219200), ==, 20778); /* 2026-11-21 */
}

static void
test_clock_format_stamp (void)
{
  static const gint64 times[] = { 0, 59, 3599, 86399, 951782400, 1795255199, -1, -86401, 253402300799 };

  for (gsize i = 0; i < G_N_ELEMENTS (times); i++) {
    g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (times[i]);
    g_autofree char *want = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
    g_autofree char *got = clock_format_stamp (times[i]);

    g_assert_cmpstr (got, ==, want);
  }
  {
    g_autofree char *after = clock_format_stamp (253402300800);

    g_assert_cmpstr (after, ==, "?");
  }
}

static void
test_clock_parse (void)
{
  gint64 s = -1;

  g_assert_true (clock_parse ("1795219200", &s));
  g_assert_cmpint (s, ==, 1795219200);
  g_assert_true (clock_parse ("2026-11-21", &s));
  g_assert_cmpint (s, ==, 1795219200);
  g_assert_true (clock_parse ("2026-11-21T10:00:00Z", &s));
  g_assert_cmpint (s, ==, 1795219200 + 36000);
  g_assert_true (clock_parse ("2026-11-21T10:00:00+02:00", &s));
  g_assert_cmpint (s, ==, 1795219200 + 28800);
  g_assert_true (clock_parse ("2026-11-21 10:00:00", &s));
  g_assert_cmpint (s, ==, 1795219200 + 36000);
  g_assert_true (clock_parse ("2026-11-21 10:00:00 UTC", &s));
  g_assert_cmpint (s, ==, 1795219200 + 36000);
  g_assert_false (clock_parse ("2026-11-21 10:00:00 CET", &s));
  g_assert_false (clock_parse ("2026-11-21 10", &s));
  g_assert_false (clock_parse ("", &s));
  g_assert_false (clock_parse (NULL, &s));
  g_assert_false (clock_parse ("yesterday", &s));
  g_assert_false (clock_parse ("2026-13-01", &s));
  g_assert_false (clock_parse ("-5", &s));
  g_assert_false (clock_parse ("99999999999999999999", &s));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/clock/format-day", test_clock_format_day);
  g_test_add_func ("/clock/day-of", test_clock_day_of);
  g_test_add_func ("/clock/format-stamp", test_clock_format_stamp);
  g_test_add_func ("/clock/parse", test_clock_parse);
  return g_test_run ();
}
