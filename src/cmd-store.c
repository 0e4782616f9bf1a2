/* cmd-store - the operator's commands over the state store: status, list,
 * reset, ignore, import, stats.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd-store.h"
#include "eventjson.h"
#include "store.h"

recoil_outcome
cmd_store_open (struct cli *cli, unsigned conf_flags, struct conf **conf, struct store **store)
{
  g_autoptr (GError) error = NULL;
  struct store_options o = { 0 };
  recoil_outcome outcome = cli_load_conf (cli, conf_flags, conf);

  if (outcome != RECOIL_DONE)
    return outcome;
  store_options_from_conf (*conf, &o);
  if (!store_open (&o, store, &error)) {
    g_critical ("%s", error->message);
    conf_free (*conf);
    *conf = NULL;
    return RECOIL_TEMPORARY;
  }
  return RECOIL_DONE;
}

/* cmd_store_time - unix seconds T as UTC text, "-" for 0 (caller frees). */
static char *
cmd_store_time (gint64 t)
{
  g_autoptr (GDateTime) dt = t > 0 ? g_date_time_new_from_unix_utc (t) : NULL;

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S UTC") : g_strdup ("-");
}

/* cmd_store_record_json - R of ADDRESS as a JSON object. */
static json_t *
cmd_store_record_json (const char *address, const struct record *r, gboolean known)
{
  json_t *o = json_object ();
  json_t *acted = json_array ();
  json_t *recent = json_array ();

  json_object_set_new (o, "address", eventjson_string (address));
  json_object_set_new (o, "known", json_boolean (known));
  json_object_set_new (o, "state", json_string (record_state_name (r->state)));
  json_object_set_new (o, "state_reason", eventjson_string (r->state_reason));
  json_object_set_new (o, "changed", json_integer (r->changed));
  json_object_set_new (o, "ignore", json_boolean (r->ignore));
  json_object_set_new (o, "hard", json_integer (r->hard));
  json_object_set_new (o, "soft", json_integer (r->soft));
  json_object_set_new (o, "ignored", json_integer (r->ignored));
  json_object_set_new (o, "complaints", json_integer (r->complaints));
  json_object_set_new (o, "unsubscribes", json_integer (r->unsubscribes));
  json_object_set_new (o, "first_bounce", json_integer (r->first_bounce));
  json_object_set_new (o, "last_bounce", json_integer (r->last_bounce));
  for (int i = 0; i < 3; i++)
    if (r->recent[i] > 0)
      json_array_append_new (recent, json_integer (r->recent[i]));
  json_object_set_new (o, "recent_bounces", recent);
  json_object_set_new (o, "last_status", eventjson_string (r->last_status));
  json_object_set_new (o, "last_reason", eventjson_string (r->last_reason));
  json_object_set_new (o, "last_category", eventjson_string (r->last_category));
  for (guint i = 0; r->acted != NULL && i < r->acted->len; i++)
    json_array_append_new (acted, eventjson_string (g_ptr_array_index (r->acted, i)));
  json_object_set_new (o, "acted", acted);
  return o;
}

/* cmd_store_print_json - print O on one line and release it. */
static void
cmd_store_print_json (json_t *o)
{
  json_dumpf (o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
  fputc ('\n', stdout);
  json_decref (o);
}

/* The outbox entries of one address, for `recoil status`. */
struct cmd_store_pending {
  const char *address;
  json_t *list; /* of objects */
};

static gboolean
cmd_store_pending_one (const struct outbox_entry *e, gpointer data)
{
  struct cmd_store_pending *p = data;
  json_t *o;

  if (strcmp (e->address, p->address) != 0)
    return TRUE;
  o = json_object ();
  json_object_set_new (o, "id", json_integer ((json_int_t) e->id));
  json_object_set_new (o, "provider", eventjson_string (e->provider));
  json_object_set_new (o, "action", eventjson_string (e->action));
  json_object_set_new (o, "parked", json_boolean (e->parked));
  json_object_set_new (o, "attempts", json_integer (e->attempts));
  json_object_set_new (o, "next_try", json_integer (e->next_try));
  json_object_set_new (o, "answer", eventjson_string (e->answer));
  json_array_append_new (p->list, o);
  return TRUE;
}

/* cmd_store_status - `recoil status ADDRESS [--json]`. */
static recoil_outcome
cmd_store_status (struct store *store, const char *address, gboolean as_json)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *norm = event_normalize_address (address);
  struct record r;
  gboolean known;
  json_t *pending = NULL;

  if (norm == NULL) {
    g_critical ("\"%s\" is not an address", address);
    return RECOIL_INVALID;
  }
  known = store_get (store, norm, &r, &error);
  if (error != NULL) {
    g_critical ("%s", error->message);
    record_clear (&r);
    return error->code == STORE_ERROR_INVALID ? RECOIL_INVALID : RECOIL_TEMPORARY;
  }
  {
    struct cmd_store_pending p = { norm, json_array () };

    if (!store_each_outbox (store, cmd_store_pending_one, &p, &error)) {
      g_critical ("%s", error->message);
      json_decref (p.list);
      record_clear (&r);
      return RECOIL_TEMPORARY;
    }
    pending = p.list;
  }
  if (as_json) {
    json_t *o = cmd_store_record_json (norm, &r, known);

    json_object_set (o, "outbox", pending);
    cmd_store_print_json (o);
  } else {
    g_autofree char *changed = cmd_store_time (r.changed);
    g_autofree char *first = cmd_store_time (r.first_bounce);
    g_autofree char *last = cmd_store_time (r.last_bounce);
    g_autoptr (GString) acted = g_string_new (r.acted->len > 0 ? NULL : "-");

    for (guint i = 0; i < r.acted->len; i++)
      g_string_append_printf (acted, "%s%s", i > 0 ? ", " : "",
                              (const char *) g_ptr_array_index (r.acted, i));
    printf ("address:       %s%s\n", norm, known ? "" : " (no record: never bounced or complained)");
    printf ("state:         %s", record_state_name (r.state));
    if (r.state != RECORD_ACTIVE)
      printf (" (%s, since %s)", r.state_reason ? r.state_reason : "-", changed);
    printf ("\nignore flag:   %s\n", r.ignore ? "yes (never acted on)" : "no");
    printf ("bounces:       hard %u, soft %u, sender-side %u\n", r.hard, r.soft, r.ignored);
    printf ("complaints:    %u\nunsubscribes:  %u\n", r.complaints, r.unsubscribes);
    printf ("first bounce:  %s\nlast bounce:   %s\n", first, last);
    if (r.last_status != NULL)
      printf ("last status:   %s %s (%s)\n", r.last_status, r.last_reason ? r.last_reason : "-",
              r.last_category ? r.last_category : "-");
    printf ("acted on:      %s\n", acted->str);
    for (size_t i = 0; i < json_array_size (pending); i++) {
      json_t *o = json_array_get (pending, i);
      const char *answer = json_string_value (json_object_get (o, "answer"));

      printf ("%s #%" JSON_INTEGER_FORMAT " %s %s: %s after %" JSON_INTEGER_FORMAT " attempts%s%s\n",
              i == 0 ? "outbox:       " : "              ", json_integer_value (json_object_get (o, "id")),
              json_string_value (json_object_get (o, "provider")),
              json_string_value (json_object_get (o, "action")),
              json_is_true (json_object_get (o, "parked")) ? "parked" : "waiting",
              json_integer_value (json_object_get (o, "attempts")), answer ? "; " : "", answer ? answer : "");
    }
  }
  json_decref (pending);
  record_clear (&r);
  return RECOIL_DONE;
}

/* What `recoil list` prints and filters. */
struct cmd_store_list {
  int state; /* -1: suppressed and unsubscribed */
  gint64 since;
  gboolean json;
  guint64 rows;
};

/* cmd_store_csv_field - S quoted for CSV when it needs to be. */
static void
cmd_store_csv_field (const char *s)
{
  if (s == NULL)
    return;
  if (strpbrk (s, ",\"\r\n") == NULL) {
    fputs (s, stdout);
    return;
  }
  fputc ('"', stdout);
  for (const char *p = s; *p; p++) {
    if (*p == '"')
      fputc ('"', stdout);
    fputc (*p, stdout);
  }
  fputc ('"', stdout);
}

static gboolean
cmd_store_list_one (const char *address, const struct record *r, gpointer data)
{
  struct cmd_store_list *l = data;

  if (l->state < 0 ? r->state == RECORD_ACTIVE : (int) r->state != l->state)
    return TRUE;
  if (r->changed < l->since && r->state != RECORD_ACTIVE)
    return TRUE;
  if (l->json) {
    cmd_store_print_json (cmd_store_record_json (address, r, TRUE));
  } else {
    g_autofree char *changed = cmd_store_time (r->changed);

    cmd_store_csv_field (address);
    printf (",%s,", record_state_name (r->state));
    cmd_store_csv_field (r->state_reason);
    printf (",%s,%u,%u,%u\n", r->changed > 0 ? changed : "", r->hard, r->soft, r->complaints);
  }
  l->rows++;
  return TRUE;
}

/* cmd_store_csv_split - the fields of one CSV LINE (RFC 4180: a field
 * that starts with a quote runs to the closing quote, "" inside it is one
 * quote); caller frees with g_strfreev. */
static char **
cmd_store_csv_split (const char *line)
{
  GPtrArray *fields = g_ptr_array_new ();
  GString *f = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line;; p++) {
    if (quoted) {
      if (*p == '"' && p[1] == '"') {
        g_string_append_c (f, '"');
        p++;
      } else if (*p == '"') {
        quoted = FALSE;
      } else if (*p == '\0') {
        break;
      } else {
        g_string_append_c (f, *p);
      }
    } else if (*p == '"' && f->len == 0) {
      quoted = TRUE; /* RFC 4180: only a field's first character opens quotes */
    } else if (*p == ',' || *p == '\0' || *p == '\r' || *p == '\n') {
      g_ptr_array_add (fields, g_strstrip (g_strdup (f->str)));
      g_string_truncate (f, 0);
      if (*p != ',')
        break;
    } else {
      g_string_append_c (f, *p);
    }
  }
  g_string_free (f, TRUE);
  g_ptr_array_add (fields, NULL);
  return (char **) g_ptr_array_free (fields, FALSE);
}

/* cmd_store_is_address - whether S normalises to an address. */
static gboolean
cmd_store_is_address (const char *s)
{
  g_autofree char *norm = event_normalize_address (s);

  return norm != NULL;
}

/* cmd_store_import - `recoil import FILE`: address[,state[,reason[,date]]]. */
static recoil_outcome
cmd_store_import (struct store *store, const char *path, gint64 now)
{
  FILE *in = strcmp (path, "-") == 0 ? stdin : fopen (path, "r");
  g_autoptr (GArray) rows = g_array_new (FALSE, TRUE, sizeof (struct store_import_row));
  g_autoptr (GPtrArray) keep = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GError) error = NULL;
  char line[8192];
  guint64 lineno = 0, imported = 0, skipped = 0;
  recoil_outcome outcome = RECOIL_DONE;

  if (in == NULL) {
    g_critical ("cannot open %s: %s", path, g_strerror (errno));
    return RECOIL_INPUT;
  }
  while (outcome == RECOIL_DONE) {
    gboolean eof = fgets (line, sizeof line, in) == NULL;
    char **f;
    struct store_import_row row = { 0 };

    if (!eof) {
      lineno++;
      f = cmd_store_csv_split (line);
      if (f[0] == NULL || f[0][0] == '\0' || f[0][0] == '#' || (lineno == 1 && strchr (f[0], '@') == NULL)) {
        g_strfreev (f);
        continue;
      }
      row.address = f[0];
      row.state = RECORD_SUPPRESSED;
      row.when = now;
      if (f[1] != NULL && f[1][0] != '\0' && !record_state_parse (f[1], &row.state)) {
        g_warning ("%s:%" G_GUINT64_FORMAT
                   ": \"%s\" is not a state (active, suppressed, unsubscribed); skipped",
                   path, lineno, f[1]);
        g_strfreev (f);
        skipped++;
        continue;
      }
      if (f[1] != NULL && f[2] != NULL && f[2][0] != '\0')
        row.reason = f[2];
      if (f[1] != NULL && f[2] != NULL && f[3] != NULL && f[3][0] != '\0' && !clock_parse (f[3], &row.when))
        g_warning ("%s:%" G_GUINT64_FORMAT ": \"%s\" is not a date; using now", path, lineno, f[3]);
      if (!cmd_store_is_address (row.address)) {
        g_warning ("%s:%" G_GUINT64_FORMAT ": \"%s\" is not an address; skipped", path, lineno, row.address);
        g_strfreev (f);
        skipped++;
        continue;
      }
      g_ptr_array_add (keep, f);
      g_array_append_val (rows, row);
    }
    if (rows->len > 0 && (eof || rows->len >= 10000)) {
      if (!store_import (store, (struct store_import_row *) rows->data, rows->len, &error)) {
        g_critical ("%s", error->message);
        outcome = RECOIL_TEMPORARY;
        break;
      }
      imported += rows->len;
      g_array_set_size (rows, 0);
      g_ptr_array_set_size (keep, 0);
    }
    if (eof)
      break;
  }
  if (in != stdin)
    fclose (in);
  if (outcome == RECOIL_DONE)
    g_message ("imported %" G_GUINT64_FORMAT " addresses from %s, skipped %" G_GUINT64_FORMAT, imported, path,
               skipped);
  return outcome;
}

/* Per-day totals for `recoil stats`. */
struct cmd_store_day {
  char *day;
  GHashTable *counts; /* "event|kind|class|category" or "decision|..." -> count */
};

struct cmd_store_stats {
  GPtrArray *days; /* of struct cmd_store_day * in order */
};

static void
cmd_store_day_free (gpointer data)
{
  struct cmd_store_day *d = data;

  g_free (d->day);
  g_hash_table_unref (d->counts);
  g_free (d);
}

static void
cmd_store_stats_one (const char *key, guint64 count, gpointer data)
{
  struct cmd_store_stats *st = data;
  const char *bar = strchr (key, '|');
  struct cmd_store_day *d;

  if (bar == NULL)
    return;
  d = st->days->len > 0 ? g_ptr_array_index (st->days, st->days->len - 1) : NULL;
  if (d == NULL || strncmp (d->day, key, (gsize) (bar - key)) != 0) {
    d = g_new0 (struct cmd_store_day, 1);
    d->day = g_strndup (key, (gsize) (bar - key));
    d->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_ptr_array_add (st->days, d);
  }
  g_hash_table_insert (d->counts, g_strdup (bar + 1), GSIZE_TO_POINTER ((gsize) count));
}

static gint
cmd_store_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* cmd_store_stats - `recoil stats [--days N] [--json]`. */
static recoil_outcome
cmd_store_stats_run (struct store *store, gint64 days, gboolean as_json, gint64 now)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) from = g_date_time_new_from_unix_utc (now - (days - 1) * 86400);
  g_autofree char *from_day = g_date_time_format (from, "%Y-%m-%d");
  struct cmd_store_stats st = { g_ptr_array_new_with_free_func (cmd_store_day_free) };
  json_t *out = as_json ? json_array () : NULL;

  if (!store_each_daily (store, from_day, cmd_store_stats_one, &st, &error)) {
    g_critical ("%s", error->message);
    g_ptr_array_unref (st.days);
    return RECOIL_TEMPORARY;
  }
  if (!as_json)
    printf ("%-10s  %-44s %8s\n", "day", "what", "count");
  for (guint i = 0; i < st.days->len; i++) {
    struct cmd_store_day *d = g_ptr_array_index (st.days, i);
    g_autoptr (GPtrArray) keys = g_ptr_array_new ();
    GHashTableIter it;
    gpointer key_ptr;
    json_t *jday = as_json ? json_object () : NULL;

    g_hash_table_iter_init (&it, d->counts);
    while (g_hash_table_iter_next (&it, &key_ptr, NULL))
      g_ptr_array_add (keys, key_ptr);
    g_ptr_array_sort (keys, cmd_store_cmp);
    for (guint k = 0; k < keys->len; k++) {
      const char *key = g_ptr_array_index (keys, k);
      guint64 n = GPOINTER_TO_SIZE (g_hash_table_lookup (d->counts, key));
      g_autofree char *shown = g_strdelimit (g_strdup (key), "|", ' ');

      if (as_json)
        json_object_set_new (jday, key, json_integer ((json_int_t) n));
      else
        printf ("%-10s  %-44s %8" G_GUINT64_FORMAT "\n", d->day, shown, n);
    }
    if (as_json) {
      json_t *entry = json_object ();

      json_object_set_new (entry, "day", json_string (d->day));
      json_object_set_new (entry, "counts", jday);
      json_array_append_new (out, entry);
    }
  }
  if (as_json)
    cmd_store_print_json (out);
  g_ptr_array_unref (st.days);
  return RECOIL_DONE;
}

recoil_outcome
cmd_store_run (struct cli *cli, int argc, char **argv)
{
  const char *name = argv[0];
  gboolean as_json = FALSE, off = FALSE;
  g_autofree char *state = NULL, *since = NULL, *format = NULL;
  gint days = 7;
  GOptionEntry status_entries[] = { { "json", 'j', 0, G_OPTION_ARG_NONE, &as_json, "Print JSON", NULL },
                                    G_OPTION_ENTRY_NULL };
  GOptionEntry list_entries[] = { { "state", 's', 0, G_OPTION_ARG_STRING, &state,
                                    "Only this state: suppressed, unsubscribed or active", "STATE" },
                                  { "since", 0, 0, G_OPTION_ARG_STRING, &since,
                                    "Only addresses whose state changed since DATE", "DATE" },
                                  { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
                                    "csv (default) or json (one object per line)", "FORMAT" },
                                  G_OPTION_ENTRY_NULL };
  GOptionEntry ignore_entries[] = { { "off", 0, 0, G_OPTION_ARG_NONE, &off, "Clear the flag", NULL },
                                    G_OPTION_ENTRY_NULL };
  GOptionEntry stats_entries[] = { { "days", 'n', 0, G_OPTION_ARG_INT, &days, "Days to show (default 7)",
                                     "N" },
                                   { "json", 'j', 0, G_OPTION_ARG_NONE, &as_json, "Print JSON", NULL },
                                   G_OPTION_ENTRY_NULL };
  const struct {
    const char *name, *params, *summary;
    GOptionEntry *entries;
    int nargs;
  } table[] = {
    { "status", "ADDRESS",
      "Show what recoil knows about ADDRESS: state, counts, last bounce, providers told.", status_entries,
      1 },
    { "list", "",
      "Print the suppression list (suppressed and unsubscribed addresses) as CSV\n"
      "(address,state,reason,changed,hard,soft,complaints) or JSON lines, streaming.",
      list_entries, 0 },
    { "reset", "ADDRESS", "Forget ADDRESS: its counts and state are removed, it is active again.", NULL, 1 },
    { "ignore", "ADDRESS", "Never act on ADDRESS (or, with --off, act on it again); it is still recorded.",
      ignore_entries, 1 },
    { "import", "FILE",
      "Import an existing suppression list: CSV lines address[,state[,reason[,date]]]\n"
      "(state defaults to suppressed; - reads standard input).",
      NULL, 1 },
    { "stats", "", "Events per day by kind, class and category, and the decisions taken.", stats_entries, 0 },
  };
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (conf_t) conf = NULL;
  struct store *store = NULL;
  recoil_outcome outcome;
  gsize which = 0;

  while (which < G_N_ELEMENTS (table) && strcmp (table[which].name, name) != 0)
    which++;
  g_return_val_if_fail (which < G_N_ELEMENTS (table), RECOIL_INTERNAL);
  ctx = cli_context_new (cli, table[which].name, table[which].params, table[which].summary);
  if (table[which].entries != NULL)
    g_option_context_add_main_entries (ctx, table[which].entries, NULL);
  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  if (argc - 1 != table[which].nargs) {
    g_critical ("%s takes %s (see recoil help %s)", name,
                table[which].nargs ? table[which].params : "no arguments", name);
    return RECOIL_USAGE;
  }
  if ((outcome = cmd_store_open (cli, 0, &conf, &store)) != RECOIL_DONE)
    return outcome;
  if (strcmp (name, "status") == 0) {
    outcome = cmd_store_status (store, argv[1], as_json);
  } else if (strcmp (name, "list") == 0) {
    struct cmd_store_list l = { -1, 0, FALSE, 0 };
    g_autoptr (GError) error = NULL;
    record_state st;

    if (state != NULL && !record_state_parse (state, &st)) {
      g_critical ("--state: \"%s\" is not suppressed, unsubscribed or active", state);
      outcome = RECOIL_USAGE;
    } else if (since != NULL && !clock_parse (since, &l.since)) {
      g_critical ("--since: \"%s\" is not a date (YYYY-MM-DD) or unix time", since);
      outcome = RECOIL_USAGE;
    } else if (format != NULL && strcmp (format, "csv") != 0 && strcmp (format, "json") != 0) {
      g_critical ("--format: \"%s\" is not csv or json", format);
      outcome = RECOIL_USAGE;
    } else {
      l.state = state != NULL ? (int) st : -1;
      l.json = format != NULL && strcmp (format, "json") == 0;
      if (!l.json)
        printf ("address,state,reason,changed,hard,soft,complaints\n");
      if (!store_each_record (store, cmd_store_list_one, &l, &error)) {
        g_critical ("%s", error->message);
        outcome = RECOIL_TEMPORARY;
      }
    }
  } else if (strcmp (name, "reset") == 0) {
    g_autoptr (GError) error = NULL;
    gboolean existed = FALSE;

    if (!store_reset (store, argv[1], &existed, &error)) {
      g_critical ("%s", error->message);
      outcome = error->code == STORE_ERROR_INVALID ? RECOIL_INVALID : RECOIL_TEMPORARY;
    } else {
      g_message ("%s: %s", argv[1], existed ? "forgotten; it is active again" : "had no record");
    }
  } else if (strcmp (name, "ignore") == 0) {
    g_autoptr (GError) error = NULL;

    if (!store_set_ignore (store, argv[1], !off, clock_now (), &error)) {
      g_critical ("%s", error->message);
      outcome = error->code == STORE_ERROR_INVALID ? RECOIL_INVALID : RECOIL_TEMPORARY;
    } else {
      g_message ("%s: %s", argv[1], off ? "acted on again" : "will never be acted on");
    }
  } else if (strcmp (name, "import") == 0) {
    outcome = cmd_store_import (store, argv[1], clock_now ());
  } else {
    if (days < 1 || days > 3660) {
      g_critical ("--days: %d is not between 1 and 3660", days);
      outcome = RECOIL_USAGE;
    } else {
      outcome = cmd_store_stats_run (store, days, as_json, clock_now ());
    }
  }
  store_close (store);
  if (fflush (stdout) != 0) {
    g_critical ("cannot write to standard output");
    return RECOIL_TEMPORARY;
  }
  return outcome;
}
