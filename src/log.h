/* SPDX-License-Identifier: MIT */
/* log - where recoil's messages go: stderr, syslog or a file
 *
 * Every module logs with GLib's g_warning()/g_message()/g_info()/g_debug();
 * this module installs the one writer that formats them.  On stderr and in
 * a file every line starts with "recoil: " and the level; syslog gets the
 * ident "recoil" and facility mail.  Control characters in messages are
 * replaced before they are written, so hostile mail cannot forge log lines.
 * Nothing is ever written to stdout: Postfix reads a leading 4.x.x or 5.x.x
 * on a pipe command's output as a delivery status.
 */
#ifndef RECOIL_LOG_H
#define RECOIL_LOG_H

#include <glib.h>

typedef enum { LOG_TARGET_STDERR, LOG_TARGET_SYSLOG, LOG_TARGET_FILE } log_target;

/* Levels in increasing verbosity; a message is written when its level is at
 * most the configured one. */
typedef enum {
  LOG_LEVEL_ERROR,   /* g_critical */
  LOG_LEVEL_WARNING, /* g_warning */
  LOG_LEVEL_NOTICE,  /* g_message */
  LOG_LEVEL_INFO,    /* g_info */
  LOG_LEVEL_DEBUG    /* g_debug */
} log_level;

#define LOG_ERROR log_error_quark ()
GQuark log_error_quark (void);

typedef enum {
  LOG_ERROR_OPEN /* the log file could not be opened */
} log_error_code;

/* log_init - install the writer; messages go to stderr at level notice until
 * log_configure() is called.  Call once, first thing in main(). */
void log_init (void);

/* log_configure - send messages to TARGET (PATH for LOG_TARGET_FILE, opened
 * for appending with mode 0640) and write those up to LEVEL.  On failure the
 * previous target stays in place and ERROR (LOG_ERROR_OPEN) is set. */
gboolean log_configure (log_target target, const char *path, log_level level, GError **error);

/* log_set_level - change only the level (for --debug). */
void log_set_level (log_level level);

/* log_level_parse - "error", "warning", "notice", "info" or "debug" to a
 * level; FALSE for anything else. */
gboolean log_level_parse (const char *name, log_level *level);

/* log_sanitize - a copy of TEXT (LEN bytes, or up to NUL when LEN < 0) with
 * control characters and invalid UTF-8 replaced by '?', so that one message
 * stays one line.  Caller frees with g_free. */
char *log_sanitize (const char *text, gssize len);

/* log_reopen - open the log file again by its name (after logrotate moved
 * it away; recoil acct calls it on SIGHUP).  Messages written to a file
 * also notice a rotation by themselves, within a second.  Nothing happens
 * for stderr and syslog. */
void log_reopen (void);

/* log_close - flush and close a log file or the syslog connection. */
void log_close (void);

#endif
