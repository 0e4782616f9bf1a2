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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (check_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/provider/check/%s", check_cases[i].name);

    g_test_add_data_func (path, &check_cases[i], test_provider_check);
  }
  g_test_add_func ("/provider/registry", test_provider_registry);
  return g_test_run ();
}
