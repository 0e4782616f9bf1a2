/* SPDX-License-Identifier: MIT */
/* test-provider - the provider registry and each type's completeness check. */
#include "config.h"

#include <string.h>

#include "providers/provider.h"

struct check_case {
  const char *name;
  const char *type;
  gint64 api_version;
  const char *public_key, *private_key, *api_key, *username, *token, *secret;
  gboolean complete;
};

static const struct check_case check_cases[] = {
  { "mailwizz-v1", "mailwizz", 1, "pub", "priv", NULL, NULL, NULL, NULL, TRUE },
  { "mailwizz-v1-no-private", "mailwizz", 1, "pub", NULL, NULL, NULL, NULL, NULL, FALSE },
  { "mailwizz-v1-empty-public", "mailwizz", 1, "", "priv", NULL, NULL, NULL, NULL, FALSE },
  { "mailwizz-v2", "mailwizz", 2, NULL, NULL, "key", NULL, NULL, NULL, TRUE },
  { "mailwizz-v2-keypair-only", "mailwizz", 2, "pub", "priv", NULL, NULL, NULL, NULL, FALSE },
  { "interspire", "interspire", 1, NULL, NULL, NULL, "admin", "tok", NULL, TRUE },
  { "interspire-no-token", "interspire", 1, NULL, NULL, NULL, "admin", NULL, NULL, FALSE },
  { "listmonk", "listmonk", 1, NULL, NULL, NULL, "api", "tok", NULL, TRUE },
  { "listmonk-no-user", "listmonk", 1, NULL, NULL, NULL, NULL, "tok", NULL, FALSE },
  { "webhook", "webhook", 1, NULL, NULL, NULL, NULL, NULL, "0123456789abcdef", TRUE },
  { "webhook-no-secret", "webhook", 1, NULL, NULL, NULL, NULL, NULL, NULL, FALSE },
};

static void
test_provider_check (gconstpointer data)
{
  const struct check_case *c = data;
  struct provider_settings s = { 0 };
  const struct provider_type *type = provider_type_lookup (c->type);

  g_assert_nonnull (type);
  s.type = (char *) c->type;
  s.api_version = c->api_version;
  s.public_key = (char *) c->public_key;
  s.private_key = (char *) c->private_key;
  s.api_key = (char *) c->api_key;
  s.username = (char *) c->username;
  s.token = (char *) c->token;
  s.secret = (char *) c->secret;
  if (c->complete)
    g_assert_null (type->check (&s));
  else
    g_assert_nonnull (type->check (&s));
}

static void
test_provider_registry (void)
{
  const char *const *names = provider_type_names ();
  gsize n = 0;

  for (; names[n] != NULL; n++) {
    const struct provider_type *t = provider_type_lookup (names[n]);

    g_assert_nonnull (t);
    g_assert_cmpstr (t->name, ==, names[n]);
    g_assert_nonnull (t->check);
  }
  g_assert_cmpuint (n, ==, 4);
  g_assert_nonnull (provider_type_lookup ("MailWizz"));
  g_assert_null (provider_type_lookup ("mailchimp"));
  g_assert_null (provider_type_lookup (NULL));
  g_assert_cmpstr (provider_action_names ()[0], ==, "none");
}

/* header_value - the value of header NAME in JOB's request, or NULL. */
static const char *
header_value (const struct provider_job *job, const char *name)
{
  gsize n = strlen (name);

  for (guint i = 0; i < job->request.headers->len; i++) {
    const char *h = g_ptr_array_index (job->request.headers, i);

    if (g_ascii_strncasecmp (h, name, n) == 0 && h[n] == ':')
      return h + n + 2;
  }
  return NULL;
}

/* answer - a provider_answer of HTTP status and BODY. */
static struct provider_answer
answer (long http, const char *body)
{
  struct provider_answer a = { http, body, body ? strlen (body) : 0, NULL };

  return a;
}

static void
test_urlencode (void)
{
  g_autoptr (GString) out = g_string_new (NULL);

  provider_urlencode (out, "a b~c@d.e_f-g+h=\xc3\xa9/");
  g_assert_cmpstr (out->str, ==, "a+b%7Ec%40d.e_f-g%2Bh%3D%C3%A9%2F");
}

static void
test_http_trouble (void)
{
  static const struct {
    long http;
    provider_verdict v;
  } cases[] = { { 200, PROVIDER_DONE }, { 201, PROVIDER_DONE },  { 301, PROVIDER_PARK },
                { 400, PROVIDER_PARK }, { 404, PROVIDER_PARK },  { 408, PROVIDER_RETRY },
                { 422, PROVIDER_PARK }, { 429, PROVIDER_RETRY }, { 500, PROVIDER_RETRY },
                { 503, PROVIDER_RETRY } };
  struct provider_settings s = { 0 };
  struct provider_action a = { 0 };
  struct provider_cache cache = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    struct provider_job job;
    struct provider_answer ans = answer (cases[i].http, "{\"error\":\"x\"}\n\x01");

    provider_job_init (&job, &s, &a, &cache, 0);
    g_assert_cmpint (provider_http_trouble (&job, &ans, "call"), ==, cases[i].v);
    if (cases[i].v != PROVIDER_DONE) {
      g_assert_nonnull (strstr (job.note, "call: HTTP"));
      g_assert_null (strchr (job.note, '\n')); /* control characters do not reach logs */
      g_assert_null (strchr (job.note, '\x01'));
    }
    provider_job_clear (&job);
  }
  {
    struct provider_job job;
    struct provider_answer ans = { 0, NULL, 0, "Connection refused" };

    provider_job_init (&job, &s, &a, &cache, 0);
    g_assert_cmpint (provider_http_trouble (&job, &ans, "call"), ==, PROVIDER_RETRY);
    g_assert_cmpstr (job.note, ==, "call: Connection refused");
    provider_job_clear (&job);
  }
}

/* The vectors were computed with the independent encoder of
 * tests/fakes/fakecommon.py (PHP http_build_query) and Python's hmac. */
static void
test_mailwizz_signature (void)
{
  struct provider_settings s = { 0 };
  struct provider_action a = { 0 };
  struct provider_cache cache = { 0 };
  struct provider_job job;
  struct provider_answer ans;

  s.type = (char *) "mailwizz";
  s.url = (char *) "https://mw.example.com/api/";
  s.api_version = 1;
  s.public_key = (char *) "pk";
  s.private_key = (char *) "priv~key";
  a.action = "unsubscribe";
  a.address = "john+x@doe.com";
  provider_job_init (&job, &s, &a, &cache, 1700000000);
  g_assert_cmpint (provider_mailwizz_ops.start (&job), ==, PROVIDER_NEXT);
  g_assert_cmpstr (job.request.method, ==, "GET");
  g_assert_cmpstr (
      job.request.url, ==,
      "https://mw.example.com/api/lists/subscribers/search-by-email-in-all-lists?EMAIL=john%2Bx%40doe.com");
  g_assert_cmpstr (header_value (&job, "X-MW-REMOTE-ADDR"), ==, "127.0.0.1");
  g_assert_cmpstr (header_value (&job, "X-MW-TIMESTAMP"), ==, "1700000000");
  g_assert_cmpstr (header_value (&job, "X-MW-SIGNATURE"), ==, "c43eb50e0186fe38808d8870391d5e9e51b936a2");

  /* the search answer: blacklisted and unsubscribed memberships are skipped */
  ans = answer (200,
                "{\"status\":\"success\",\"data\":{\"records\":["
                "{\"subscriber_uid\":\"S1\",\"status\":\"blacklisted\",\"list\":{\"list_uid\":\"L1\"}},"
                "{\"subscriber_uid\":\"S2\",\"status\":\"confirmed\",\"list\":{\"list_uid\":\"L2\"}},"
                "{\"subscriber_uid\":\"S3\",\"status\":\"unsubscribed\",\"list\":{\"list_uid\":\"L3\"}},"
                "{\"subscriber_uid\":\"S4\",\"status\":\"unconfirmed\",\"list\":{\"list_uid\":\"L 4\"}}]}}");
  g_assert_cmpint (provider_mailwizz_ops.answer (&job, &ans), ==, PROVIDER_NEXT);
  g_assert_cmpstr (job.request.method, ==, "PUT");
  g_assert_cmpstr (job.request.url, ==, "https://mw.example.com/api/lists/L2/subscribers/S2/unsubscribe");
  g_assert_cmpstr (header_value (&job, "X-HTTP-Method-Override"), ==, "PUT");
  ans = answer (200, "{\"status\":\"success\"}");
  g_assert_cmpint (provider_mailwizz_ops.answer (&job, &ans), ==, PROVIDER_NEXT);
  g_assert_cmpstr (job.request.url, ==, "https://mw.example.com/api/lists/L%204/subscribers/S4/unsubscribe");
  /* a 404 (the subscriber went away meanwhile) is nothing left to do */
  ans = answer (404, "{\"status\":\"error\",\"error\":\"The subscriber does not exist in this list.\"}");
  g_assert_cmpint (provider_mailwizz_ops.answer (&job, &ans), ==, PROVIDER_DONE);
  provider_job_clear (&job);

  /* an outage is not "not subscribed": a 200 that is not JSON is retried */
  provider_job_init (&job, &s, &a, &cache, 1700000000);
  provider_mailwizz_ops.start (&job);
  ans = answer (200, "<html>maintenance</html>");
  g_assert_cmpint (provider_mailwizz_ops.answer (&job, &ans), ==, PROVIDER_RETRY);
  provider_job_clear (&job);

  /* a campaign bounce: a signed form body */
  a.action = "record";
  a.reason = "hard";
  a.status = "5.1.1";
  a.campaign_id = "CUID";
  a.subscriber_id = "SUID";
  provider_job_init (&job, &s, &a, &cache, 1700000000);
  g_assert_cmpint (provider_mailwizz_ops.start (&job), ==, PROVIDER_NEXT);
  g_assert_cmpstr (job.request.method, ==, "POST");
  g_assert_cmpstr (job.request.body->str, ==,
                   "bounce_type=hard&message=5.1.1+hard+%28recoil%29&subscriber_uid=SUID");
  g_assert_cmpstr (header_value (&job, "X-MW-SIGNATURE"), ==, "72c99800998bd582dd9436d843b23cd9b70d4b70");
  ans = answer (422,
                "{\"status\":\"error\",\"error\":\"This subscriber has already been marked as bounced!\"}");
  g_assert_cmpint (provider_mailwizz_ops.answer (&job, &ans), ==, PROVIDER_DONE);
  provider_job_clear (&job);
  provider_job_init (&job, &s, &a, &cache, 1700000000);
  provider_mailwizz_ops.start (&job);
  ans = answer (422, "{\"status\":\"error\",\"error\":\"Invalid bounce type!\"}");
  g_assert_cmpint (provider_mailwizz_ops.answer (&job, &ans), ==, PROVIDER_PARK);
  provider_job_clear (&job);

  /* 2.x sends the key and signs nothing */
  s.api_version = 2;
  s.api_key = (char *) "k2";
  provider_job_init (&job, &s, &a, &cache, 1700000000);
  provider_mailwizz_ops.start (&job);
  g_assert_cmpstr (header_value (&job, "X-Api-Key"), ==, "k2");
  g_assert_null (header_value (&job, "X-MW-SIGNATURE"));
  provider_job_clear (&job);
}

static void
test_interspire_xml (void)
{
  struct provider_settings s = { 0 };
  struct provider_action a = { 0 };
  struct provider_cache cache = { 0 };
  struct provider_job job;
  struct provider_answer ans;

  s.url = (char *) "https://iem.example.com/xml.php";
  s.username = (char *) "admin";
  s.token = (char *) "t<o&k";
  s.list_ttl = 600;
  a.action = "unsubscribe";
  a.address = "a&b<c@example.org";
  provider_job_init (&job, &s, &a, &cache, 1000);
  g_assert_cmpint (provider_interspire_ops.start (&job), ==, PROVIDER_NEXT);
  g_assert_nonnull (strstr (job.request.body->str, "<usertoken>t&lt;o&amp;k</usertoken>"));
  g_assert_nonnull (strstr (job.request.body->str, "<perpage>all</perpage>"));
  ans = answer (200, "<?xml version=\"1.0\"?><response><status>SUCCESS</status><data>"
                     "<item><listid>1</listid></item><item><listid>12</listid></item></data></response>");
  g_assert_cmpint (provider_interspire_ops.answer (&job, &ans), ==, PROVIDER_NEXT);
  g_assert_nonnull (strstr (job.request.body->str, "<email>a&amp;b&lt;c@example.org</email>"));
  g_assert_nonnull (strstr (job.request.body->str, "<listids>1,12</listids>"));
  g_assert_cmpint (cache.lists_until, ==, 1600);
  /* FAILED for the membership query: on no list, nothing to do */
  ans = answer (200, "<response><status>FAILED</status><errormessage></errormessage></response>");
  g_assert_cmpint (provider_interspire_ops.answer (&job, &ans), ==, PROVIDER_DONE);
  provider_job_clear (&job);

  /* the list of lists is cached until list_ttl passes */
  provider_job_init (&job, &s, &a, &cache, 1500);
  provider_interspire_ops.start (&job);
  g_assert_nonnull (strstr (job.request.body->str, "GetAllListsForEmailAddress"));
  provider_job_clear (&job);
  provider_job_init (&job, &s, &a, &cache, 1700);
  provider_interspire_ops.start (&job);
  g_assert_nonnull (strstr (job.request.body->str, "GetLists"));
  /* an answer with an external entity: not fetched, not expanded, not a success */
  ans = answer (200, "<?xml version=\"1.0\"?><!DOCTYPE response [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                     "<response><status>&x;</status></response>");
  g_assert_cmpint (provider_interspire_ops.answer (&job, &ans), ==, PROVIDER_RETRY);
  g_assert_null (strstr (job.note, "root:"));
  provider_job_clear (&job);
  /* refused credentials are not retried */
  provider_job_init (&job, &s, &a, &cache, 1700);
  provider_interspire_ops.start (&job);
  ans = answer (200, "<response><status>FAILED</status><errormessage>Unable to check user "
                     "details.</errormessage></response>");
  g_assert_cmpint (provider_interspire_ops.answer (&job, &ans), ==, PROVIDER_PARK);
  provider_job_clear (&job);
  provider_cache_clear (&cache);
}

static void
test_listmonk_and_webhook (void)
{
  struct provider_settings s = { 0 };
  struct provider_action a = { 0 };
  struct provider_cache cache = { 0 };
  struct provider_job job;
  struct provider_answer ans;
  g_autofree char *mac = NULL;
  g_autofree char *text = NULL;

  s.url = (char *) "http://lm.example.com/";
  s.username = (char *) "api";
  s.token = (char *) "tok";
  a.action = "blocklist";
  a.address = "o'q@example.org";
  provider_job_init (&job, &s, &a, &cache, 0);
  g_assert_cmpint (provider_listmonk_ops.start (&job), ==, PROVIDER_NEXT);
  g_assert_cmpstr (job.request.url, ==,
                   "http://lm.example.com/api/"
                   "subscribers?per_page=all&query=subscribers.email%3D%27o%27%27q%40example.org%27");
  g_assert_cmpstr (header_value (&job, "Authorization"), ==, "Basic YXBpOnRvaw==");
  ans = answer (200, "{\"data\":{\"results\":[{\"id\":7,\"status\":\"enabled\"}]}}");
  g_assert_cmpint (provider_listmonk_ops.answer (&job, &ans), ==, PROVIDER_NEXT);
  g_assert_cmpstr (job.request.method, ==, "PUT");
  g_assert_cmpstr (job.request.body->str, ==, "{\"ids\":[7]}");
  provider_job_clear (&job);

  s.secret = (char *) "0123456789abcdef";
  s.url = (char *) "https://hooks.example.com/recoil";
  a.action = "unsubscribe";
  a.id = 42;
  a.created = 1700000000;
  a.attempt = 1;
  provider_job_init (&job, &s, &a, &cache, 1700000100);
  g_assert_cmpint (provider_webhook_ops.start (&job), ==, PROVIDER_NEXT);
  text = g_strdup_printf ("1700000100.%s", job.request.body->str);
  mac = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) s.secret, strlen (s.secret), text, -1);
  g_assert_cmpstr (header_value (&job, "X-Recoil-Timestamp"), ==, "1700000100");
  g_assert_true (g_str_has_prefix (header_value (&job, "X-Recoil-Signature"), "v1="));
  g_assert_cmpstr (header_value (&job, "X-Recoil-Signature") + 3, ==, mac);
  g_assert_true (g_str_has_prefix (header_value (&job, "X-Recoil-Id"), "1700000000-42-"));
  g_assert_nonnull (strstr (job.request.body->str, "\"address\":\"o'q@example.org\""));
  g_assert_nonnull (strstr (job.request.body->str, "\"decided_at\":\"2023-11-14T22:13:20Z\""));
  ans = answer (409, "");
  g_assert_cmpint (provider_webhook_ops.answer (&job, &ans), ==, PROVIDER_DONE);
  provider_job_clear (&job);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (check_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/provider/check/%s", check_cases[i].name);

    g_test_add_data_func (path, &check_cases[i], test_provider_check);
  }
  g_test_add_func ("/provider/registry", test_provider_registry);
  g_test_add_func ("/provider/urlencode", test_urlencode);
  g_test_add_func ("/provider/http-trouble", test_http_trouble);
  g_test_add_func ("/provider/mailwizz", test_mailwizz_signature);
  g_test_add_func ("/provider/interspire", test_interspire_xml);
  g_test_add_func ("/provider/listmonk-webhook", test_listmonk_and_webhook);
  return g_test_run ();
}
