/* SPDX-License-Identifier: MIT */
/* cmd-store - the operator's commands over the state store: status, list,
 * reset, ignore, import, stats.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "csv.h"
#include "cmd-store.h"
#include "eventjson.h"
#include "log.h"
#include "maildir.h"
#include "progress.h"
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
  json_object_set_new (o, "last_soft_day", json_integer (r->last_soft_day));
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

/* What `recoil events` prints and filters. */
struct cmd_store_events {
  gint64 since;     /* stop at facts before this, 0 = none */
  const char *kind; /* only this kind, or NULL */
  gboolean json;
  gint64 limit; /* at most this many, 0 = all */
  gint64 shown;
  const char *lead; /* text mode: put before each line (status's indent) */
  GString *head;    /* text mode: printed before the first line, if any */
};

/* cmd_store_event_line - one fact O (an event log entry) as a line of text. */
static void
cmd_store_event_line (json_t *o, const char *lead)
{
  g_autofree char *when = cmd_store_time (json_integer_value (json_object_get (o, "time")));
  const char *decision = json_string_value (json_object_get (o, "decision"));
  const char *fields[] = { "kind", "class", "status", "reason", "feedback_type" };
  const char *untrusted = json_string_value (json_object_get (o, "untrusted"));
  const char *acted = json_string_value (json_object_get (o, "acted"));
  const char *origin = json_string_value (json_object_get (o, "origin"));
  const char *mid = json_string_value (json_object_get (o, "message_id"));
  const char *rcpt = json_string_value (json_object_get (o, "recipient"));
  g_autoptr (GString) line = g_string_new (lead);

  g_string_append_printf (line, "%s  %s", when, rcpt != NULL ? rcpt : "(nobody)");
  for (gsize i = 0; i < G_N_ELEMENTS (fields); i++) {
    const char *v = json_string_value (json_object_get (o, fields[i]));

    if (v != NULL && strcmp (v, "none") != 0)
      g_string_append_printf (line, " %s", v);
  }
  if (untrusted != NULL)
    g_string_append_printf (line, "; not believed: %s", untrusted);
  else if (decision != NULL && strcmp (decision, "none") != 0)
    g_string_append_printf (line, "; decision: %s%s%s%s", decision, acted ? " (" : "", acted ? acted : "",
                            acted ? ")" : "");
  if (mid != NULL)
    g_string_append_printf (line, "; message <%s>", mid);
  if (origin != NULL)
    g_string_append_printf (line, "; from %s", origin);
  {
    g_autofree char *clean = log_sanitize (line->str, (gssize) line->len);

    puts (clean);
  }
}

static gboolean
cmd_store_event_one (guint64 seq, const char *text, gsize len, gpointer data)
{
  struct cmd_store_events *ev = data;
  json_t *o = json_loadb (text, len, 0, NULL);
  gint64 t;

  if (o == NULL)
    return TRUE; /* an entry written damaged: skipped */
  t = json_integer_value (json_object_get (o, "time"));
  if (ev->since > 0 && t < ev->since) {
    json_decref (o);
    return FALSE; /* newest first: the rest is older still */
  }
  if (ev->kind != NULL && g_strcmp0 (json_string_value (json_object_get (o, "kind")), ev->kind) != 0) {
    json_decref (o);
    return TRUE;
  }
  if (ev->json) {
    json_object_set_new (o, "seq", json_integer ((json_int_t) seq));
    cmd_store_print_json (o);
  } else {
    if (ev->shown == 0 && ev->head != NULL)
      fputs (ev->head->str, stdout);
    cmd_store_event_line (o, ev->lead != NULL ? ev->lead : "");
    json_decref (o);
  }
  ev->shown++;
  return ev->limit == 0 || ev->shown < ev->limit;
}

/* The last facts about an address, for `recoil status --json`. */
struct cmd_store_collect {
  json_t *list;
  guint left;
};

static gboolean
cmd_store_collect_one (guint64 seq, const char *text, gsize len, gpointer data)
{
  struct cmd_store_collect *c = data;
  json_t *o = json_loadb (text, len, 0, NULL);

  if (o != NULL) {
    json_object_set_new (o, "seq", json_integer ((json_int_t) seq));
    json_array_append_new (c->list, o);
  }
  return --c->left > 0;
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
    struct cmd_store_collect c = { json_array (), 5 };

    json_object_set (o, "outbox", pending);
    json_object_set_new (o, "state_event", json_integer ((json_int_t) r.state_event));
    if (!store_each_event (store, norm, cmd_store_collect_one, &c, &error)) {
      g_critical ("%s", error->message);
      json_decref (c.list);
      json_decref (o);
      json_decref (pending);
      record_clear (&r);
      return RECOIL_TEMPORARY;
    }
    json_object_set_new (o, "last_events", c.list);
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
  if (!as_json && known && r.state != RECORD_ACTIVE && r.state_event > 0) {
    struct cmd_store_events why = { 0, NULL, FALSE, 1, 0, "because:       " };

    if (!store_event_at (store, r.state_event, cmd_store_event_one, &why, &error)) {
      g_critical ("%s", error->message);
      json_decref (pending);
      record_clear (&r);
      return RECOIL_TEMPORARY;
    }
    if (why.shown == 0)
      printf ("because:       fact #%" G_GUINT64_FORMAT ", past [recoil] event_retention\n", r.state_event);
  }
  if (!as_json) {
    struct cmd_store_events ev = { 0, NULL, FALSE, 5, 0, "               " };
    g_autoptr (GString) head = g_string_new (NULL);

    /* an address without a record may still have delay warnings and
     * deliveries in the log */
    g_string_printf (head, "last facts:    (newest first; recoil events %s shows them all)\n", norm);
    ev.head = head;
    if (!store_each_event (store, norm, cmd_store_event_one, &ev, &error)) {
      g_critical ("%s", error->message);
      json_decref (pending);
      record_clear (&r);
      return RECOIL_TEMPORARY;
    }
    if (ev.shown == 0 && known)
      printf ("last facts:    none kept (past [recoil] event_retention, or imported)\n");
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
    g_autofree char *changed = clock_format_stamp (r->changed);

    cmd_store_csv_field (address);
    printf (",%s,", record_state_name (r->state));
    cmd_store_csv_field (r->state_reason);
    printf (",%s,%u,%u,%u\n", r->changed > 0 ? changed : "", r->hard, r->soft, r->complaints);
  }
  l->rows++;
  return TRUE;
}

/* cmd_store_is_address - whether S normalises to an address. */
static gboolean
cmd_store_is_address (const char *s)
{
  g_autofree char *norm = event_normalize_address (s);

  return norm != NULL;
}

/* The columns of an import file, by name from its header line, or
 * address,state,reason,date by position when it has none. */
enum {
  IMPORT_ADDRESS,
  IMPORT_STATE,
  IMPORT_REASON,
  IMPORT_DATE,
  IMPORT_HARD,
  IMPORT_SOFT,
  IMPORT_COMPLAINTS,
  IMPORT_N
};

static const char *const cmd_store_import_names[IMPORT_N][3] = {
  { "address", "email", NULL }, { "state", "status", NULL }, { "reason", "state_reason", NULL },
  { "changed", "date", NULL },  { "hard", NULL, NULL },      { "soft", NULL, NULL },
  { "complaints", NULL, NULL },
};

/* One import run: the rows of the transaction being gathered. */
struct cmd_store_import {
  struct store *store;
  const char *path;
  gint64 now;
  GArray *rows;       /* of struct store_import_row */
  GPtrArray *keep;    /* of char **: the strings the rows point to */
  GPtrArray *records; /* of struct record *: the whole records they point to */
  guint64 imported, skipped;
  struct progress *progress;
};

/* cmd_store_import_flush - the gathered rows in one transaction. */
static gboolean
cmd_store_import_flush (struct cmd_store_import *im)
{
  g_autoptr (GError) error = NULL;

  if (im->rows->len == 0)
    return TRUE;
  if (!store_import (im->store, (struct store_import_row *) (void *) im->rows->data, im->rows->len, &error)) {
    g_critical ("%s", error->message);
    return FALSE;
  }
  im->imported += im->rows->len;
  g_array_set_size (im->rows, 0);
  g_ptr_array_set_size (im->keep, 0);
  g_ptr_array_set_size (im->records, 0);
  return TRUE;
}

/* cmd_store_import_count - a count column: digits, or empty for none. */
static gboolean
cmd_store_import_count (const char *text, guint32 *out)
{
  guint64 n;

  if (text == NULL || *text == '\0') {
    *out = 0;
    return TRUE;
  }
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &n, NULL))
    return FALSE;
  *out = (guint32) n;
  return TRUE;
}

/* cmd_store_import_csv_row - one CSV record F (line LINE) under the
 * columns AT (index + 1, 0 = absent). */
static void
cmd_store_import_csv_row (struct cmd_store_import *im, GPtrArray *f, const guint *at, guint64 line)
{
  struct store_import_row row = { 0 };
  const char *v[IMPORT_N];
  char **copy;

  for (int k = 0; k < IMPORT_N; k++)
    v[k] = at[k] > 0 && at[k] <= f->len ? g_strstrip ((char *) g_ptr_array_index (f, at[k] - 1)) : NULL;
  if (v[IMPORT_ADDRESS] == NULL || *v[IMPORT_ADDRESS] == '\0' || v[IMPORT_ADDRESS][0] == '#')
    return;
  row.state = RECORD_SUPPRESSED;
  row.when = im->now;
  if (v[IMPORT_STATE] != NULL && *v[IMPORT_STATE] != '\0'
      && !record_state_parse (v[IMPORT_STATE], &row.state)) {
    g_warning ("%s:%" G_GUINT64_FORMAT ": \"%s\" is not a state (active, suppressed, unsubscribed); skipped",
               im->path, line, v[IMPORT_STATE]);
    im->skipped++;
    return;
  }
  if (v[IMPORT_DATE] != NULL && *v[IMPORT_DATE] != '\0' && !clock_parse (v[IMPORT_DATE], &row.when)) {
    g_warning ("%s:%" G_GUINT64_FORMAT ": \"%s\" is not a date (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or unix "
               "seconds); skipped",
               im->path, line, v[IMPORT_DATE]);
    im->skipped++;
    return;
  }
  if (at[IMPORT_HARD] > 0 || at[IMPORT_SOFT] > 0 || at[IMPORT_COMPLAINTS] > 0) {
    row.counts = TRUE;
    if (!cmd_store_import_count (v[IMPORT_HARD], &row.hard)
        || !cmd_store_import_count (v[IMPORT_SOFT], &row.soft)
        || !cmd_store_import_count (v[IMPORT_COMPLAINTS], &row.complaints)) {
      g_warning ("%s:%" G_GUINT64_FORMAT
                 ": the hard, soft and complaints columns must be whole numbers; skipped",
                 im->path, line);
      im->skipped++;
      return;
    }
  }
  if (!cmd_store_is_address (v[IMPORT_ADDRESS])) {
    g_warning ("%s:%" G_GUINT64_FORMAT ": \"%s\" is not an address; skipped", im->path, line,
               v[IMPORT_ADDRESS]);
    im->skipped++;
    return;
  }
  /* the strings live until the rows are flushed */
  copy = g_new0 (char *, 3);
  copy[0] = g_strdup (v[IMPORT_ADDRESS]);
  copy[1] = v[IMPORT_REASON] != NULL && *v[IMPORT_REASON] != '\0' ? g_strdup (v[IMPORT_REASON]) : NULL;
  g_ptr_array_add (im->keep, copy);
  row.address = copy[0];
  row.reason = copy[1];
  g_array_append_val (im->rows, row);
}

/* cmd_store_import_csv - CSV from FD: with a header line (its first field
 * "address" or "email"), columns by name, as `recoil list` writes them;
 * without one, address[,state[,reason[,date]]]. */
static recoil_outcome
cmd_store_import_csv (struct cmd_store_import *im, int fd)
{
  struct csv_reader *r = csv_reader_new (fd, 1 << 16);
  g_autoptr (GPtrArray) f = g_ptr_array_new_with_free_func (g_free);
  guint at[IMPORT_N] = { 1, 2, 3, 4, 0, 0, 0 };
  gboolean first = TRUE;
  guint64 line = 0;
  recoil_outcome outcome = RECOIL_DONE;
  csv_status st;

  while ((st = csv_next (r, f, -1, &line)) != CSV_EOF) {
    if (st == CSV_ERROR) {
      g_critical ("cannot read %s: %s", im->path, g_strerror (errno));
      outcome = RECOIL_INPUT;
      break;
    }
    if (st == CSV_MALFORMED) {
      g_warning ("%s:%" G_GUINT64_FORMAT ": malformed line (a quote never closed, or over 64 KB); skipped",
                 im->path, line);
      im->skipped++;
      continue;
    }
    if (st != CSV_RECORD || f->len == 0)
      continue;
    if (first) {
      const char *head = g_strstrip ((char *) g_ptr_array_index (f, 0));

      first = FALSE;
      if (g_ascii_strcasecmp (head, "address") == 0 || g_ascii_strcasecmp (head, "email") == 0) {
        memset (at, 0, sizeof at);
        for (guint i = 0; i < f->len; i++)
          for (int k = 0; k < IMPORT_N; k++)
            for (int n = 0; n < 3 && cmd_store_import_names[k][n] != NULL; n++)
              if (at[k] == 0
                  && g_ascii_strcasecmp (g_strstrip ((char *) g_ptr_array_index (f, i)),
                                         cmd_store_import_names[k][n])
                         == 0)
                at[k] = i + 1;
        continue;
      }
    }
    cmd_store_import_csv_row (im, f, at, line);
    if (im->rows->len >= 10000 && !cmd_store_import_flush (im)) {
      outcome = RECOIL_TEMPORARY;
      break;
    }
    progress_update (im->progress, im->imported + im->rows->len, csv_reader_offset (r));
  }
  csv_reader_free (r);
  if (outcome == RECOIL_DONE && !cmd_store_import_flush (im))
    outcome = RECOIL_TEMPORARY;
  return outcome;
}

/* cmd_store_import_string - member KEY of O as a new string, or NULL. */
static char *
cmd_store_import_string (json_t *o, const char *key)
{
  const char *v = json_string_value (json_object_get (o, key));

  return v != NULL ? g_strdup (v) : NULL;
}

/* cmd_store_import_json_row - one object O of `recoil list --format json`
 * (line LINE): the whole record. */
static void
cmd_store_import_json_row (struct cmd_store_import *im, json_t *o, guint64 line)
{
  struct store_import_row row = { 0 };
  struct record *r;
  const char *address = json_string_value (json_object_get (o, "address"));
  const char *state = json_string_value (json_object_get (o, "state"));
  json_t *list;
  char **copy;

  if (address == NULL || !cmd_store_is_address (address)) {
    g_warning ("%s:%" G_GUINT64_FORMAT ": no address; skipped", im->path, line);
    im->skipped++;
    return;
  }
  r = g_new0 (struct record, 1);
  record_init (r);
  if (state != NULL && !record_state_parse (state, &r->state)) {
    g_warning ("%s:%" G_GUINT64_FORMAT ": \"%s\" is not a state; skipped", im->path, line, state);
    record_clear (r);
    g_free (r);
    im->skipped++;
    return;
  }
  r->state_reason = cmd_store_import_string (o, "state_reason");
  r->changed = json_integer_value (json_object_get (o, "changed"));
  r->ignore = json_is_true (json_object_get (o, "ignore"));
  r->hard = (guint32) json_integer_value (json_object_get (o, "hard"));
  r->soft = (guint32) json_integer_value (json_object_get (o, "soft"));
  r->ignored = (guint32) json_integer_value (json_object_get (o, "ignored"));
  r->complaints = (guint32) json_integer_value (json_object_get (o, "complaints"));
  r->unsubscribes = (guint32) json_integer_value (json_object_get (o, "unsubscribes"));
  r->first_bounce = json_integer_value (json_object_get (o, "first_bounce"));
  r->last_bounce = json_integer_value (json_object_get (o, "last_bounce"));
  list = json_object_get (o, "recent_bounces");
  for (size_t i = 0; i < 3 && i < json_array_size (list); i++)
    r->recent[i] = json_integer_value (json_array_get (list, i));
  r->last_soft_day = json_object_get (o, "last_soft_day") != NULL
                         ? json_integer_value (json_object_get (o, "last_soft_day"))
                         : -1;
  r->last_status = cmd_store_import_string (o, "last_status");
  r->last_reason = cmd_store_import_string (o, "last_reason");
  r->last_category = cmd_store_import_string (o, "last_category");
  list = json_object_get (o, "acted");
  for (size_t i = 0; i < json_array_size (list); i++)
    if (json_string_value (json_array_get (list, i)) != NULL)
      record_acted_add (r, json_string_value (json_array_get (list, i)));
  copy = g_new0 (char *, 2);
  copy[0] = g_strdup (address);
  g_ptr_array_add (im->keep, copy);
  g_ptr_array_add (im->records, r);
  row.address = copy[0];
  row.whole = r;
  g_array_append_val (im->rows, row);
}

/* cmd_store_import_json - JSON lines from FD, as `recoil list --format
 * json` writes them. */
static recoil_outcome
cmd_store_import_json (struct cmd_store_import *im, int fd)
{
  FILE *in = fdopen (dup (fd), "r");
  g_autoptr (GString) text = g_string_new (NULL);
  guint64 line = 0;
  recoil_outcome outcome = RECOIL_DONE;
  char buf[65536];

  if (in == NULL) {
    g_critical ("cannot read %s: %s", im->path, g_strerror (errno));
    return RECOIL_INPUT;
  }
  while (fgets (buf, sizeof buf, in) != NULL) {
    json_t *o;
    json_error_t err;

    g_string_append (text, buf);
    if (text->len > 0 && text->str[text->len - 1] != '\n' && !feof (in))
      continue; /* a line longer than the buffer */
    line++;
    g_strstrip (text->str);
    if (text->str[0] == '\0') {
      g_string_truncate (text, 0);
      continue;
    }
    o = json_loads (text->str, 0, &err);
    g_string_truncate (text, 0);
    if (o == NULL || !json_is_object (o)) {
      g_warning ("%s:%" G_GUINT64_FORMAT ": not a JSON object (%s); skipped", im->path, line,
                 o == NULL ? err.text : "another JSON value");
      json_decref (o);
      im->skipped++;
      continue;
    }
    cmd_store_import_json_row (im, o, line);
    json_decref (o);
    if (im->rows->len >= 10000 && !cmd_store_import_flush (im)) {
      outcome = RECOIL_TEMPORARY;
      break;
    }
    progress_update (im->progress, im->imported + im->rows->len, (guint64) ftell (in));
  }
  fclose (in);
  if (outcome == RECOIL_DONE && !cmd_store_import_flush (im))
    outcome = RECOIL_TEMPORARY;
  return outcome;
}

/* cmd_store_import_free_record - a whole record a row points to. */
static void
cmd_store_import_free_record (gpointer p)
{
  record_clear (p);
  g_free (p);
}

/* cmd_store_import - `recoil import FILE`: CSV as `recoil list` writes it
 * (or address[,state[,reason[,date]]] lines), or JSON lines (FORMAT, or
 * told by the first character). */
static recoil_outcome
cmd_store_import (struct store *store, const char *path, const char *format, gint64 now)
{
  struct cmd_store_import im = { store, path, now, NULL, NULL, NULL, 0, 0, NULL };
  int fd = strcmp (path, "-") == 0 ? STDIN_FILENO : open (path, O_RDONLY | O_CLOEXEC);
  gboolean json = g_strcmp0 (format, "json") == 0;
  recoil_outcome outcome;
  struct stat st;

  if (fd < 0) {
    g_critical ("cannot open %s: %s", path, g_strerror (errno));
    return RECOIL_INPUT;
  }
  if (format == NULL && fstat (fd, &st) == 0 && S_ISREG (st.st_mode)) {
    char c = 0;

    json = pread (fd, &c, 1, 0) == 1 && c == '{';
    im.progress = progress_new (path, (guint64) st.st_size);
  }
  im.rows = g_array_new (FALSE, TRUE, sizeof (struct store_import_row));
  im.keep = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  im.records = g_ptr_array_new_with_free_func (cmd_store_import_free_record);
  outcome = json ? cmd_store_import_json (&im, fd) : cmd_store_import_csv (&im, fd);
  progress_free (im.progress);
  g_array_unref (im.rows);
  g_ptr_array_unref (im.keep);
  g_ptr_array_unref (im.records);
  if (fd != STDIN_FILENO)
    close (fd);
  if (outcome == RECOIL_DONE)
    g_message ("imported %" G_GUINT64_FORMAT " addresses from %s, skipped %" G_GUINT64_FORMAT, im.imported,
               path, im.skipped);
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

/* cmd_store_purge - `recoil purge`: the store's retention, then the
 * quarantine's. */
static recoil_outcome
cmd_store_purge (struct store *store, const struct conf *conf, gint64 now)
{
  g_autoptr (GError) error = NULL;
  struct store_purge_report report;
  guint quarantined = 0;

  if (!store_purge (store, now, 10000, &report, &error)) {
    g_critical ("purge: %s", error->message);
    return RECOIL_TEMPORARY;
  }
  if (conf->quarantine != NULL) {
    for (guint n = 1; n > 0;) {
      if (!maildir_expire (conf->quarantine, now - conf->quarantine_retention, 10000, &n, &error)) {
        g_critical ("purge: %s", error->message);
        return RECOIL_TEMPORARY;
      }
      quarantined += n;
    }
  }
  g_message ("purge: removed %" G_GUINT64_FORMAT " event log entries, %" G_GUINT64_FORMAT
             " daily counters, %" G_GUINT64_FORMAT
             " fingerprints (%u transactions) and %u quarantined messages",
             report.events, report.daily, report.seen, report.transactions, quarantined);
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
  GOptionEntry import_entries[] = { { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
                                      "csv or json (default: json when the file starts with {)", "FORMAT" },
                                    G_OPTION_ENTRY_NULL };
  GOptionEntry ignore_entries[] = { { "off", 0, 0, G_OPTION_ARG_NONE, &off, "Clear the flag", NULL },
                                    G_OPTION_ENTRY_NULL };
  g_autofree char *kind = NULL;
  gint64 limit = 0;
  GOptionEntry events_entries[] = {
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, "Only facts since DATE", "DATE" },
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &kind,
      "Only facts of this kind: bounce, complaint, unsubscribe, ...", "KIND" },
    { "limit", 'n', 0, G_OPTION_ARG_INT64, &limit, "At most N facts", "N" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &as_json, "One JSON object per line, as the event log keeps it",
      NULL },
    G_OPTION_ENTRY_NULL
  };
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
      "Import a suppression list: what `recoil list` wrote (CSV with its header line, or\n"
      "JSON lines), or CSV lines address[,state[,reason[,date]]] (state defaults to\n"
      "suppressed; - reads standard input).  Dates and counts come back as they were.",
      import_entries, 1 },
    { "stats", "", "Events per day by kind, class and category, and the decisions taken.", stats_entries, 0 },
    { "events", "[ADDRESS]",
      "The facts recoil applied, newest first, from the event log: each with what was decided\n"
      "and where it came from (the mail's envelope, the accounting file and line).  With\n"
      "ADDRESS, the facts about that address; without, every fact, those not believed too.",
      events_entries, -1 },
    { "purge", "",
      "Remove what the retention settings let go of: event log entries past event_retention,\n"
      "daily counters past stats_retention, fingerprints past seen_ttl and quarantined mail\n"
      "past quarantine_retention.  Each batch of mail does a share of this; run it daily\n"
      "(recoil-purge.timer) and after shortening a retention.  Address records stay.",
      NULL, 0 },
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
  if (table[which].nargs >= 0 ? argc - 1 != table[which].nargs : argc - 1 > 1) {
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
  } else if (strcmp (name, "events") == 0) {
    struct cmd_store_events ev = { 0, kind, as_json, limit, 0, NULL };
    g_autoptr (GError) error = NULL;
    event_kind k;

    if (since != NULL && !clock_parse (since, &ev.since)) {
      g_critical ("--since: \"%s\" is not a date (YYYY-MM-DD) or unix time", since);
      outcome = RECOIL_USAGE;
    } else if (kind != NULL && !event_kind_parse (kind, &k)) {
      g_critical ("--kind: \"%s\" is not a kind of fact (bounce, complaint, unsubscribe, autoreply, ...)",
                  kind);
      outcome = RECOIL_USAGE;
    } else if (limit < 0) {
      g_critical ("--limit: %" G_GINT64_FORMAT " is negative", limit);
      outcome = RECOIL_USAGE;
    } else if (!store_each_event (store, argc > 1 ? argv[1] : NULL, cmd_store_event_one, &ev, &error)) {
      g_critical ("%s", error->message);
      outcome = error->code == STORE_ERROR_INVALID ? RECOIL_INVALID : RECOIL_TEMPORARY;
    }
  } else if (strcmp (name, "purge") == 0) {
    outcome = cmd_store_purge (store, conf, clock_now ());
  } else if (strcmp (name, "import") == 0) {
    if (format != NULL && strcmp (format, "csv") != 0 && strcmp (format, "json") != 0) {
      g_critical ("--format: \"%s\" is not csv or json", format);
      outcome = RECOIL_USAGE;
    } else {
      outcome = cmd_store_import (store, argv[1], format, clock_now ());
    }
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
