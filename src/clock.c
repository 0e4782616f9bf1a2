/* SPDX-License-Identifier: MIT */
/* clock - real or injected time. */
#include "config.h"

#include <string.h>

#include "clock.h"

gboolean
clock_parse (const char *text, gint64 *seconds)
{
  g_autoptr (GDateTime) dt = NULL;
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  gint64 n;

  if (text == NULL || *text == '\0')
    return FALSE;
  if (g_ascii_string_to_signed (text, 10, 0, G_GINT64_CONSTANT (253402300799), &n, NULL)) {
    *seconds = n;
    return TRUE;
  }
  if (strlen (text) == 10) {
    g_autofree char *full = g_strconcat (text, "T00:00:00", NULL);

    dt = g_date_time_new_from_iso8601 (full, utc);
  } else if (strlen (text) >= 19 && text[10] == ' ') {
    /* "2026-11-21 12:00:00" and "2026-11-21 12:00:00 UTC", as people and
     * older recoil write it */
    g_autofree char *iso = g_strdup (text);

    iso[10] = 'T';
    if (g_str_has_suffix (iso, " UTC"))
      strcpy (iso + strlen (iso) - 4, "Z");
    dt = g_date_time_new_from_iso8601 (iso, utc);
  } else {
    dt = g_date_time_new_from_iso8601 (text, utc);
  }
  if (dt == NULL)
    return FALSE;
  *seconds = g_date_time_to_unix (dt);
  return TRUE;
}

gint64
clock_now (void)
{
  const char *fixed = g_getenv ("RECOIL_NOW");
  gint64 seconds;

  if (fixed != NULL) {
    if (clock_parse (fixed, &seconds))
      return seconds;
    g_warning ("RECOIL_NOW=\"%s\" is not a time; using the real clock", fixed);
  }
  return g_get_real_time () / G_USEC_PER_SEC;
}

gint64
clock_day_of (gint64 seconds)
{
  return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

/* clock_put - N decimal digits of V at OUT. */
static void
clock_put (char *out, gint64 v, int n)
{
  while (n-- > 0) {
    out[n] = (char) ('0' + v % 10);
    v /= 10;
  }
}

char *
clock_format_day (gint64 day)
{
  /* the proleptic Gregorian calendar in 400-year eras of 146,097 days,
   * each counted from 1 March so that the leap day ends the year; this
   * runs once in every `recoil mail`, where GDateTime's formatting cost
   * as much as the day's tallies */
  gint64 z = day + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  gint64 d = doy - (153 * mp + 2) / 5 + 1;
  gint64 m = mp < 10 ? mp + 3 : mp - 9;
  gint64 y = yoe + era * 400 + (m <= 2);
  char *out;

  if (y < 1 || y > 9999)
    return g_strdup ("?");
  out = g_malloc (11);
  clock_put (out, y, 4);
  out[4] = '-';
  clock_put (out + 5, m, 2);
  out[7] = '-';
  clock_put (out + 8, d, 2);
  out[10] = '\0';
  return out;
}

char *
clock_format_stamp (gint64 seconds)
{
  gint64 day_number = clock_day_of (seconds);
  g_autofree char *day = clock_format_day (day_number);
  gint64 in_day = seconds - day_number * 86400;
  char *out;

  if (day[0] == '?')
    return g_strdup ("?");
  out = g_malloc (21);
  memcpy (out, day, 10);
  out[10] = 'T';
  clock_put (out + 11, in_day / 3600, 2);
  out[13] = ':';
  clock_put (out + 14, in_day / 60 % 60, 2);
  out[16] = ':';
  clock_put (out + 17, in_day % 60, 2);
  out[19] = 'Z';
  out[20] = '\0';
  return out;
}
