/* SPDX-License-Identifier: MIT */
/* fields - a small parser for field groups (RFC 3464 2.1, RFC 5965 3.1). */
#include "config.h"

#include <string.h>

#include "anomaly.h"
#include "fields.h"

/* fields_group_new - an empty group. */
static struct fields_group *
fields_group_new (void)
{
  struct fields_group *g = g_new0 (struct fields_group, 1);

  g->names = g_ptr_array_new_with_free_func (g_free);
  g->values = g_ptr_array_new_with_free_func (g_free);
  return g;
}

/* fields_group_free - free one group. */
static void
fields_group_free (gpointer data)
{
  struct fields_group *g = data;

  g_ptr_array_unref (g->names);
  g_ptr_array_unref (g->values);
  g_free (g);
}

void
fields_free (struct fields *fields)
{
  if (fields == NULL)
    return;
  g_ptr_array_unref (fields->groups);
  g_free (fields);
}

const char *
fields_get (const struct fields_group *group, const char *name)
{
  for (guint i = 0; i < group->names->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (group->names, i), name) == 0)
      return g_ptr_array_index (group->values, i);
  return NULL;
}

/* fields_finish - trim the last value of G. */
static void
fields_finish (struct fields_group *g)
{
  if (g != NULL && g->values->len > 0)
    g_strstrip ((char *) g_ptr_array_index (g->values, g->values->len - 1));
}

struct fields *
fields_parse (const char *text, gsize len, guint max_groups, gsize max_value)
{
  struct fields *f = g_new0 (struct fields, 1);
  struct fields_group *current = NULL;
  GString *value = NULL;
  const char *p = text, *end = text + len;

  f->groups = g_ptr_array_new_with_free_func (fields_group_free);
  while (p < end) {
    const char *nl = memchr (p, '\n', (gsize) (end - p));
    const char *eol = nl != NULL ? nl : end;
    gsize n = (gsize) (eol - p);
    const char *colon;

    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
      n--;
    if (n == 0) {
      /* a blank line ends the group */
      fields_finish (current);
      current = NULL;
    } else if ((p[0] == ' ' || p[0] == '\t') && current != NULL && current->values->len > 0) {
      char *last = g_ptr_array_index (current->values, current->values->len - 1);
      gsize have = strlen (last);
      gsize skip = 0;

      while (skip < n && (p[skip] == ' ' || p[skip] == '\t'))
        skip++;
      if (have + 1 + (n - skip) > max_value) {
        f->anomalies |= ANOMALY_LONG_HEADER;
      } else {
        value = g_string_sized_new (have + 1 + (n - skip));
        g_string_append_len (value, last, (gssize) have);
        g_string_append_c (value, ' ');
        g_string_append_len (value, p + skip, (gssize) (n - skip));
        g_free (last);
        current->values->pdata[current->values->len - 1] = g_string_free (value, FALSE);
      }
    } else if ((colon = memchr (p, ':', n)) != NULL && colon > p) {
      gboolean name_ok = TRUE;

      for (const char *q = p; q < colon; q++)
        if (!g_ascii_isgraph (*q)) {
          name_ok = FALSE;
          break;
        }
      if (name_ok) {
        gsize vlen = n - (gsize) (colon + 1 - p);

        if (current == NULL) {
          if (f->groups->len >= max_groups) {
            f->anomalies |= ANOMALY_TOO_MANY_RCPTS;
            break;
          }
          current = fields_group_new ();
          g_ptr_array_add (f->groups, current);
        }
        fields_finish (current);
        if (vlen > max_value) {
          vlen = max_value;
          f->anomalies |= ANOMALY_LONG_HEADER;
        }
        g_ptr_array_add (current->names, g_strndup (p, (gsize) (colon - p)));
        g_ptr_array_add (current->values, g_strndup (colon + 1, vlen));
      }
    }
    p = nl != NULL ? nl + 1 : end;
  }
  fields_finish (current);
  return f;
}
