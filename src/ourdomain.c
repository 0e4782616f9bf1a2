/* SPDX-License-Identifier: MIT */
/* ourdomain - recoil's bounce and unsubscribe domains. */
#include "config.h"

#include <string.h>

#include "ourdomain.h"

ourdomain_which
ourdomain_split (const struct conf *conf, const char *address, char **local)
{
  g_autofree char *copy = g_strstrip (g_strdup (address != NULL ? address : ""));
  char *a = copy;
  gsize len = strlen (a);
  char *at;
  ourdomain_which which = OURDOMAIN_NONE;

  if (len >= 2 && a[0] == '<' && a[len - 1] == '>') {
    a[len - 1] = '\0';
    a++;
  }
  at = strrchr (a, '@');
  if (at == NULL || at == a)
    return OURDOMAIN_NONE;
  /* a domain is the same with a final dot ("bounces.example.com.") */
  len = strlen (at + 1);
  while (len > 0 && at[len] == '.')
    at[len--] = '\0';
  if (conf->bounce_domain != NULL && g_ascii_strcasecmp (at + 1, conf->bounce_domain) == 0)
    which = OURDOMAIN_BOUNCE;
  else if (conf->unsub_domain != NULL && g_ascii_strcasecmp (at + 1, conf->unsub_domain) == 0)
    which = OURDOMAIN_UNSUB;
  if (which != OURDOMAIN_NONE)
    *local = g_strndup (a, (gsize) (at - a));
  return which;
}

void
ourdomain_params (const struct conf *conf, ourdomain_which which, gint64 now, struct ourdomain_params *out)
{
  char **names = which == OURDOMAIN_UNSUB ? conf->unsub_schemes : conf->schemes;
  gsize n = 0;

  memset (out, 0, sizeof *out);
  for (char **s = names; s != NULL && *s != NULL && n < G_N_ELEMENTS (out->schemes); s++)
    if (verp_scheme_parse (*s, &out->schemes[n]))
      n++;
  out->verp.kind = which == OURDOMAIN_UNSUB ? VERP_KIND_UNSUB : VERP_KIND_BOUNCE;
  out->verp.schemes = out->schemes;
  out->verp.n_schemes = n;
  out->verp.delimiters[0] = conf->delimiters[0];
  out->verp.delimiters[1] = conf->delimiters[1];
  out->verp.secret = conf->secret;
  out->verp.secret_previous = conf->secret_previous;
  out->verp.now = now;
  out->verp.max_age = conf->max_age;
}

gboolean
ourdomain_believed (const struct conf *conf, const struct verp_result *result)
{
  switch (result->signature) {
  case VERP_SIG_VALID: return TRUE;
  case VERP_SIG_INVALID: return FALSE;
  default: return conf->signature != CONF_SIGNATURE_ENFORCE;
  }
}
