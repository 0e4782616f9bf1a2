/* SPDX-License-Identifier: MIT */
/* test-conf - the configuration table: defaults, bounds, refusals, secrets. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "log.h"

static char *test_dir;

/* write_conf - write TEXT to a new file under the test directory with MODE;
 * returns its path (caller frees). */
static char *
write_conf (const char *name, const char *text, int mode)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (test_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return path;
}

struct bad_case {
  const char *name;
  const char *text;
  int code;
  const char *expect[3]; /* substrings of the message */
};

#define SECRET "secret = 0123456789abcdef0123\n"
#define MW "[provider mw]\ntype = mailwizz\nurl = https://mw.example.com/api\n"

static const struct bad_case bad_cases[] = {
  { "unknown-group", "[recoil]\n[recoill]\n", CONF_ERROR_INVALID, { "[recoill]: unknown group", NULL } },
  { "unknown-key",
    "[recoil]\nstate_dri = /tmp\n",
    CONF_ERROR_INVALID,
    { "[recoil] state_dri: unknown key", "did you mean state_dir?", NULL } },
  { "key-in-wrong-group",
    "[verp]\nhard_threshold = 2\n",
    CONF_ERROR_INVALID,
    { "[verp] hard_threshold: unknown key", NULL } },
  { "not-a-number",
    "[policy]\nsoft_threshold = five\n",
    CONF_ERROR_INVALID,
    { "[policy] soft_threshold: \"five\" is not a whole number", NULL } },
  { "below-range",
    "[policy]\nhard_threshold = 0\n",
    CONF_ERROR_INVALID,
    { "[policy] hard_threshold: 0 is out of range (1 to 1000)", NULL } },
  { "above-range",
    "[policy]\nsoft_threshold = 100000\n",
    CONF_ERROR_INVALID,
    { "[policy] soft_threshold", "out of range", NULL } },
  { "bad-duration",
    "[policy]\nsoft_window = 30 days\n",
    CONF_ERROR_INVALID,
    { "[policy] soft_window", "is not a duration", NULL } },
  { "short-duration",
    "[verp]\nmax_age = 2h\n",
    CONF_ERROR_INVALID,
    { "[verp] max_age: 2h is out of range (1d to 3650d)", NULL } },
  { "bad-size",
    "[recoil]\nmax_message_size = 25X\n",
    CONF_ERROR_INVALID,
    { "[recoil] max_message_size", "is not a size", NULL } },
  { "bad-enum",
    "[verp]\nsignature = maybe\n",
    CONF_ERROR_INVALID,
    { "[verp] signature: \"maybe\" is not one of: enforce, warn, off", NULL } },
  { "bad-list-item",
    "[verp]\nschemes = recoil, srs\n",
    CONF_ERROR_INVALID,
    { "[verp] schemes: \"srs\" is not one of", NULL } },
  { "bad-category",
    "[policy]\nhard_categories = bad-mailbox, bad-mood\n",
    CONF_ERROR_INVALID,
    { "[policy] hard_categories: \"bad-mood\"", NULL } },
  { "inline-comment-domain",
    "[recoil]\nbounce_domain = bounces.example.com  # ours\n",
    CONF_ERROR_INVALID,
    { "[recoil] bounce_domain", "comments go on lines of their own", NULL } },
  { "single-label-domain",
    "[recoil]\nunsub_domain = localhost\n",
    CONF_ERROR_INVALID,
    { "[recoil] unsub_domain: must be a fully qualified domain name", NULL } },
  { "same-domains",
    "[recoil]\nbounce_domain = b.example.com\nunsub_domain = B.example.com\n",
    CONF_ERROR_INVALID,
    { "[recoil] unsub_domain: the same as bounce_domain", NULL } },
  { "short-secret",
    "[recoil]\nsecret = hunter2\n",
    CONF_ERROR_INVALID,
    { "[recoil] secret: is too short (at least 16 characters)", NULL } },
  { "previous-without-secret",
    "[recoil]\nsecret_previous = 0123456789abcdef0123\n",
    CONF_ERROR_INVALID,
    { "[recoil] secret_previous: set without secret", NULL } },
  { "relative-log",
    "[recoil]\nlog = recoil.log\n",
    CONF_ERROR_INVALID,
    { "[recoil] log: must be stderr, syslog or an absolute file name", NULL } },
  { "bad-delimiters",
    "[verp]\ndelimiters = ++\n",
    CONF_ERROR_INVALID,
    { "[verp] delimiters: needs two different characters", NULL } },
  { "provider-no-type",
    "[provider mw]\nurl = https://mw.example.com/api\n",
    CONF_ERROR_INVALID,
    { "[provider mw] type: missing, and required", NULL } },
  { "provider-bad-type",
    "[provider x]\ntype = mailchimp\nurl = https://x.example.com\n",
    CONF_ERROR_INVALID,
    { "[provider x] type: \"mailchimp\" is not one of: mailwizz, interspire, listmonk, webhook", NULL } },
  { "provider-bad-name",
    "[provider my list]\ntype = webhook\n",
    CONF_ERROR_INVALID,
    { "[provider my list]: a provider group is [provider NAME]", NULL } },
  { "provider-bare",
    "[provider]\ntype = webhook\n",
    CONF_ERROR_INVALID,
    { "[provider]: a provider group", NULL } },
  { "provider-bad-url",
    "[provider w]\ntype = webhook\nurl = ftp://w.example.com\nsecret = 0123456789abcdef\n",
    CONF_ERROR_INVALID,
    { "[provider w] url: must start with https:// or http://", NULL } },
  { "mailwizz-v1-keys",
    MW "public_key = abc\n",
    CONF_ERROR_INVALID,
    { "[provider mw] type mailwizz with api_version 1 needs public_key and private_key", NULL } },
  { "mailwizz-v2-key",
    MW "api_version = 2\n",
    CONF_ERROR_INVALID,
    { "[provider mw] type mailwizz with api_version 2 needs api_key", NULL } },
  { "provider-bad-action",
    MW "public_key = a\nprivate_key = b\nactions = unsubscribe, delete\n",
    CONF_ERROR_INVALID,
    { "[provider mw] actions: \"delete\" is not one of", NULL } },
  { "several-problems",
    "[recoil]\nfoo = 1\n[policy]\nhard_threshold = -1\n",
    CONF_ERROR_INVALID,
    { "[recoil] foo: unknown key", "[policy] hard_threshold: -1 is out of range", NULL } },
  { "not-a-key-file", "this is not ini\n", CONF_ERROR_READ, { "bad-not-a-key-file.conf", NULL } },
  { "key-outside-group", "state_dir = /tmp\n", CONF_ERROR_READ, { "bad-key-outside-group.conf", NULL } },
  { "invalid-utf8",
    "[recoil]\nstate_dir = /tmp/\xff\n",
    CONF_ERROR_INVALID,
    { "[recoil] state_dir: is not valid UTF-8", NULL } },
};

static void
test_conf_bad (gconstpointer data)
{
  const struct bad_case *c = data;
  g_autofree char *name = g_strdup_printf ("bad-%s.conf", c->name);
  g_autofree char *path = write_conf (name, c->text, 0600);
  g_autoptr (GError) error = NULL;
  struct conf *conf = NULL;

  g_assert_false (conf_load (path, &conf, &error));
  g_assert_null (conf);
  g_assert_error (error, CONF_ERROR, c->code);
  if (c->code == CONF_ERROR_INVALID)
    g_assert_true (g_str_has_prefix (error->message, path));
  for (int i = 0; i < 3 && c->expect[i] != NULL; i++)
    if (strstr (error->message, c->expect[i]) == NULL)
      g_error ("expected \"%s\" in \"%s\"", c->expect[i], error->message);
}

static void
test_conf_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  struct conf *conf = NULL;

  g_assert_false (conf_load ("/nonexistent/recoil.conf", &conf, &error));
  g_assert_error (error, CONF_ERROR, CONF_ERROR_READ);
  g_assert_nonnull (strstr (error->message, "/nonexistent/recoil.conf"));
}

static void
test_conf_defaults (void)
{
  g_autoptr (conf_t) conf = conf_new_defaults ();

  g_assert_cmpstr (conf->state_dir, ==, "/var/lib/recoil");
  g_assert_cmpstr (conf->log, ==, "syslog");
  g_assert_cmpint (conf->log_level, ==, LOG_LEVEL_INFO);
  g_assert_null (conf->secret);
  g_assert_cmpint (conf->max_message_size, ==, 25 * 1024 * 1024);
  g_assert_cmpstr (conf->delimiters, ==, "+=");
  g_assert_cmpint (conf->signature, ==, CONF_SIGNATURE_ENFORCE);
  g_assert_cmpint (conf->max_age, ==, 60 * 86400);
  g_assert_cmpint (conf->hard_threshold, ==, 1);
  g_assert_cmpint (conf->soft_threshold, ==, 5);
  g_assert_cmpint (conf->soft_window, ==, 30 * 86400);
  g_assert_cmpint (conf->complaint_threshold, ==, 1);
  g_assert_cmpuint (g_strv_length (conf->schemes), ==, 3);
  g_assert_cmpstr (conf->schemes[0], ==, "recoil");
  g_assert_cmpstr (conf->unsub_schemes[1], ==, "mailwizz");
  g_assert_cmpuint (g_strv_length (conf->hard_categories), ==, 3);
  g_assert_cmpstr (conf->soft_categories[3], ==, "routing-errors");
  g_assert_cmpuint (conf->providers->len, ==, 0);
}

static void
test_conf_good (void)
{
  g_autofree char *path =
      write_conf ("good.conf",
                  "# a comment\n"
                  "[recoil]\n"
                  "state_dir = /srv/recoil\n"
                  "log = stderr\n"
                  "log_level = DEBUG\n"
                  "bounce_domain = Bounces.Example.com\n"
                  "unsub_domain = unsub.example.com\n" SECRET "quarantine =\n"
                  "max_message_size = 10m\n"
                  "[verp]\n"
                  "schemes = Postfix,, recoil\n"
                  "signature = warn\n"
                  "max_age = 2w\n"
                  "[policy]\n"
                  "soft_threshold = 3\n"
                  "soft_window = 720h\n"
                  "hard_categories =\n" MW
                  "public_key = pub\nprivate_key = priv\nsenders = news@example.com, *@promo.example.com\n"
                  "[provider hook]\ntype = Webhook\nurl = http://127.0.0.1:8080/h\n"
                  "secret = abcdefghijklmnopqrstuvwxyz\nscope = origin-list\nactions = unsubscribe, record\n",
                  0600);
  g_autoptr (GError) error = NULL;
  g_autoptr (conf_t) conf = NULL;
  struct provider_settings *p;

  g_assert_true (conf_load (path, &conf, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (conf->path, ==, path);
  g_assert_cmpstr (conf->state_dir, ==, "/srv/recoil");
  g_assert_cmpstr (conf->log, ==, "stderr");
  g_assert_cmpint (conf->log_level, ==, LOG_LEVEL_DEBUG);
  g_assert_cmpstr (conf->bounce_domain, ==, "Bounces.Example.com");
  g_assert_cmpstr (conf->secret, ==, "0123456789abcdef0123");
  g_assert_null (conf->quarantine);
  g_assert_cmpint (conf->max_message_size, ==, 10 * 1024 * 1024);
  g_assert_cmpuint (g_strv_length (conf->schemes), ==, 2);
  g_assert_cmpstr (conf->schemes[0], ==, "postfix");
  g_assert_cmpstr (conf->schemes[1], ==, "recoil");
  g_assert_cmpint (conf->signature, ==, CONF_SIGNATURE_WARN);
  g_assert_cmpint (conf->max_age, ==, 14 * 86400);
  g_assert_cmpint (conf->soft_threshold, ==, 3);
  g_assert_cmpint (conf->soft_window, ==, 30 * 86400);
  g_assert_cmpuint (g_strv_length (conf->hard_categories), ==, 0);
  g_assert_cmpuint (conf->providers->len, ==, 2);
  p = g_ptr_array_index (conf->providers, 0);
  g_assert_cmpstr (p->name, ==, "mw");
  g_assert_cmpstr (p->type, ==, "mailwizz");
  g_assert_cmpint (p->api_version, ==, 1);
  g_assert_cmpstr (p->private_key, ==, "priv");
  g_assert_cmpuint (g_strv_length (p->senders), ==, 2);
  g_assert_cmpint (p->scope, ==, PROVIDER_SCOPE_ALL_LISTS);
  g_assert_cmpstr (p->actions[0], ==, "unsubscribe");
  p = g_ptr_array_index (conf->providers, 1);
  g_assert_cmpstr (p->name, ==, "hook");
  g_assert_cmpstr (p->type, ==, "webhook");
  g_assert_cmpint (p->scope, ==, PROVIDER_SCOPE_ORIGIN_LIST);
  g_assert_cmpuint (g_strv_length (p->actions), ==, 2);
  g_assert_null (conf_warnings (conf)[0]);
}

/* Secrets are masked in the effective configuration, and defaults are
 * marked as such. */
static void
test_conf_effective (void)
{
  g_autofree char *path = write_conf (
      "effective.conf", "[recoil]\nlog = stderr\n" SECRET MW "public_key = pub\nprivate_key = topsecretkey\n",
      0600);
  g_autoptr (GError) error = NULL;
  g_autoptr (conf_t) conf = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_true (conf_load (path, &conf, &error));
  conf_write_effective (conf, out);
  g_assert_null (strstr (out->str, "0123456789abcdef0123"));
  g_assert_null (strstr (out->str, "topsecretkey"));
  g_assert_nonnull (strstr (out->str, "\nsecret = ********\n"));
  g_assert_nonnull (strstr (out->str, "\nprivate_key = ********\n"));
  g_assert_nonnull (strstr (out->str, "\n# secret_previous = (default)\n"));
  g_assert_nonnull (strstr (out->str, "\nlog = stderr\n"));
  g_assert_nonnull (strstr (out->str, "\n# state_dir = /var/lib/recoil (default)\n"));
  g_assert_nonnull (strstr (out->str, "\n# max_message_size = 25M (default)\n"));
  g_assert_nonnull (strstr (out->str, "\n[provider mw]\ntype = mailwizz\n"));
  g_assert_nonnull (strstr (out->str, "\npublic_key = pub\n"));
}

/* The effective output of a file, read again, gives the same output:
 * nothing is lost or reformatted between the two. */
static void
test_conf_effective_roundtrip (void)
{
  g_autofree char *path = write_conf ("round.conf",
                                      "[recoil]\nstate_dir = /srv/r\nmax_message_size = 1536K\n"
                                      "[verp]\nmax_age = 36h\nschemes = mailwizz\n"
                                      "[policy]\nsoft_threshold = 9\n",
                                      0600);
  g_autofree char *path2 = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (conf_t) a = NULL;
  g_autoptr (conf_t) b = NULL;
  g_autoptr (GString) out_a = g_string_new (NULL);
  g_autoptr (GString) out_b = g_string_new (NULL);
  const char *body_a, *body_b;

  g_assert_true (conf_load (path, &a, &error));
  conf_write_effective (a, out_a);
  path2 = write_conf ("round2.conf", out_a->str, 0600);
  g_assert_true (conf_load (path2, &b, &error));
  g_assert_no_error (error);
  conf_write_effective (b, out_b);
  body_a = strchr (out_a->str, '\n');
  body_b = strchr (out_b->str, '\n');
  g_assert_cmpstr (body_a, ==, body_b);
  g_assert_cmpint (b->max_message_size, ==, 1536 * 1024);
  g_assert_cmpint (b->max_age, ==, 36 * 3600);
}

/* A file holding a secret that others can read gets a warning; the same
 * file with mode 0640 does not; a file without secrets never does. */
static void
test_conf_secret_permissions (void)
{
  static const struct {
    const char *text;
    int mode;
    gboolean warn;
  } cases[] = {
    { "[recoil]\n" SECRET, 0644, TRUE },
    { "[recoil]\n" SECRET, 0640, FALSE },
    { "[recoil]\nstate_dir = /srv/r\n", 0644, FALSE },
    { MW "public_key = a\nprivate_key = b\n", 0604, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *name = g_strdup_printf ("perm-%zu.conf", i);
    g_autofree char *path = write_conf (name, cases[i].text, cases[i].mode);
    g_autoptr (GError) error = NULL;
    g_autoptr (conf_t) conf = NULL;
    const char *const *w;
    gboolean warned = FALSE;

    g_assert_true (conf_load (path, &conf, &error));
    for (w = conf_warnings (conf); *w != NULL; w++)
      if (strstr (*w, "readable by others") != NULL && strstr (*w, path) != NULL)
        warned = TRUE;
    g_assert_cmpint (warned, ==, cases[i].warn);
  }
}

static void
test_conf_relative_path_warning (void)
{
  g_autofree char *path = write_conf ("relative.conf", "[recoil]\nstate_dir = ./var\n", 0600);
  g_autoptr (GError) error = NULL;
  g_autoptr (conf_t) conf = NULL;

  g_assert_true (conf_load (path, &conf, &error));
  g_assert_cmpstr (conf->state_dir, ==, "./var");
  g_assert_nonnull (conf_warnings (conf)[0]);
  g_assert_nonnull (strstr (conf_warnings (conf)[0], "[recoil] state_dir"));
}

/* The generated sample is a valid configuration equal to the defaults. */
static void
test_conf_sample_loads (void)
{
  g_autoptr (GString) sample = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (conf_t) conf = NULL;
  g_autoptr (conf_t) defaults = conf_new_defaults ();
  g_autoptr (GString) a = g_string_new (NULL);
  g_autoptr (GString) b = g_string_new (NULL);

  conf_write_sample (sample);
  g_assert_nonnull (strstr (sample->str, "\n#state_dir = /var/lib/recoil\n"));
  g_assert_nonnull (strstr (sample->str, "\n#[provider mw]\n"));
  path = write_conf ("sample.conf", sample->str, 0600);
  g_assert_true (conf_load (path, &conf, &error));
  g_assert_no_error (error);
  conf_write_effective (conf, a);
  conf_write_effective (defaults, b);
  g_assert_cmpstr (strchr (a->str, '\n'), ==, strchr (b->str, '\n'));
}

struct parse_case {
  const char *text;
  gboolean size_ok;
  gint64 size;
  gboolean duration_ok;
  gint64 duration;
};

static const struct parse_case parse_cases[] = {
  { "0", TRUE, 0, TRUE, 0 },
  { "42", TRUE, 42, TRUE, 42 },
  { "25M", TRUE, 25 * 1024 * 1024, FALSE, 0 },
  { "25mb", TRUE, 25 * 1024 * 1024, FALSE, 0 },
  { "1G", TRUE, 1024 * 1024 * 1024, FALSE, 0 },
  { "8k", TRUE, 8192, FALSE, 0 },
  { "60d", FALSE, 0, TRUE, 60 * 86400 },
  { "90m", TRUE, 90 * 1024 * 1024, TRUE, 5400 },
  { "2w", FALSE, 0, TRUE, 14 * 86400 },
  { "10s", FALSE, 0, TRUE, 10 },
  { "", FALSE, 0, FALSE, 0 },
  { "-5", FALSE, 0, FALSE, 0 },
  { " 5", FALSE, 0, FALSE, 0 },
  { "5 d", FALSE, 0, FALSE, 0 },
  { "1.5M", FALSE, 0, FALSE, 0 },
  { "99999999999999999999", FALSE, 0, FALSE, 0 },
  { "9999999999999G", FALSE, 0, FALSE, 0 },
  { "999999999999999999w", FALSE, 0, FALSE, 0 },
};

static void
test_conf_parse (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (parse_cases); i++) {
    const struct parse_case *c = &parse_cases[i];
    gint64 n = -1;

    g_test_message ("parsing \"%s\"", c->text);
    g_assert_cmpint (conf_parse_size (c->text, &n), ==, c->size_ok);
    if (c->size_ok)
      g_assert_cmpint (n, ==, c->size);
    n = -1;
    g_assert_cmpint (conf_parse_duration (c->text, &n), ==, c->duration_ok);
    if (c->duration_ok)
      g_assert_cmpint (n, ==, c->duration);
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  log_init ();
  test_dir = g_dir_make_tmp ("recoil-conf-XXXXXX", &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/conf/refused/%s", bad_cases[i].name);

    g_test_add_data_func (path, &bad_cases[i], test_conf_bad);
  }
  g_test_add_func ("/conf/missing-file", test_conf_missing_file);
  g_test_add_func ("/conf/defaults", test_conf_defaults);
  g_test_add_func ("/conf/good", test_conf_good);
  g_test_add_func ("/conf/effective", test_conf_effective);
  g_test_add_func ("/conf/effective-roundtrip", test_conf_effective_roundtrip);
  g_test_add_func ("/conf/secret-permissions", test_conf_secret_permissions);
  g_test_add_func ("/conf/relative-path-warning", test_conf_relative_path_warning);
  g_test_add_func ("/conf/sample-loads", test_conf_sample_loads);
  g_test_add_func ("/conf/parse-size-duration", test_conf_parse);
  rc = g_test_run ();
  {
    g_autoptr (GDir) dir = g_dir_open (test_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *p = g_build_filename (test_dir, name, NULL);

      g_unlink (p);
    }
    g_rmdir (test_dir);
    g_free (test_dir);
  }
  return rc;
}
