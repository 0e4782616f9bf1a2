/* SPDX-License-Identifier: MIT */
/* store-apply - applying a batch of events, the same on every backend:
 * fingerprints, the policy's decision per address, the providers' outbox
 * entries, the event log line and the daily counters. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store-backend.h"

/* what marks a fact logged without a record */
static const char store_no_record[] = ",\"record\":false";

void
store_batch_init (struct store_batch *b, const struct conf *conf, const struct store_item *items, guint n,
                  gint64 now, gint64 claim_lease, struct store_result *results)
{
  memset (b, 0, sizeof *b);
  b->conf = conf;
  b->items = items;
  b->n = n;
  b->now = now;
  b->claim_lease = claim_lease;
  b->results = results;
  b->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  b->line = g_string_sized_new (512);
}

void
store_batch_clear (struct store_batch *b)
{
  g_clear_pointer (&b->counts, g_hash_table_unref);
  if (b->line != NULL)
    g_string_free (b->line, TRUE);
  b->line = NULL;
}

/* store_tally - add one to counter KEY of the batch (KEY is taken). */
static void
store_tally (struct store_batch *b, char *key)
{
  guint64 *count = g_hash_table_lookup (b->counts, key);

  if (count != NULL) {
    (*count)++;
    g_free (key);
  } else {
    count = g_new (guint64, 1);
    *count = 1;
    g_hash_table_insert (b->counts, key, count);
  }
}

/* store_tally_parts - add one to the counter DAY|WHAT|A|B|C, allocating
 * the key only the first time it is seen in the batch. */
static void
store_tally_parts (struct store_batch *b, const char *day, const char *what, const char *x, const char *y,
                   const char *z)
{
  guint64 *count;

  /* "DAY|WHAT|A|B|C", without printf: this runs for every event */
  g_string_assign (b->line, day);
  g_string_append_c (b->line, '|');
  g_string_append (b->line, what);
  g_string_append_c (b->line, '|');
  g_string_append (b->line, x);
  g_string_append_c (b->line, '|');
  g_string_append (b->line, y);
  g_string_append_c (b->line, '|');
  g_string_append (b->line, z != NULL ? z : "-");
  count = g_hash_table_lookup (b->counts, b->line->str);
  if (count != NULL) {
    (*count)++;
  } else {
    count = g_new (guint64, 1);
    *count = 1;
    g_hash_table_insert (b->counts, g_strdup (b->line->str), count);
  }
}

/* store_json_int - N in decimal onto OUT, without printf. */
static void
store_json_int (GString *out, gint64 n)
{
  char digits[24];
  int i = (int) sizeof digits;
  guint64 u = n < 0 ? (guint64) -n : (guint64) n;

  do {
    digits[--i] = (char) ('0' + u % 10);
    u /= 10;
  } while (u > 0);
  if (n < 0)
    digits[--i] = '-';
  g_string_append_len (out, digits + i, (gssize) sizeof digits - i);
}

/* store_json_str_n - PREFIX (,"KEY":) and the JSON string VALUE onto OUT;
 * nothing when VALUE is NULL.
 * Bytes that are not UTF-8 become U+FFFD, as in eventjson_string, so
 * every line of the log stays JSON. */
static void
store_json_str_n (GString *out, const char *prefix, gsize prefix_len, const char *value)
{
  gsize n = 0;

  /* a field without a value is left out: a line is smaller, and a reader
   * takes an absent key as null */
  if (value == NULL)
    return;
  g_string_append_len (out, prefix, (gssize) prefix_len);
  /* most values are plain ASCII with nothing to escape: one copy */
  while (value[n] != '\0' && (unsigned char) value[n] >= 0x20 && (unsigned char) value[n] < 0x80
         && value[n] != '"' && value[n] != '\\')
    n++;
  if (value[n] == '\0') {
    g_string_append_c (out, '"');
    g_string_append_len (out, value, (gssize) n);
    g_string_append_c (out, '"');
    return;
  }
  {
    g_autofree char *valid = g_utf8_validate (value, -1, NULL) ? NULL : g_utf8_make_valid (value, -1);

    if (valid != NULL)
      value = valid;
    g_string_append_c (out, '"');
    for (const unsigned char *p = (const unsigned char *) value; *p;) {
      const unsigned char *run = p;

      while (*p && *p != '"' && *p != '\\' && *p >= 0x20)
        p++;
      g_string_append_len (out, (const char *) run, p - run);
      if (*p == '\0')
        break;
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else
        g_string_append_printf (out, "\\u%04x", *p);
      p++;
    }
    g_string_append_c (out, '"');
  }
}

/* store_json_str - append ,"KEY":VALUE (a string literal KEY) to OUT. */
#define store_json_str(out, key, value) store_json_str_n ((out), ",\"" key "\":", sizeof (key) + 3, (value))

/* store_event_line - ITEM and what was decided (RES) as one event log
 * entry in LINE: time, decision, actions, sender and the event fields;
 * RECORDLESS for a fact about an address without a record, PREV the fact
 * before it about the same address. */
static void
store_event_line (GString *line, const struct store_item *item, gint64 now, const struct store_result *res,
                  guint64 prev, gboolean recordless)
{
  const struct event *e = item->event;

  g_string_assign (line, "{\"time\":");
  store_json_int (line, now);
  g_string_append (line, ",\"decision\":\"");
  g_string_append (line, res->decision.outcome == POLICY_SUPPRESS      ? "suppress"
                         : res->decision.outcome == POLICY_UNSUBSCRIBE ? "unsubscribe"
                                                                       : "none");
  g_string_append (line, "\",\"actions\":");
  store_json_int (line, res->actions);
  store_json_str (line, "sender", item->sender);
  store_json_str (line, "recipient", e->address);
  store_json_str (line, "kind", event_kind_name (e->kind));
  store_json_str (line, "class", event_class_name (e->klass));
  store_json_str (line, "status", e->status);
  store_json_str (line, "reason", e->reason);
  store_json_str (line, "category", e->category);
  store_json_str (line, "feedback_type", e->feedback_type);
  store_json_str (line, "source", e->source);
  store_json_str (line, "list", e->hints.list_id);
  store_json_str (line, "campaign", e->hints.campaign_id);
  store_json_str (line, "subscriber", e->hints.subscriber_id);
  store_json_str (line, "message_id", e->hints.message_id);
  store_json_str (line, "origin", item->origin);
  if (e->time > 0) {
    g_string_append (line, ",\"event_time\":");
    store_json_int (line, e->time);
  }
  store_json_str (line, "untrusted", item->untrusted);
  if (res->actions > 0)
    store_json_str (line, "acted", res->acted);
  if (recordless)
    g_string_append (line, store_no_record);
  if (prev > 0) {
    g_string_append (line, ",\"prev\":");
    store_json_int (line, (gint64) prev);
  }
  g_string_append_c (line, '}');
}

/* store_note_acted - add WHO ("provider:action") to RES->acted, ending
 * it with "..." when it does not fit. */
static void
store_note_acted (struct store_result *res, const char *who)
{
  gsize have = strlen (res->acted), need = strlen (who) + (have > 0 ? 2 : 0);

  if (have + need + 4 <= sizeof res->acted) {
    if (have > 0)
      strcat (res->acted, ", ");
    strcat (res->acted, who);
  } else if (!g_str_has_suffix (res->acted, "...") && have + 4 <= sizeof res->acted) {
    strcat (res->acted, "...");
  }
}

/* store_kind_counts - whether facts of KIND are kept per address. */
static gboolean
store_kind_counts (event_kind kind)
{
  return kind == EVENT_KIND_BOUNCE || kind == EVENT_KIND_COMPLAINT || kind == EVENT_KIND_UNSUBSCRIBE;
}

/* store_item_key - the key the item's facts are kept under, or NULL
 * (caller frees). */
char *
store_item_key (const struct store_item *item)
{
  const struct event *e = item->event;
  char *key = e->address != NULL ? event_normalize_address (e->address) : NULL;

  if (key == NULL && e->kind == EVENT_KIND_UNSUBSCRIBE)
    key = store_id_only_key (e->hints.list_id, e->hints.subscriber_id);
  return key;
}

/* store_log - LINE into the event log about KEY; *SEQ gets its number. */
static int
store_log (const struct store_txn_ops *ops, gpointer txn, struct store_batch *b,
           const struct store_item *item, const struct store_result *res, guint64 prev, gboolean recordless,
           const char *key, guint64 *seq)
{
  store_event_line (b->line, item, b->now, res, prev, recordless);
  return ops->log_event (txn, b->line, key, seq);
}

/* store_apply_one - item I of B. */
static int
store_apply_one (const struct store_txn_ops *ops, gpointer txn, struct store_batch *b, guint i,
                 const char *day, GError **error)
{
  const struct store_item *item = &b->items[i];
  const struct event *e = item->event;
  struct store_result *res = &b->results[i];
  g_autofree char *key = NULL;
  g_autoptr (GPtrArray) actions = NULL;
  struct record r;
  gboolean found;
  guint64 prev, seq;
  int rc;

  memset (res, 0, sizeof *res);
  if (item->fingerprint != NULL) {
    if ((rc = ops->seen (txn, item->fingerprint, item->fact_time, b->now, &res->duplicate)) != 0)
      return rc;
    if (res->duplicate)
      return 0;
  }
  store_tally_parts (b, day, "event", event_kind_name (e->kind), event_class_name (e->klass), e->category);
  if (item->untrusted != NULL) {
    store_tally (b, g_strdup_printf ("%s|untrusted|%s", day, event_kind_name (e->kind)));
    return store_log (ops, txn, b, item, res, 0, FALSE, NULL, &seq);
  }
  if ((key = store_item_key (item)) == NULL)
    return store_log (ops, txn, b, item, res, 0, FALSE, NULL, &seq);
  if ((rc = ops->load (txn, key, &r, &found, error)) != 0)
    return rc;
  /* delay warnings, auto-replies and deliveries are kept in the log but
   * make no record of their own: an address seen only that way has
   * nothing to count and would only take room */
  if (!found && !store_kind_counts (e->kind)) {
    record_clear (&r);
    if ((rc = ops->lead_get (txn, key, &prev)) != 0
        || (rc = store_log (ops, txn, b, item, res, prev, TRUE, key, &seq)) != 0)
      return rc;
    return ops->lead_put (txn, key, seq);
  }
  /* a new record takes over the facts logged before it */
  if (!found) {
    if ((rc = ops->lead_get (txn, key, &r.last_event)) != 0)
      return rc;
    if (r.last_event > 0 && (rc = ops->lead_del (txn, key)) != 0)
      return rc;
  }
  {
    struct policy_rules rules;

    policy_rules_from_conf (b->conf, &rules);
    res->decision = policy_apply (&rules, &r, e, b->now);
  }
  actions = g_ptr_array_new_with_free_func (g_free);
  policy_route (b->conf, e, item->sender, &r, &res->decision, actions);
  for (guint k = 0; k < actions->len; k++) {
    const struct policy_action *a = g_ptr_array_index (actions, k);
    struct outbox_entry o = { 0 };
    g_autofree char *who = g_strdup_printf ("%s:%s", a->provider, a->action);
    guint64 id;

    o.provider = (char *) a->provider;
    o.action = (char *) a->action;
    o.scope = a->scope;
    o.address = key;
    o.list_id = e->hints.list_id;
    o.campaign_id = e->hints.campaign_id;
    o.subscriber_id = e->hints.subscriber_id;
    o.reason = (char *) res->decision.why;
    o.status = e->status;
    o.created = o.next_try = b->now;
    if (b->claim_lease > 0) {
      /* the caller carries it out right away */
      o.next_try = b->now + b->claim_lease;
      o.attempts = 1;
    }
    if ((rc = ops->outbox_add (txn, &o, k, actions->len, &id)) != 0) {
      record_clear (&r);
      return rc;
    }
    if (res->actions == 0)
      res->first_action = id;
    record_acted_add (&r, who);
    store_note_acted (res, who);
    res->actions++;
  }
  /* the fact's place in the address's chain of facts */
  prev = r.last_event;
  if ((rc = store_log (ops, txn, b, item, res, prev, FALSE, key, &seq)) != 0) {
    record_clear (&r);
    return rc;
  }
  r.last_event = seq;
  if (res->decision.outcome != POLICY_NONE && !res->decision.repeat && !res->decision.ignored)
    r.state_event = seq;
  rc = ops->save (txn, key, &r);
  record_clear (&r);
  if (rc != 0)
    return rc;
  if (res->decision.outcome != POLICY_NONE && !res->decision.repeat)
    store_tally (b, g_strdup_printf ("%s|decision|%s|%s", day,
                                     res->decision.outcome == POLICY_SUPPRESS ? "suppress" : "unsubscribe",
                                     res->decision.why));
  return 0;
}

/* store_compare_keys - two char ** in strcmp order. */
static int
store_compare_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

int
store_apply_batch (const struct store_txn_ops *ops, gpointer txn, struct store_batch *b, GError **error)
{
  g_autofree char *day = clock_format_day (clock_day_of (b->now));
  g_autofree gpointer *keys = NULL;
  guint nkeys = 0;
  int rc;

  g_hash_table_remove_all (b->counts);
  for (guint i = 0; i < b->n; i++)
    if ((rc = store_apply_one (ops, txn, b, i, day, error)) != 0)
      return rc;
  /* in key order: two batches that share counters take them in the same
   * order (a backend with row locks never deadlocks on them) */
  keys = g_hash_table_get_keys_as_array (b->counts, &nkeys);
  qsort (keys, nkeys, sizeof *keys, store_compare_keys);
  for (guint i = 0; i < nkeys; i++) {
    const char *key = keys[i];

    if ((rc = ops->count (txn, key, *(guint64 *) g_hash_table_lookup (b->counts, key))) != 0)
      return rc;
  }
  return 0;
}

/* store_lock_of - the first 8 bytes of BYTES (LEN) as a number. */
static gint64
store_lock_of (const guint8 *bytes)
{
  guint64 n = 0;

  for (int i = 0; i < 8; i++)
    n = n << 8 | bytes[i];
  return (gint64) n;
}

/* store_compare_locks - two gint64 in ascending order. */
static gint
store_compare_locks (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

GArray *
store_batch_locks (const struct store_batch *b)
{
  GArray *locks = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *unique = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < b->n; i++) {
    g_autofree char *key = store_item_key (&b->items[i]);
    gint64 lock;

    if (b->items[i].fingerprint != NULL) {
      lock = store_lock_of (b->items[i].fingerprint);
      g_array_append_val (locks, lock);
    }
    if (key != NULL) {
      g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize n = sizeof digest;

      g_checksum_update (sum, (const guchar *) "key:", 4);
      g_checksum_update (sum, (const guchar *) key, (gssize) strlen (key));
      g_checksum_get_digest (sum, digest, &n);
      lock = store_lock_of (digest);
      g_array_append_val (locks, lock);
    }
  }
  g_array_sort (locks, store_compare_locks);
  for (guint i = 0; i < locks->len; i++)
    if (i == 0 || g_array_index (locks, gint64, i) != g_array_index (locks, gint64, i - 1))
      g_array_append_val (unique, g_array_index (locks, gint64, i));
  g_array_unref (locks);
  return unique;
}

gint64
store_event_time (const char *line, gsize len)
{
  const char *p = line, *end = line + len;
  gint64 t = 0;

  if (len < 9 || memcmp (p, "{\"time\":", 8) != 0)
    return -1;
  for (p += 8; p < end && g_ascii_isdigit (*p); p++)
    t = t * 10 + (*p - '0');
  return t;
}

guint64
store_event_prev (const char *line, gsize len)
{
  const char *p = line, *end = p + len;
  const char *q;
  guint64 n = 0;

  /* ...,"prev":DIGITS} is always the end of an entry that has one */
  if (len < 10 || end[-1] != '}')
    return 0;
  for (q = end - 1; q > p && g_ascii_isdigit (q[-1]); q--)
    ;
  if (q == end - 1 || q - p < 8 || memcmp (q - 8, ",\"prev\":", 8) != 0)
    return 0;
  for (; q < end - 1; q++)
    n = n * 10 + (guint64) (*q - '0');
  return n;
}

gboolean
store_event_recordless (const char *line, gsize len)
{
  return memmem (line, len, store_no_record, sizeof store_no_record - 1) != NULL;
}

char *
store_event_key (const char *line, gsize len)
{
  json_t *o = json_loadb (line, len, 0, NULL);
  const char *raw = o != NULL ? json_string_value (json_object_get (o, "recipient")) : NULL;
  char *key = NULL;

  if (raw != NULL && json_object_get (o, "untrusted") == NULL)
    key = event_normalize_address (raw);
  if (key == NULL && o != NULL && json_object_get (o, "untrusted") == NULL
      && g_strcmp0 (json_string_value (json_object_get (o, "kind")), "unsubscribe") == 0)
    key = store_id_only_key (json_string_value (json_object_get (o, "list")),
                             json_string_value (json_object_get (o, "subscriber")));
  json_decref (o);
  return key;
}

gboolean
store_import_apply (const struct store_import_row *row, struct record *r, GError **error)
{
  if (row->whole != NULL) {
    g_autoptr (GBytes) copy = record_encode (row->whole);
    guint64 last = r->last_event;
    gsize len;
    const void *d = g_bytes_get_data (copy, &len);

    record_clear (r);
    if (!record_decode (d, len, r, error))
      return FALSE;
    r->last_event = last;
    r->state_event = 0;
    return TRUE;
  }
  r->state = row->state;
  r->changed = row->when;
  g_free (r->state_reason);
  r->state_reason = g_strdup (row->reason != NULL ? row->reason : "import");
  r->state_event = 0;
  if (row->counts) {
    r->hard = row->hard;
    r->soft = row->soft;
    r->complaints = row->complaints;
  }
  return TRUE;
}

void
store_fact_key (gint64 when, const guint8 *fp, guint8 out[20])
{
  guint32 t = (guint32) CLAMP (when, 0, (gint64) G_MAXUINT32);

  out[0] = (t >> 24) & 0xff;
  out[1] = (t >> 16) & 0xff;
  out[2] = (t >> 8) & 0xff;
  out[3] = t & 0xff;
  memcpy (out + 4, fp, 16);
}
