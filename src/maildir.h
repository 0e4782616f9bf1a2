/* SPDX-License-Identifier: MIT */
/* maildir - keep a copy of a message in a Maildir (the quarantine for mail
 * recoil could not use).  Written to tmp/ and renamed into new/, so a
 * reader never sees half a message. */
#ifndef RECOIL_MAILDIR_H
#define RECOIL_MAILDIR_H

#include <glib.h>

#define MAILDIR_ERROR maildir_error_quark ()
GQuark maildir_error_quark (void);

typedef enum {
  MAILDIR_ERROR_WRITE /* the Maildir cannot be created or written */
} maildir_error_code;

/* maildir_deliver - write DATA (LEN bytes) as a new message in DIR
 * (created with tmp/, new/, cur/ when missing, mode 0700), named after
 * NOW, the process id and a counter.  The file is synced before the
 * rename.  *NAME (optional) gets the file's path; caller frees. */
gboolean maildir_deliver (const char *dir, const char *data, gsize len, gint64 now, char **name,
                          GError **error);

/* maildir_expire - delete the messages of DIR (new/ and cur/, and tmp/
 * files left by a crash) whose file was written before CUTOFF (unix
 * seconds), at most MAX of them; *REMOVED gets how many.  A Maildir that
 * does not exist has nothing to expire. */
gboolean maildir_expire (const char *dir, gint64 cutoff, guint max, guint *removed, GError **error);

#endif
