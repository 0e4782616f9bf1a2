/* SPDX-License-Identifier: MIT */
/* test-log - log lines are prefixed, filtered by level and kept on one line. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "log.h"

struct sanitize_case {
  const char *name;
  const char *in;
  gssize len;
  const char *out;
};

static const struct sanitize_case sanitize_cases[] = {
  { "plain", "user unknown", -1, "user unknown" },
  { "newline", "a\nrecoil: error: forged", -1, "a?recoil: error: forged" },
  { "crlf", "a\r\nb", -1, "a??b" },
  { "tab", "a\tb", -1, "a b" },
  { "escape", "\x1b[31mred", -1, "?[31mred" },
  { "del",
    "a\x7f"
    "b",
    -1, "a?b" },
  { "utf8", "caf\xc3\xa9 \xe2\x9c\x93", -1, "caf\xc3\xa9 \xe2\x9c\x93" },
  { "c1-control",
    "a\xc2\x85"
    "b",
    -1, "a?b" },
  { "line-separator",
    "a\xe2\x80\xa8"
    "b",
    -1, "a?b" },
  { "invalid-utf8",
    "a\xff\xfe"
    "b",
    -1, "a??b" },
  { "truncated-utf8", "a\xc3", -1, "a?" },
  { "embedded-nul", "a\0b", 3, "a?b" },
  { "empty", "", -1, "" },
};

static void
test_log_sanitize (gconstpointer data)
{
  const struct sanitize_case *c = data;
  g_autofree char *out = log_sanitize (c->in, c->len);

  g_assert_cmpstr (out, ==, c->out);
}

static void
test_log_levels (void)
{
  static const struct {
    const char *name;
    log_level level;
  } levels[] = {
    { "error", LOG_LEVEL_ERROR }, { "warning", LOG_LEVEL_WARNING }, { "notice", LOG_LEVEL_NOTICE },
    { "info", LOG_LEVEL_INFO },   { "DEBUG", LOG_LEVEL_DEBUG },
  };
  log_level level;

  for (gsize i = 0; i < G_N_ELEMENTS (levels); i++) {
    g_assert_true (log_level_parse (levels[i].name, &level));
    g_assert_cmpint (level, ==, levels[i].level);
  }
  g_assert_false (log_level_parse ("verbose", &level));
  g_assert_false (log_level_parse (NULL, &level));
}

/* A file target gets one timestamped line per message at or above the
 * level, and nothing below it. */
static void
test_log_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("recoil-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "recoil.log", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_no_error (error);
  g_assert_true (log_configure (LOG_TARGET_FILE, path, LOG_LEVEL_NOTICE, &error));
  g_assert_no_error (error);
  g_message ("first %s", "line\ninjected");
  g_info ("not written at notice");
  g_debug ("not written either");
  log_set_level (LOG_LEVEL_INFO);
  g_info ("second");
  log_close ();

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_suffix (lines[0], ": notice: first line?injected"));
  g_assert_nonnull (strstr (lines[0], " recoil["));
  g_assert_true (g_str_has_suffix (lines[1], ": info: second"));
  g_assert_cmpstr (lines[2], ==, "");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_log_open_failure (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (log_configure (LOG_TARGET_FILE, "/nonexistent/dir/recoil.log", LOG_LEVEL_INFO, &error));
  g_assert_error (error, LOG_ERROR, LOG_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "/nonexistent/dir/recoil.log"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  log_init ();
  for (gsize i = 0; i < G_N_ELEMENTS (sanitize_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/log/sanitize/%s", sanitize_cases[i].name);

    g_test_add_data_func (path, &sanitize_cases[i], test_log_sanitize);
  }
  g_test_add_func ("/log/levels", test_log_levels);
  g_test_add_func ("/log/file", test_log_file);
  g_test_add_func ("/log/open-failure", test_log_open_failure);
  return g_test_run ();
}
