/* SPDX-License-Identifier: MIT */
/* cmd-parse - read messages from files, folders and mboxes and print what
 * recoil makes of each as one JSON line.  Changes no state.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-parse.h"
#include "progress.h"
#include "eventjson.h"
#include "mime/parse.h"

struct cmd_parse {
  struct parse_limits limits;
  gboolean per_file;  /* one line per file: an mbox's messages together */
  json_t *merged;     /* the line being built for --per-file */
  GByteArray *buffer; /* file contents, reused */
  unsigned errors;    /* files that could not be read */
  guint64 messages;
  guint64 files;
  struct progress *progress; /* on a terminal: messages per second */
};

/* cmd_parse_emit - print the JSON line for one message. */
static void
cmd_parse_emit (struct cmd_parse *state, const char *data, gsize len, const char *name)
{
  struct parse_result *r = parse_message (data, len, &state->limits, 0);
  json_t *obj = eventjson_result (r, name);

  if (state->per_file && state->merged != NULL) {
    json_array_extend (json_object_get (state->merged, "recipients"), json_object_get (obj, "recipients"));
    json_decref (obj);
    parse_result_free (r);
    state->messages++;
    return;
  }
  if (state->per_file) {
    state->merged = obj;
    parse_result_free (r);
    state->messages++;
    return;
  }
  json_dumpf (obj, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
  fputc ('\n', stdout);
  json_decref (obj);
  parse_result_free (r);
  state->messages++;
}

/* cmd_parse_is_mbox - whether DATA starts like an mbox ("From " line with
 * a second word). */
static gboolean
cmd_parse_is_mbox (const char *data, gsize len)
{
  return len > 5 && memcmp (data, "From ", 5) == 0 && memchr (data, '\n', len) != NULL;
}

/* cmd_parse_separator - whether the line at P (inside DATA..END) is an
 * mbox "From " separator: at the start or after a blank line, and followed
 * by a header line. */
static gboolean
cmd_parse_separator (const char *data, const char *end, const char *p)
{
  const char *nl, *colon;

  if ((size_t) (end - p) < 5 || memcmp (p, "From ", 5) != 0)
    return FALSE;
  if (p != data && !(p >= data + 2 && p[-1] == '\n' && p[-2] == '\n'))
    return FALSE;
  nl = memchr (p, '\n', (gsize) (end - p));
  if (nl == NULL || nl + 1 >= end)
    return FALSE;
  colon = memchr (nl + 1, ':', (gsize) MIN (80, end - nl - 1));
  if (colon == NULL || colon == nl + 1)
    return FALSE;
  for (const char *q = nl + 1; q < colon; q++)
    if (!g_ascii_isgraph (*q))
      return FALSE;
  return TRUE;
}

/* cmd_parse_mbox - each message of the mbox DATA, split on "From " lines
 * at the start of the file or after a blank line.  Messages are named
 * PATH#N, or PATH when the mbox holds one. */
static void
cmd_parse_mbox (struct cmd_parse *state, const char *data, gsize len, const char *path)
{
  const char *end = data + len;
  const char *msg = NULL;
  guint n = 0;
  guint total = 0;

  for (const char *p = data; p < end;) {
    const char *nl = memchr (p, '\n', (gsize) (end - p));

    if (cmd_parse_separator (data, end, p))
      total++;
    p = nl != NULL ? nl + 1 : end;
  }

  for (const char *p = data; p < end;) {
    const char *nl = memchr (p, '\n', (gsize) (end - p));
    const char *next = nl != NULL ? nl + 1 : end;
    gboolean separator = cmd_parse_separator (data, end, p);

    if (separator) {
      if (msg != NULL) {
        g_autofree char *name = total > 1 ? g_strdup_printf ("%s#%u", path, ++n) : g_strdup (path);

        cmd_parse_emit (state, msg, (gsize) (p - msg), name);
      }
      msg = next;
    }
    p = next;
  }
  if (msg != NULL && msg < end) {
    g_autofree char *name = total > 1 ? g_strdup_printf ("%s#%u", path, ++n) : g_strdup (path);

    cmd_parse_emit (state, msg, (gsize) (end - msg), name);
  }
}

/* cmd_parse_file - one file: an mbox or one message.  Read with read(2)
 * into a buffer kept between files: most mail is small, and mapping each
 * file costs more than copying it. */
static void
cmd_parse_file (struct cmd_parse *state, const char *path)
{
  gboolean is_stdin = strcmp (path, "-") == 0;
  int fd = is_stdin ? STDIN_FILENO : open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  struct stat st;
  gsize len = 0, want;
  gboolean regular;

  if (fd < 0 || fstat (fd, &st) != 0) {
    g_critical ("cannot read %s: %s", path, g_strerror (errno));
    state->errors++;
    if (fd >= 0 && !is_stdin)
      close (fd);
    return;
  }
  /* a regular file is read to its size; a pipe, a terminal or
   * /dev/stdin to its end, up to the size limit, the rest drained */
  regular = S_ISREG (st.st_mode);
  want = regular ? (gsize) st.st_size : 65536;
  if (state->buffer == NULL)
    state->buffer = g_byte_array_new ();
  for (;;) {
    ssize_t n;

    if (state->buffer->len < want + 1)
      g_byte_array_set_size (state->buffer, (guint) want + 1);
    n = read (fd, state->buffer->data + len, want - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      g_critical ("cannot read %s: %s", path, g_strerror (errno));
      state->errors++;
      break;
    }
    if (n == 0)
      break;
    len += (gsize) n;
    if (len < want)
      continue;
    if (regular)
      break;
    /* one byte past the limit, so the parser sees the message was cut */
    if (want > state->limits.max_size) {
      char drain[65536];

      while (read (fd, drain, sizeof drain) > 0)
        ;
      break;
    }
    want = MIN (want * 2, state->limits.max_size + 1);
  }
  if (!is_stdin)
    close (fd);
  {
    const char *data = (const char *) state->buffer->data;

    if (cmd_parse_is_mbox (data, len))
      cmd_parse_mbox (state, data, len, path);
    else
      cmd_parse_emit (state, data, len, path);
  }
  if (state->merged != NULL) {
    json_object_set_new (state->merged, "file", eventjson_string (path));
    json_dumpf (state->merged, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc ('\n', stdout);
    g_clear_pointer (&state->merged, json_decref);
  }
}

static void cmd_parse_path (struct cmd_parse *state, const char *path);

/* cmd_parse_compare - sort names. */
static gint
cmd_parse_compare (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* cmd_parse_dir - every file below DIR, in name order. */
static void
cmd_parse_dir (struct cmd_parse *state, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL) {
    g_critical ("%s", error->message);
    state->errors++;
    return;
  }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, cmd_parse_compare);
  for (guint i = 0; i < names->len; i++)
    cmd_parse_path (state, g_ptr_array_index (names, i));
}

static void
cmd_parse_path (struct cmd_parse *state, const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    cmd_parse_dir (state, path);
  } else {
    cmd_parse_file (state, path);
    state->files++;
    progress_update (state->progress, state->messages, 0);
  }
}

/* cmd_parse_list - the paths named one per line in LIST ("-": stdin). */
static void
cmd_parse_list (struct cmd_parse *state, const char *list)
{
  FILE *in = strcmp (list, "-") == 0 ? stdin : fopen (list, "r");
  char line[4096];

  if (in == NULL) {
    g_critical ("cannot open list %s: %s", list, g_strerror (errno));
    state->errors++;
    return;
  }
  while (fgets (line, sizeof line, in) != NULL) {
    g_strstrip (line);
    if (line[0] != '\0')
      cmd_parse_path (state, line);
  }
  if (in != stdin)
    fclose (in);
}

recoil_outcome
cmd_parse_run (struct cli *cli, int argc, char **argv)
{
  g_autofree char *list = NULL;
  gboolean per_file = FALSE;
  const GOptionEntry entries[] = {
    { "per-file", 0, 0, G_OPTION_ARG_NONE, &per_file,
      "One line per file: the recipients of all messages of an mbox together", NULL },
    { "list", 'l', 0, G_OPTION_ARG_FILENAME, &list,
      "Read the paths to parse from FILE, one per line (- for stdin)", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) ctx =
      cli_context_new (cli, "parse", "FILE|DIR|MBOX...",
                       "Read each message (a file, every file below a folder, or each message of an mbox)\n"
                       "and print one JSON object per message: its kind, source and anomalies, and one\n"
                       "record per recipient with status, reason, class, category and identity hints.\n"
                       "Changes no state and needs no configuration.");
  struct cmd_parse state = { 0 };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!cli_parse (cli, ctx, &argc, &argv))
    return RECOIL_USAGE;
  if (argc < 2 && list == NULL) {
    g_critical ("parse needs files, folders or --list (see recoil help parse)");
    return RECOIL_USAGE;
  }
  parse_limits_default (&state.limits);
  state.per_file = per_file;
  /* many files: how far it is, on a terminal only */
  if (list != NULL || argc > 2 || (argc == 2 && g_file_test (argv[1], G_FILE_TEST_IS_DIR)))
    state.progress = progress_new ("parse: messages", 0);
  if (list != NULL)
    cmd_parse_list (&state, list);
  for (int i = 1; i < argc; i++)
    cmd_parse_path (&state, argv[i]);
  g_clear_pointer (&state.progress, progress_free);
  g_clear_pointer (&state.buffer, g_byte_array_unref);
  if (fflush (stdout) != 0) {
    g_critical ("parse: cannot write to standard output");
    return RECOIL_TEMPORARY;
  }
  return state.errors > 0 ? RECOIL_INPUT : RECOIL_DONE;
}
