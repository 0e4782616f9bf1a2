/* SPDX-License-Identifier: MIT */
/* store - the one interface to recoil's state: the backend named in the
 * configuration is opened and every call goes through its table. */
#include "config.h"

#include <string.h>

#include "store-backend.h"

/* clang-format off */
G_DEFINE_QUARK (recoil-store-error-quark, store_error)
/* clang-format on */

/* The backends, by the name [recoil] store gives. */
static const struct {
  const char *name;
  gboolean (*open) (const struct store_options *options, struct store **out, GError **error);
} store_backends[] = {
  { "lmdb", store_lmdb_open },
  { "postgresql", store_pg_open },
};

void
store_options_from_conf (const struct conf *conf, struct store_options *out)
{
  memset (out, 0, sizeof *out);
  out->backend = conf_stores[conf->store];
  out->dir = conf->state_dir;
  out->map_size = conf->map_size;
  out->max_map_size = conf->max_map_size;
  out->seen_ttl = conf->seen_ttl;
  out->lock_timeout_ms = conf->lock_timeout * 1000;
  out->lock_exit_status = 75;
  out->event_retention = conf->event_retention;
  out->stats_retention = conf->stats_retention;
  out->conninfo = conf->pg_conninfo;
  out->password_file = conf->pg_password_file;
  out->connect_timeout = conf->pg_connect_timeout;
}

gboolean
store_backend_known (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (store_backends); i++)
    if (g_strcmp0 (store_backends[i].name, name) == 0)
      return TRUE;
  return FALSE;
}

gboolean
store_open (const struct store_options *options, struct store **out, GError **error)
{
  const char *name = options->backend != NULL ? options->backend : "lmdb";

  *out = NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (store_backends); i++)
    if (strcmp (store_backends[i].name, name) == 0)
      return store_backends[i].open (options, out, error);
  g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "state store: no backend named \"%s\"", name);
  return FALSE;
}

void
store_close (struct store *s)
{
  if (s != NULL)
    s->ops->close (s);
}

const char *
store_backend_name (struct store *s)
{
  return s->ops->name;
}

gint64
store_map_size (struct store *s)
{
  return s->ops->map_size (s);
}

gint64
store_used_size (struct store *s)
{
  return s->ops->used_size (s);
}

gboolean
store_apply (struct store *s, const struct conf *conf, const struct store_item *items, guint n, gint64 now,
             struct store_result *results, GError **error)
{
  return s->ops->apply (s, conf, items, n, now, results, error);
}

void
store_fingerprint (const char *message_id, const char *recipient, const char *content, gsize len,
                   guint8 out[32])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = 32;

  if (message_id != NULL && *message_id != '\0') {
    g_checksum_update (sum, (const guchar *) "mid", 4);
    g_checksum_update (sum, (const guchar *) message_id, (gssize) strlen (message_id) + 1);
  } else {
    g_checksum_update (sum, (const guchar *) "raw", 4);
    g_checksum_update (sum, (const guchar *) (content != NULL ? content : ""), (gssize) len);
  }
  /* one message may be about several recipients: each is its own fact */
  g_checksum_update (sum, (const guchar *) "\0rcpt", 6);
  if (recipient != NULL)
    g_checksum_update (sum, (const guchar *) recipient, (gssize) strlen (recipient));
  g_checksum_get_digest (sum, out, &n);
}

/* store_key_of - ADDRESS normalised, or an error saying it is none. */
static char *
store_key_of (const char *address, GError **error)
{
  char *key = event_normalize_address (address);

  if (key == NULL)
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "\"%s\" is not an address", address);
  return key;
}

gboolean
store_get (struct store *s, const char *address, struct record *r, GError **error)
{
  g_autofree char *key = store_key_of (address, error);

  if (key == NULL) {
    record_init (r);
    return FALSE;
  }
  return s->ops->get (s, key, r, error);
}

gboolean
store_reset (struct store *s, const char *address, gboolean *existed, GError **error)
{
  g_autofree char *key = store_key_of (address, error);

  *existed = FALSE;
  return key != NULL && s->ops->reset (s, key, existed, error);
}

gboolean
store_set_ignore (struct store *s, const char *address, gboolean on, gint64 now, GError **error)
{
  g_autofree char *key = store_key_of (address, error);

  return key != NULL && s->ops->set_ignore (s, key, on, now, error);
}

gboolean
store_import (struct store *s, const struct store_import_row *rows, guint n, GError **error)
{
  return s->ops->import (s, rows, n, error);
}

gboolean
store_each_record (struct store *s, store_record_fn fn, gpointer data, GError **error)
{
  return s->ops->each_record (s, fn, data, error);
}

gboolean
store_each_daily (struct store *s, const char *from_day, store_daily_fn fn, gpointer data, GError **error)
{
  return s->ops->each_daily (s, from_day, fn, data, error);
}

gboolean
store_each_outbox (struct store *s, store_outbox_fn fn, gpointer data, GError **error)
{
  return s->ops->each_outbox (s, fn, data, error);
}

gboolean
store_purge_seen (struct store *s, gint64 now, guint max, guint *purged, GError **error)
{
  return s->ops->purge_seen (s, now, max, purged, error);
}

gboolean
store_purge (struct store *s, gint64 now, guint max, struct store_purge_report *report, GError **error)
{
  memset (report, 0, sizeof *report);
  return s->ops->purge (s, now, MAX (max, 1), report, error);
}

gboolean
store_each_event (struct store *s, const char *address, store_event_fn fn, gpointer data, GError **error)
{
  g_autofree char *key = NULL;

  if (address != NULL && (key = store_key_of (address, error)) == NULL)
    return FALSE;
  return s->ops->each_event (s, key, fn, data, error);
}

gboolean
store_event_at (struct store *s, guint64 seq, store_event_fn fn, gpointer data, GError **error)
{
  return s->ops->event_at (s, seq, fn, data, error);
}

/* store_id_ok - an id fit for a key: letters, digits, - and _, 1 to 64. */
static gboolean
store_id_ok (const char *id)
{
  gsize n = 0;

  for (; id != NULL && id[n] != '\0'; n++)
    if (!g_ascii_isalnum (id[n]) && id[n] != '-' && id[n] != '_')
      return FALSE;
  return n > 0 && n <= 64;
}

char *
store_id_only_key (const char *list_id, const char *subscriber_id)
{
  g_autofree char *raw = NULL;

  if (!store_id_ok (list_id) || !store_id_ok (subscriber_id))
    return NULL;
  /* normalised like any address, so that `recoil status` finds it */
  raw = g_strdup_printf ("%s@%s" STORE_ID_ONLY_SUFFIX, subscriber_id, list_id);
  return event_normalize_address (raw);
}

gboolean
store_key_is_id_only (const char *key)
{
  return key != NULL && g_str_has_suffix (key, STORE_ID_ONLY_SUFFIX);
}

void
store_set_claim (struct store *s, gint64 lease)
{
  s->claim_lease = MAX (lease, 0);
}

gboolean
store_outbox_claim (struct store *s, gint64 now, gint64 lease, guint64 first, guint64 last, guint max,
                    GPtrArray *out, GError **error)
{
  return s->ops->outbox_claim (s, now, lease, first, last, max, out, error);
}

gboolean
store_outbox_read (struct store *s, guint64 first, guint n, GPtrArray *out, GError **error)
{
  return s->ops->outbox_read (s, first, n, out, error);
}

gboolean
store_outbox_finish (struct store *s, const struct store_outbox_outcome *outcomes, guint n, gint64 now,
                     GError **error)
{
  return n == 0 || s->ops->outbox_finish (s, outcomes, n, now, error);
}

gboolean
store_outbox_requeue (struct store *s, guint64 id, gint64 now, guint *count, GError **error)
{
  *count = 0;
  return s->ops->outbox_requeue (s, id, now, count, error);
}

gboolean
store_outbox_drop (struct store *s, guint64 id, gboolean *existed, GError **error)
{
  *existed = FALSE;
  return id == 0 || s->ops->outbox_drop (s, id, existed, error);
}

const char *
store_table_name (store_table table)
{
  static const char *const names[STORE_TABLE_COUNT] = { "records", "seen",  "outbox",
                                                        "events",  "daily", "leads" };

  return table < STORE_TABLE_COUNT ? names[table] : "?";
}

/* Rows gathered for one transaction of the target, with copies of what
 * they point to (the source's are valid only during its callback). */
struct store_copy {
  struct store *to;
  store_table table;
  GArray *rows;       /* of struct store_row */
  GPtrArray *owned;   /* what the rows point to */
  GPtrArray *records; /* of struct record * */
  GPtrArray *entries; /* of struct outbox_entry * */
  guint64 copied;
  GError *error;
};

/* store_copy_flush - the rows gathered, into the target. */
static gboolean
store_copy_flush (struct store_copy *c)
{
  gboolean ok = c->rows->len == 0
                || c->to->ops->put_rows (c->to, c->table, (const struct store_row *) c->rows->data,
                                         c->rows->len, &c->error);

  c->copied += ok ? c->rows->len : 0;
  g_array_set_size (c->rows, 0);
  g_ptr_array_set_size (c->owned, 0);
  for (guint i = 0; i < c->records->len; i++)
    record_clear (g_ptr_array_index (c->records, i));
  g_ptr_array_set_size (c->records, 0);
  g_ptr_array_set_size (c->entries, 0);
  return ok;
}

static gboolean
store_copy_row (const struct store_row *row, gpointer data)
{
  struct store_copy *c = data;
  struct store_row copy = *row;

  if (row->key != NULL) {
    copy.key = g_strdup (row->key);
    g_ptr_array_add (c->owned, (gpointer) copy.key);
  }
  if (row->bytes != NULL) {
    copy.bytes = g_memdup2 (row->bytes, row->len);
    g_ptr_array_add (c->owned, (gpointer) copy.bytes);
  }
  if (row->json != NULL) {
    copy.json = g_strndup (row->json, row->json_len);
    g_ptr_array_add (c->owned, (gpointer) copy.json);
  }
  if (row->record != NULL) {
    g_autoptr (GBytes) bytes = record_encode (row->record);
    struct record *r = g_new0 (struct record, 1);
    gsize len;
    const void *d = g_bytes_get_data (bytes, &len);

    if (!record_decode (d, len, r, &c->error)) {
      g_free (r);
      return FALSE;
    }
    copy.record = r;
    g_ptr_array_add (c->records, r);
  }
  if (row->entry != NULL) {
    struct outbox_entry *e = g_new0 (struct outbox_entry, 1);

    *e = *row->entry;
    e->provider = g_strdup (e->provider);
    e->action = g_strdup (e->action);
    e->address = g_strdup (e->address);
    e->list_id = g_strdup (e->list_id);
    e->campaign_id = g_strdup (e->campaign_id);
    e->subscriber_id = g_strdup (e->subscriber_id);
    e->reason = g_strdup (e->reason);
    e->status = g_strdup (e->status);
    e->answer = g_strdup (e->answer);
    copy.entry = e;
    g_ptr_array_add (c->entries, e);
  }
  g_array_append_val (c->rows, copy);
  return c->rows->len < 1000 || store_copy_flush (c);
}

gboolean
store_copy (struct store *from, struct store *to, guint64 counts[STORE_TABLE_COUNT], GError **error)
{
  struct store_copy c = { to, 0, NULL, NULL, NULL, NULL, 0, NULL };
  gboolean ok = TRUE;

  c.rows = g_array_new (FALSE, FALSE, sizeof (struct store_row));
  c.owned = g_ptr_array_new_with_free_func (g_free);
  c.records = g_ptr_array_new_with_free_func (g_free);
  c.entries = g_ptr_array_new_with_free_func ((GDestroyNotify) outbox_entry_free);
  for (int t = 0; t < STORE_TABLE_COUNT && ok; t++) {
    c.table = (store_table) t;
    c.copied = 0;
    ok = from->ops->each_row (from, c.table, store_copy_row, &c, error) && c.error == NULL
         && store_copy_flush (&c);
    counts[t] = c.copied;
  }
  if (!ok && c.error != NULL)
    g_propagate_error (error, g_steal_pointer (&c.error));
  g_clear_error (&c.error);
  if (!ok)
    g_array_set_size (c.rows, 0); /* what was gathered goes nowhere */
  store_copy_flush (&c);
  g_array_unref (c.rows);
  g_ptr_array_unref (c.owned);
  g_ptr_array_unref (c.records);
  g_ptr_array_unref (c.entries);
  return ok;
}
