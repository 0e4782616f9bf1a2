/* SPDX-License-Identifier: MIT */
/* dispatch - the outbox's actions, over libcurl multi (see dispatch.h). */
#include "config.h"

#include <curl/curl.h>
#include <string.h>

#include "clock.h"
#include "dispatch-spawn.h"
#include "dispatch.h"
#include "providers/provider.h"

#define DISPATCH_CLAIM_MAX 500        /* entries claimed per pass, at most */
#define DISPATCH_CLAIM_PER_SLOT 8     /* and per connection the providers allow */
#define DISPATCH_FLUSH_EVERY 8        /* outcomes written per transaction, at most */
#define DISPATCH_FLUSH_US 1000000     /* and at least this often (microseconds) */
#define DISPATCH_ANSWER_MAX (1 << 20) /* bytes of an answer kept */

/* One configured provider during a run. */
struct dispatch_provider {
  const struct provider_settings *settings;
  const struct provider_ops *ops;
  struct provider_cache cache;
  guint in_flight;
  GQueue waiting; /* of struct dispatch_job *: a request ready, no slot yet */
};

/* One action during a run. */
struct dispatch_job {
  struct outbox_entry *entry;
  struct provider_action action;
  struct provider_job pj;
  struct dispatch_provider *prov;
  char *head; /* "provider\naddress": jobs of one head run one after another */
  CURL *easy;
  struct curl_slist *headers;
  GByteArray *answer;
  char errbuf[CURL_ERROR_SIZE];
};

struct dispatch {
  struct store *store;
  const struct conf *conf;
  const struct dispatch_options *options;
  struct dispatch_report *report;
  CURLM *multi;
  GHashTable *providers; /* name -> struct dispatch_provider * */
  GHashTable *heads;     /* head -> GQueue * of jobs waiting behind the running one */
  GArray *outcomes;      /* of struct store_outbox_outcome, answers owned */
  GPtrArray *flying;     /* jobs with a transfer in the multi handle */
  gboolean abandoning;   /* the deadline passed: nothing new starts */
  guint running;         /* jobs started and not ended */
  gint64 deadline;       /* monotonic microseconds, 0 = none */
  gint64 flushed;        /* monotonic microseconds of the last flush */
  GError *error;         /* store trouble while flushing */
};

gint64
dispatch_backoff (const struct conf *conf, guint attempts, gint64 retry_after, double jitter)
{
  gint64 delay = MAX (conf->backoff_min, 1);

  for (guint i = 1; i < attempts && delay < conf->backoff_max; i++)
    delay *= 2;
  delay = MIN (delay, conf->backoff_max);
  delay = (gint64) ((double) delay * CLAMP (jitter, 0.75, 1.25));
  if (retry_after > delay)
    delay = MIN (retry_after, conf->backoff_max);
  return MAX (delay, 1);
}

/* dispatch_flush - write the outcomes gathered so far. */
static void
dispatch_flush (struct dispatch *d)
{
  GError *error = NULL;

  d->flushed = g_get_monotonic_time ();
  if (d->outcomes->len == 0)
    return;
  if (!store_outbox_finish (d->store, (struct store_outbox_outcome *) (void *) d->outcomes->data,
                            d->outcomes->len, clock_now (), &error)) {
    /* the entries stay claimed and come back when their lease ends */
    g_warning ("dispatch: %u outcomes not recorded: %s", d->outcomes->len, error->message);
    if (d->error == NULL)
      d->error = error;
    else
      g_error_free (error);
  }
  for (guint i = 0; i < d->outcomes->len; i++)
    g_free ((char *) g_array_index (d->outcomes, struct store_outbox_outcome, i).answer);
  g_array_set_size (d->outcomes, 0);
}

static void dispatch_launch (struct dispatch *d, struct dispatch_job *job);

/* dispatch_job_free - forget JOB (its easy handle is out of the multi). */
static void
dispatch_job_free (struct dispatch_job *job)
{
  if (job->easy != NULL)
    curl_easy_cleanup (job->easy);
  curl_slist_free_all (job->headers);
  g_byte_array_unref (job->answer);
  provider_job_clear (&job->pj);
  outbox_entry_free (job->entry);
  g_free (job->head);
  g_free (job);
}

/* dispatch_end - JOB ended with VERDICT: note its outcome, start the next
 * job of its head. */
static void
dispatch_end (struct dispatch *d, struct dispatch_job *job, provider_verdict verdict)
{
  struct store_outbox_outcome o = { 0 };
  const struct outbox_entry *e = job->entry;
  const char *note = job->pj.note ? job->pj.note : "";
  gint64 now = clock_now ();
  GQueue *behind;

  o.id = e->id;
  switch (verdict) {
  case PROVIDER_DONE:
    o.end = STORE_OUTBOX_DONE;
    d->report->done++;
    g_info ("dispatch: #%" G_GUINT64_FORMAT " %s %s %s: done: %s", e->id, e->provider, e->action, e->address,
            note);
    break;
  case PROVIDER_PARK:
    o.end = STORE_OUTBOX_PARK;
    o.answer = g_strdup (note);
    d->report->parked++;
    g_warning ("dispatch: #%" G_GUINT64_FORMAT " %s %s %s: parked for the operator: %s", e->id, e->provider,
               e->action, e->address, note);
    break;
  case PROVIDER_RETRY: {
    gint64 delay =
        dispatch_backoff (d->conf, e->attempts, job->pj.retry_after, g_random_double_range (0.75, 1.25));

    if (now + delay - e->created > d->conf->give_up) {
      o.end = STORE_OUTBOX_PARK;
      o.answer = g_strdup_printf ("gave up after %u attempts: %s", e->attempts, note);
      d->report->parked++;
      g_warning ("dispatch: #%" G_GUINT64_FORMAT " %s %s %s: parked, %s", e->id, e->provider, e->action,
                 e->address, o.answer);
    } else {
      o.end = STORE_OUTBOX_RESCHEDULE;
      o.next_try = now + delay;
      o.answer = g_strdup (note);
      d->report->retried++;
      g_message ("dispatch: #%" G_GUINT64_FORMAT " %s %s %s: attempt %u failed, next in %" G_GINT64_FORMAT
                 " s: %s",
                 e->id, e->provider, e->action, e->address, e->attempts, delay, note);
    }
    break;
  }
  case PROVIDER_NEXT:
  default:
    o.end = STORE_OUTBOX_RELEASE;
    d->report->released++;
    break;
  }
  g_array_append_val (d->outcomes, o);
  d->running--;
  behind = d->abandoning ? NULL : g_hash_table_lookup (d->heads, job->head);
  if (behind != NULL) {
    struct dispatch_job *next = g_queue_pop_head (behind);

    if (next != NULL)
      dispatch_launch (d, next);
    else
      g_hash_table_remove (d->heads, job->head);
  }
  dispatch_job_free (job);
  /* an outcome not written is an action sent again after a crash: write
   * them every few actions and every second */
  if (d->outcomes->len >= DISPATCH_FLUSH_EVERY || g_get_monotonic_time () - d->flushed >= DISPATCH_FLUSH_US)
    dispatch_flush (d);
}

static size_t
dispatch_write (char *data, size_t size, size_t n, void *user)
{
  struct dispatch_job *job = user;
  size_t len = size * n;

  if (job->answer->len < DISPATCH_ANSWER_MAX)
    g_byte_array_append (job->answer, (const guint8 *) data, (guint) MIN (len, DISPATCH_ANSWER_MAX));
  return len;
}

/* dispatch_send - put JOB's prepared request on the wire, or in its
 * provider's waiting line when the provider has no free slot. */
static void
dispatch_send (struct dispatch *d, struct dispatch_job *job)
{
  const struct provider_request *r = &job->pj.request;
  CURL *h;

  if (job->prov->in_flight >= (guint) MAX (job->prov->settings->parallel, 1)) {
    g_queue_push_tail (&job->prov->waiting, job);
    return;
  }
  if (job->easy == NULL)
    job->easy = curl_easy_init ();
  else
    curl_easy_reset (job->easy);
  h = job->easy;
  curl_slist_free_all (job->headers);
  job->headers = curl_slist_append (NULL, "Expect:");
  {
    /* the same on every attempt and every request of the action, so a
     * receiver that keeps them can tell a repeat (providers/WEBHOOK.md) */
    g_autofree char *key = provider_action_key (&job->action);
    g_autofree char *header = g_strdup_printf ("Idempotency-Key: %s", key);

    job->headers = curl_slist_append (job->headers, header);
  }
  for (guint i = 0; i < r->headers->len; i++)
    job->headers = curl_slist_append (job->headers, g_ptr_array_index (r->headers, i));
  g_byte_array_set_size (job->answer, 0);
  job->errbuf[0] = '\0';
  curl_easy_setopt (h, CURLOPT_URL, r->url);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt (h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt (h, CURLOPT_PROTOCOLS, (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, job->headers);
  curl_easy_setopt (h, CURLOPT_USERAGENT, "recoil/" PACKAGE_VERSION);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, (long) d->conf->connect_timeout);
  curl_easy_setopt (h, CURLOPT_TIMEOUT, (long) d->conf->timeout);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (d->conf->ca_file != NULL)
    curl_easy_setopt (h, CURLOPT_CAINFO, d->conf->ca_file);
  if (d->conf->proxy != NULL)
    curl_easy_setopt (h, CURLOPT_PROXY, d->conf->proxy);
  if (d->conf->connections == CONF_CONNECTIONS_CLOSE) {
    curl_easy_setopt (h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt (h, CURLOPT_FORBID_REUSE, 1L);
  }
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, job->errbuf);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, dispatch_write);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, job);
  curl_easy_setopt (h, CURLOPT_PRIVATE, job);
  if (strcmp (r->method, "GET") == 0) {
    curl_easy_setopt (h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt (h, CURLOPT_POSTFIELDSIZE, (long) (r->body ? r->body->len : 0));
    curl_easy_setopt (h, CURLOPT_COPYPOSTFIELDS, r->body ? r->body->str : "");
    if (strcmp (r->method, "POST") != 0)
      curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, r->method);
  }
  job->prov->in_flight++;
  g_ptr_array_add (d->flying, job);
  curl_multi_add_handle (d->multi, h);
}

/* dispatch_launch - start JOB: its provider prepares the first request. */
static void
dispatch_launch (struct dispatch *d, struct dispatch_job *job)
{
  provider_verdict v;

  if (job->prov == NULL) {
    provider_note (&job->pj, "provider %s is not configured", job->entry->provider);
    dispatch_end (d, job, PROVIDER_PARK);
    return;
  }
  job->action.attempt = job->entry->attempts;
  provider_job_init (&job->pj, job->prov->settings, &job->action, &job->prov->cache,
                     g_get_real_time () / G_USEC_PER_SEC);
  if ((v = job->prov->ops->start (&job->pj)) == PROVIDER_NEXT)
    dispatch_send (d, job);
  else
    dispatch_end (d, job, v);
}

/* dispatch_add - a job for entry E (taken); behind an earlier job of the
 * same provider and address when there is one. */
static void
dispatch_add (struct dispatch *d, struct outbox_entry *e)
{
  struct dispatch_job *job = g_new0 (struct dispatch_job, 1);
  GQueue *behind;

  job->entry = e;
  job->prov = g_hash_table_lookup (d->providers, e->provider);
  job->head = g_strdup_printf ("%s\n%s", e->provider, e->address);
  job->answer = g_byte_array_new ();
  job->action.id = e->id;
  job->action.action = e->action;
  job->action.scope = e->scope;
  /* an id-only key is no address to give a provider */
  job->action.address = store_key_is_id_only (e->address) ? NULL : e->address;
  job->action.list_id = e->list_id;
  job->action.campaign_id = e->campaign_id;
  job->action.subscriber_id = e->subscriber_id;
  job->action.reason = e->reason;
  job->action.status = e->status;
  job->action.created = e->created;
  d->running++;
  if ((behind = g_hash_table_lookup (d->heads, job->head)) != NULL) {
    g_queue_push_tail (behind, job);
    return;
  }
  g_hash_table_insert (d->heads, g_strdup (job->head), g_queue_new ());
  dispatch_launch (d, job);
}

/* dispatch_answered - the transfer of H ended with RESULT. */
static void
dispatch_answered (struct dispatch *d, CURL *h, CURLcode result)
{
  struct dispatch_job *job = NULL;
  struct provider_answer a = { 0 };
  struct dispatch_provider *prov;
  provider_verdict v;
  curl_off_t retry_after = 0;

  curl_easy_getinfo (h, CURLINFO_PRIVATE, (char **) &job);
  curl_multi_remove_handle (d->multi, h);
  g_ptr_array_remove_fast (d->flying, job);
  prov = job->prov;
  prov->in_flight--;
  if (result != CURLE_OK) {
    a.transport_error = job->errbuf[0] ? job->errbuf : curl_easy_strerror (result);
  } else {
    curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &a.http);
    a.body = (const char *) job->answer->data;
    a.len = job->answer->len;
    if (curl_easy_getinfo (h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
      job->pj.retry_after = (gint64) retry_after;
  }
  v = prov->ops->answer (&job->pj, &a);
  if (v == PROVIDER_NEXT)
    dispatch_send (d, job);
  else
    dispatch_end (d, job, v);
  /* a slot is free: the next waiting job of this provider goes */
  while (prov->in_flight < (guint) MAX (prov->settings->parallel, 1) && !g_queue_is_empty (&prov->waiting))
    dispatch_send (d, g_queue_pop_head (&prov->waiting));
}

/* dispatch_abandon - the deadline passed: every unfinished job is released,
 * due again for the next run. */
static void
dispatch_abandon (struct dispatch *d)
{
  GHashTableIter it;
  gpointer value;

  d->abandoning = TRUE;
  /* those behind another job of their address */
  g_hash_table_iter_init (&it, d->heads);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    struct dispatch_job *job;

    while ((job = g_queue_pop_head (value)) != NULL)
      dispatch_end (d, job, PROVIDER_NEXT);
  }
  /* those waiting for a slot */
  g_hash_table_iter_init (&it, d->providers);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    struct dispatch_provider *p = value;
    struct dispatch_job *job;

    while ((job = g_queue_pop_head (&p->waiting)) != NULL)
      dispatch_end (d, job, PROVIDER_NEXT);
  }
  /* the transfers in flight */
  while (d->flying->len > 0) {
    struct dispatch_job *job = g_ptr_array_steal_index_fast (d->flying, d->flying->len - 1);

    curl_multi_remove_handle (d->multi, job->easy);
    job->prov->in_flight--;
    dispatch_end (d, job, PROVIDER_NEXT);
  }
  g_hash_table_remove_all (d->heads);
  d->abandoning = FALSE;
}

/* dispatch_remaining_ms - milliseconds to the deadline, or -1 for none. */
static long
dispatch_remaining_ms (const struct dispatch *d)
{
  if (d->deadline == 0)
    return -1;
  return (long) MAX (0, (d->deadline - g_get_monotonic_time ()) / 1000);
}

/* dispatch_loop - run until every started job ended or the deadline. */
static void
dispatch_loop (struct dispatch *d)
{
  while (d->running > 0) {
    int still = 0, queued = 0;
    long left = dispatch_remaining_ms (d);
    CURLMsg *msg;

    if (left == 0) {
      dispatch_abandon (d);
      break;
    }
    curl_multi_perform (d->multi, &still);
    while ((msg = curl_multi_info_read (d->multi, &queued)) != NULL)
      if (msg->msg == CURLMSG_DONE)
        dispatch_answered (d, msg->easy_handle, msg->data.result);
    if (d->running == 0)
      break;
    if (d->outcomes->len > 0 && g_get_monotonic_time () - d->flushed >= DISPATCH_FLUSH_US)
      dispatch_flush (d);
    curl_multi_poll (d->multi, NULL, 0, left < 0 ? 1000 : (int) MIN (left, 1000), NULL);
  }
}

static void
dispatch_provider_free (gpointer data)
{
  struct dispatch_provider *p = data;

  provider_cache_clear (&p->cache);
  g_free (p);
}

gboolean
dispatch_run (struct store *s, const struct conf *conf, const struct dispatch_options *options,
              struct dispatch_report *report, GError **error)
{
  struct dispatch d = { 0 };
  guint64 last = options->last ? options->last : G_MAXUINT64;
  gboolean first_pass = TRUE;
  guint claim;

  memset (report, 0, sizeof *report);
  d.store = s;
  d.conf = conf;
  d.options = options;
  d.report = report;
  d.outcomes = g_array_new (FALSE, FALSE, sizeof (struct store_outbox_outcome));
  d.providers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, dispatch_provider_free);
  d.heads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_queue_free);
  if (options->deadline_ms > 0)
    d.deadline = g_get_monotonic_time () + options->deadline_ms * 1000;
  for (guint i = 0; i < conf->providers->len; i++) {
    const struct provider_settings *ps = g_ptr_array_index (conf->providers, i);
    struct dispatch_provider *p = g_new0 (struct dispatch_provider, 1);

    p->settings = ps;
    p->ops = provider_ops_lookup (ps->type);
    g_queue_init (&p->waiting);
    if (p->ops != NULL)
      g_hash_table_insert (d.providers, ps->name, p);
    else
      g_free (p);
  }
  {
    /* a pass claims what the connections can carry soon, not the whole
     * outbox: on a shared store the other hosts' loops take the rest */
    guint slots = 0;

    for (guint i = 0; i < conf->providers->len; i++)
      slots += (guint) ((const struct provider_settings *) g_ptr_array_index (conf->providers, i))->parallel;
    claim = MIN (DISPATCH_CLAIM_MAX, MAX (16, slots * DISPATCH_CLAIM_PER_SLOT));
  }
  d.multi = curl_multi_init ();
  d.flushed = g_get_monotonic_time ();
  d.flying = g_ptr_array_new ();
  for (;;) {
    g_autoptr (GPtrArray) entries = g_ptr_array_new ();
    gboolean ok;

    if (options->claimed)
      ok = first_pass ? store_outbox_read (s, options->first,
                                           (guint) MIN (last - options->first + 1, G_MAXUINT), entries, error)
                      : TRUE;
    else
      ok = store_outbox_claim (s, clock_now (), dispatch_lease (conf), options->first, last, claim, entries,
                               error);
    if (!ok || entries->len == 0)
      break;
    first_pass = FALSE;
    for (guint i = 0; i < entries->len; i++)
      dispatch_add (&d, g_ptr_array_index (entries, i));
    dispatch_loop (&d);
    dispatch_flush (&d);
    if (d.error != NULL || options->once || options->claimed || dispatch_remaining_ms (&d) == 0)
      break;
  }
  dispatch_flush (&d);
  curl_multi_cleanup (d.multi);
  g_ptr_array_unref (d.flying);
  g_hash_table_unref (d.heads);
  g_hash_table_unref (d.providers);
  g_array_unref (d.outcomes);
  if (d.error != NULL) {
    g_propagate_error (error, d.error);
    return FALSE;
  }
  return error == NULL || *error == NULL;
}
