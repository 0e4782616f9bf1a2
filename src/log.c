/* SPDX-License-Identifier: MIT */
/* log - one GLib log writer for stderr, syslog and files.
 *
 * GLib allows g_log_set_writer_func() once per process, so the writer is
 * installed by log_init() and reads the current target from a small static
 * state that log_configure() replaces.  Logging is process-wide state by
 * nature; everything else in recoil is passed explicitly.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

static struct {
  log_target target;
  log_level level;
  int fd;         /* log file, or -1 */
  char *path;     /* its name, for reopening after rotation */
  gint64 checked; /* monotonic seconds of the last rotation check */
  GMutex reopen;  /* one thread reopens at a time */
} log_state = { LOG_TARGET_STDERR, LOG_LEVEL_NOTICE, -1, NULL, 0, { 0 } };

/* log_open_file - PATH opened for appending, or -1 (errno set). */
static int
log_open_file (const char *path)
{
  return open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

/* log_check_rotation - at most once a second: when the log file's name
 * no longer leads to the file written (logrotate moved it away), open the
 * name again and put it in place of the old descriptor (dup2 is atomic,
 * so another thread's write goes to one file or the other, whole). */
static void
log_check_rotation (void)
{
  gint64 now = g_get_monotonic_time () / G_USEC_PER_SEC;
  struct stat by_name, by_fd;

  if (now == log_state.checked || log_state.path == NULL)
    return;
  log_state.checked = now;
  if (stat (log_state.path, &by_name) == 0 && fstat (log_state.fd, &by_fd) == 0
      && by_name.st_ino == by_fd.st_ino && by_name.st_dev == by_fd.st_dev)
    return;
  log_reopen ();
}

void
log_reopen (void)
{
  int fd;

  if (log_state.target != LOG_TARGET_FILE || log_state.path == NULL)
    return;
  g_mutex_lock (&log_state.reopen);
  fd = log_open_file (log_state.path);
  if (fd >= 0) {
    dup2 (fd, log_state.fd);
    close (fd);
  }
  g_mutex_unlock (&log_state.reopen);
}

/* clang-format off */
G_DEFINE_QUARK (recoil-log-error-quark, log_error)
/* clang-format on */

/* log_level_of - map a GLib level to ours. */
static log_level
log_level_of (GLogLevelFlags flags)
{
  if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return LOG_LEVEL_ERROR;
  if (flags & G_LOG_LEVEL_WARNING)
    return LOG_LEVEL_WARNING;
  if (flags & G_LOG_LEVEL_MESSAGE)
    return LOG_LEVEL_NOTICE;
  if (flags & G_LOG_LEVEL_INFO)
    return LOG_LEVEL_INFO;
  return LOG_LEVEL_DEBUG;
}

static const char *const log_level_names[] = { "error", "warning", "notice", "info", "debug" };

static const int log_syslog_priority[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

gboolean
log_level_parse (const char *name, log_level *level)
{
  for (gsize i = 0; i < G_N_ELEMENTS (log_level_names); i++)
    if (name != NULL && g_ascii_strcasecmp (name, log_level_names[i]) == 0) {
      *level = (log_level) i;
      return TRUE;
    }
  return FALSE;
}

char *
log_sanitize (const char *text, gssize len)
{
  GString *out;
  const char *p, *end;

  if (text == NULL)
    return g_strdup ("(null)");
  if (len < 0)
    len = (gssize) strlen (text);
  out = g_string_sized_new ((gsize) len + 1);
  p = text;
  end = text + len;
  while (p < end) {
    const char *next;
    gunichar c = g_utf8_get_char_validated (p, end - p);

    if (c == (gunichar) -1 || c == (gunichar) -2) {
      g_string_append_c (out, '?');
      p++;
      continue;
    }
    next = g_utf8_next_char (p);
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
      g_string_append_c (out, c == '\t' ? ' ' : '?');
    else
      g_string_append_len (out, p, next - p);
    p = next;
  }
  return g_string_free (out, FALSE);
}

/* log_write_all - write LEN bytes to FD, retrying short writes; errors are
 * ignored because there is nowhere left to report them. */
static void
log_write_all (int fd, const char *buf, gsize len)
{
  while (len > 0) {
    ssize_t n = write (fd, buf, len);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    buf += n;
    len -= (gsize) n;
  }
}

/* log_writer - the GLogWriterFunc for every message of the process. */
static GLogWriterOutput
log_writer (GLogLevelFlags flags, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *message = NULL;
  const char *domain = NULL;
  log_level level = log_level_of (flags);
  g_autofree char *clean = NULL;
  int saved_errno = errno;

  if (level > log_state.level) {
    errno = saved_errno;
    return G_LOG_WRITER_HANDLED;
  }
  for (gsize i = 0; i < n_fields; i++) {
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
    else if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
  }
  clean = log_sanitize (message != NULL ? message : "", -1);

  if (log_state.target == LOG_TARGET_SYSLOG) {
    syslog (log_syslog_priority[level], "%s", clean);
  } else {
    int fd = log_state.target == LOG_TARGET_FILE ? log_state.fd : STDERR_FILENO;
    g_autofree char *line = NULL;

    if (log_state.target == LOG_TARGET_FILE) {
      g_autofree char *stamp = NULL;

      log_check_rotation ();
      stamp = clock_format_stamp (g_get_real_time () / G_USEC_PER_SEC);

      line = g_strdup_printf ("%s recoil[%ld]: %s: %s\n", stamp, (long) getpid (), log_level_names[level],
                              clean);
    } else if (domain != NULL && level == LOG_LEVEL_DEBUG) {
      line = g_strdup_printf ("recoil: %s: %s: %s\n", log_level_names[level], domain, clean);
    } else {
      line = g_strdup_printf ("recoil: %s: %s\n", log_level_names[level], clean);
    }
    log_write_all (fd, line, strlen (line));
  }
  errno = saved_errno;
  return G_LOG_WRITER_HANDLED;
}

void
log_init (void)
{
  static gboolean installed;

  if (!installed) {
    g_log_set_writer_func (log_writer, NULL, NULL);
    installed = TRUE;
  }
}

gboolean
log_configure (log_target target, const char *path, log_level level, GError **error)
{
  int fd = -1;

  if (target == LOG_TARGET_FILE) {
    fd = log_open_file (path);
    if (fd < 0) {
      int saved = errno;

      g_set_error (error, LOG_ERROR, LOG_ERROR_OPEN, "cannot open log file %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  }
  log_close ();
  if (target == LOG_TARGET_SYSLOG)
    openlog ("recoil", LOG_PID | LOG_NDELAY, LOG_MAIL);
  log_state.target = target;
  log_state.fd = fd;
  log_state.level = level;
  if (target == LOG_TARGET_FILE)
    log_state.path = g_strdup (path);
  return TRUE;
}

void
log_set_level (log_level level)
{
  log_state.level = level;
}

void
log_close (void)
{
  if (log_state.target == LOG_TARGET_FILE && log_state.fd >= 0)
    close (log_state.fd);
  else if (log_state.target == LOG_TARGET_SYSLOG)
    closelog ();
  log_state.target = LOG_TARGET_STDERR;
  log_state.fd = -1;
  g_clear_pointer (&log_state.path, g_free);
}
