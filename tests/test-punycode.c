/* SPDX-License-Identifier: MIT */
/* test-punycode - RFC 3492 Punycode both ways, the sample strings of its
 * section 7.1, the ACE form of whole domains, and input that is not
 * Punycode. */
#include "config.h"

#include <string.h>

#include "mime/punycode.h"

struct puny_case {
  const char *unicode;
  const char *punycode;
};

/* RFC 3492 7.1 (B), (L), (R), (S), (A) and two common domain labels */
static const struct puny_case puny_cases[] = {
  { "\xe4\xbb\x96\xe4\xbb\xac\xe4\xb8\xba\xe4\xbb\x80\xe4\xb9\x88\xe4\xb8\x8d\xe8\xaf\xb4\xe4\xb8\xad\xe6\x96"
    "\x87",
    "ihqwcrb4cv8a8dqg056pqjye" },
  { "3\xe5\xb9\xb4"
    "B\xe7\xb5\x84\xe9\x87\x91\xe5\x85\xab\xe5\x85\x88\xe7\x94\x9f",
    "3B-ww4c5e180e575a65lsy2b" },
  { "\xe3\x81\x9d\xe3\x81\xae\xe3\x82\xb9\xe3\x83\x94\xe3\x83\xbc\xe3\x83\x89\xe3\x81\xa7",
    "d9juau41awczczp" },
  { "-> $1.00 <-", "-> $1.00 <--" },
  { "\xd9\x84\xd9\x8a\xd9\x87\xd9\x85\xd8\xa7\xd8\xa8\xd8\xaa\xd9\x83\xd9\x84\xd9\x85\xd9\x88\xd8\xb4\xd8\xb9"
    "\xd8\xb1\xd8\xa8\xd9\x8a\xd8\x9f",
    "egbpdaj6bu4bxfgehfvwxn" },
  { "b\xc3\xbc"
    "cher",
    "bcher-kva" },
  { "m\xc3\xbc"
    "nchen",
    "mnchen-3ya" },
};

static void
test_encode (gconstpointer data)
{
  const struct puny_case *c = data;
  g_autoptr (GString) out = g_string_new ("keep:");

  g_assert_true (punycode_encode (c->unicode, strlen (c->unicode), out));
  g_assert_cmpstr (out->str + 5, ==, c->punycode);
  g_assert_true (g_str_has_prefix (out->str, "keep:"));
}

static void
test_decode (gconstpointer data)
{
  const struct puny_case *c = data;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *upper = g_ascii_strup (c->punycode, -1);

  g_assert_true (punycode_decode (c->punycode, strlen (c->punycode), out));
  g_assert_cmpstr (out->str, ==, c->unicode);
  /* digits are case-insensitive; basic code points keep their case */
  if (strchr (c->punycode, '-') == NULL) {
    g_string_truncate (out, 0);
    g_assert_true (punycode_decode (upper, strlen (upper), out));
    g_assert_cmpstr (out->str, ==, c->unicode);
  }
}

static void
test_decode_invalid (void)
{
  static const char *const bad[] = {
    "bcher-kv!",                  /* not a digit */
    "bcher-k",                    /* ends inside a number */
    "b\xc3\xbc-kva",              /* non-ASCII before the delimiter */
    "99999999999999999999999999", /* overflows */
    "zzzzzzzzz",                  /* beyond U+10FFFF */
    "-",                          /* a lone delimiter */
    "b\xc3",                      /* truncated UTF-8 */
  };
  g_autoptr (GString) out = g_string_new ("x");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_test_message ("input %s", bad[i]);
    g_assert_false (punycode_decode (bad[i], strlen (bad[i]), out));
    g_assert_cmpstr (out->str, ==, "x");
  }
}

static void
test_decode_oversized (void)
{
  g_autofree char *long_input = g_strnfill (5000, 'a');
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GString) big = g_string_new (NULL);

  g_assert_false (punycode_decode (long_input, strlen (long_input), out));
  /* more code points than a label can hold */
  for (int i = 0; i < 300; i++)
    g_string_append (big, "\xc3\xbc");
  g_assert_false (punycode_encode (big->str, big->len, out));
  g_assert_cmpuint (out->len, ==, 0);
  g_assert_false (punycode_encode ("\xc3", 1, out));
}

static void
test_domains (void)
{
  struct {
    const char *in, *utf8;
  } to_utf8[] = {
    { "xn--bcher-kva.example", "b\xc3\xbc"
                               "cher.example" },
    { "mail.XN--MNCHEN-3YA.de", "mail.M\xc3\xbc"
                                "NCHEN.de" }, /* basic code points keep their case */
    { "example.com", NULL },                  /* nothing to convert */
    { "xn--bcher-kv!.example", NULL },        /* broken label: left to the caller */
    { "xn--abc-.example", NULL },             /* decodes to plain ASCII */
  };
  g_autofree char *ace = NULL;
  g_autofree char *ace2 = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (to_utf8); i++) {
    g_autofree char *got = punycode_domain_to_utf8 (to_utf8[i].in);

    g_assert_cmpstr (got, ==, to_utf8[i].utf8);
  }
  /* the ACE form: NFC, lower case, plain labels untouched */
  ace = punycode_domain_to_ascii ("B\xc3\x9c"
                                  "CHER.Example");
  g_assert_cmpstr (ace, ==, "xn--bcher-kva.example");
  ace2 = punycode_domain_to_ascii ("bu\xcc\x88"
                                   "cher.example"); /* decomposed u + diaeresis */
  g_assert_cmpstr (ace2, ==, "xn--bcher-kva.example");
  g_assert_null (punycode_domain_to_ascii ("b\xff.example"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (puny_cases); i++) {
    g_autofree char *e = g_strdup_printf ("/punycode/encode/%s", puny_cases[i].punycode);
    g_autofree char *d = g_strdup_printf ("/punycode/decode/%s", puny_cases[i].punycode);

    g_test_add_data_func (e, &puny_cases[i], test_encode);
    g_test_add_data_func (d, &puny_cases[i], test_decode);
  }
  g_test_add_func ("/punycode/decode-invalid", test_decode_invalid);
  g_test_add_func ("/punycode/oversized", test_decode_oversized);
  g_test_add_func ("/punycode/domains", test_domains);
  return g_test_run ();
}
