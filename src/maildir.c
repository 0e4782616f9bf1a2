/* SPDX-License-Identifier: MIT */
/* maildir - tmp/ then new/, as the Maildir convention asks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir.h"

/* clang-format off */
G_DEFINE_QUARK (recoil-maildir-error-quark, maildir_error)
/* clang-format on */

/* maildir_fail - set ERROR for errno SAVED while doing WHAT on PATH. */
static gboolean
maildir_fail (GError **error, int saved, const char *what, const char *path)
{
  g_set_error (error, MAILDIR_ERROR, MAILDIR_ERROR_WRITE, "quarantine: cannot %s %s: %s", what, path,
               g_strerror (saved));
  return FALSE;
}

gboolean
maildir_deliver (const char *dir, const char *data, gsize len, gint64 now, char **name, GError **error)
{
  static guint counter;
  g_autofree char *unique = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *new_path = NULL;
  const char *subdirs[] = { "tmp", "new", "cur" };
  g_autofree char *parent = g_path_get_dirname (dir);
  struct stat st;
  /* shared with a group, like the state directory, when the directory it
   * is made in gives its group write access */
  gboolean shared =
      stat (g_file_test (dir, G_FILE_TEST_IS_DIR) ? dir : parent, &st) == 0 && (st.st_mode & S_IWGRP);
  mode_t dmode = shared ? 02770 : 0700, fmode = shared ? 0660 : 0600;
  int fd;

  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++) {
    g_autofree char *d = g_build_filename (dir, subdirs[i], NULL);

    if (!g_file_test (d, G_FILE_TEST_IS_DIR)) {
      if (g_mkdir_with_parents (d, dmode) != 0)
        return maildir_fail (error, errno, "create", d);
      chmod (d, dmode); /* past the umask */
      if (shared && i == 0)
        chmod (dir, dmode);
    }
  }
  unique = g_strdup_printf ("%" G_GINT64_FORMAT ".P%ldQ%u.%s", now, (long) getpid (), ++counter,
                            g_get_host_name ());
  tmp = g_build_filename (dir, "tmp", unique, NULL);
  new_path = g_build_filename (dir, "new", unique, NULL);
  fd = open (tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fmode);
  if (fd < 0)
    return maildir_fail (error, errno, "create", tmp);
  if (shared)
    fchmod (fd, fmode);
  for (gsize done = 0; done < len;) {
    ssize_t n = write (fd, data + done, len - done);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int saved = errno;

      close (fd);
      g_unlink (tmp);
      return maildir_fail (error, saved, "write", tmp);
    }
    done += (gsize) n;
  }
  if (fsync (fd) != 0 || close (fd) != 0) {
    int saved = errno;

    g_unlink (tmp);
    return maildir_fail (error, saved, "sync", tmp);
  }
  if (g_rename (tmp, new_path) != 0) {
    int saved = errno;

    g_unlink (tmp);
    return maildir_fail (error, saved, "rename into new/", new_path);
  }
  if (name != NULL)
    *name = g_steal_pointer (&new_path);
  return TRUE;
}

gboolean
maildir_expire (const char *dir, gint64 cutoff, guint max, guint *removed, GError **error)
{
  static const char *const subdirs[] = { "new", "cur", "tmp" };

  *removed = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (subdirs) && *removed < max; i++) {
    g_autofree char *path = g_build_filename (dir, subdirs[i], NULL);
    g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
    const char *name;

    if (d == NULL)
      continue;
    while ((name = g_dir_read_name (d)) != NULL && *removed < max) {
      g_autofree char *file = g_build_filename (path, name, NULL);
      struct stat st;

      if (lstat (file, &st) != 0 || !S_ISREG (st.st_mode) || (gint64) st.st_mtime >= cutoff)
        continue;
      if (unlink (file) != 0 && errno != ENOENT)
        return maildir_fail (error, errno, "remove", file);
      (*removed)++;
    }
  }
  return TRUE;
}
