/* SPDX-License-Identifier: MIT */
/* anomaly - names of the anomaly bits. */
#include "config.h"

#include "anomaly.h"

static const char *const anomaly_table[ANOMALY_COUNT_] = {
  "empty",       "too-large",   "too-deep",     "too-many-parts", "long-header", "too-many-recipients",
  "unparseable", "bad-charset", "no-recipient", "bad-report",     "nul-bytes",   "bad-boundary",
  "bad-address",
};

const char **
anomaly_names (unsigned mask)
{
  const char **names = g_new0 (const char *, ANOMALY_COUNT_ + 1);
  int n = 0;

  for (int i = 0; i < ANOMALY_COUNT_; i++)
    if (mask & (1u << i))
      names[n++] = anomaly_table[i];
  return names;
}
