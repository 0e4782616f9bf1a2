/* SPDX-License-Identifier: MIT */
/* fields - the field groups of message/delivery-status and
 * message/feedback-report bodies
 *
 * A body is one or more groups separated by blank lines; each group holds
 * "Name: value" fields, folded onto continuation lines that start with
 * white space.  Names compare case-insensitively.  (RFC 3464 2.1, RFC 5965
 * 3.1, both on RFC 5322 field syntax.)
 */
#ifndef RECOIL_FIELDS_H
#define RECOIL_FIELDS_H

#include <glib.h>

struct fields_group {
  GPtrArray *names;  /* of char *, as written */
  GPtrArray *values; /* of char *, unfolded, trimmed */
};

struct fields {
  GPtrArray *groups;  /* of struct fields_group * */
  unsigned anomalies; /* ANOMALY_LONG_HEADER, ANOMALY_TOO_MANY_RCPTS */
};

/* fields_parse - split TEXT (LEN bytes, LF line ends) into groups.  At most
 * MAX_GROUPS groups are kept and values are cut at MAX_VALUE bytes; passing
 * either sets an anomaly.  Lines that are neither fields nor continuations
 * are skipped.  Free with fields_free. */
struct fields *fields_parse (const char *text, gsize len, guint max_groups, gsize max_value);

/* fields_free - free FIELDS; NULL is fine. */
void fields_free (struct fields *fields);

/* fields_get - the value of the first field NAME in GROUP, or NULL; borrowed
 * from the group. */
const char *fields_get (const struct fields_group *group, const char *name);

/* fields_group - group I of FIELDS. */
#define fields_group(f, i) ((struct fields_group *) g_ptr_array_index ((f)->groups, (i)))

#endif
