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

char *
clock_format_day (gint64 day)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (day * 86400);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d") : g_strdup ("?");
}
