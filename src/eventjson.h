/* SPDX-License-Identifier: MIT */
/* eventjson - events and parse results as JSON (the one place recoil
 * turns them into jansson objects). */
#ifndef RECOIL_EVENTJSON_H
#define RECOIL_EVENTJSON_H

#include <jansson.h>

#include "mime/event.h"
#include "mime/parse.h"

/* eventjson_string - VALUE as a JSON string, or null when VALUE is NULL.
 * Bytes that are not UTF-8 (a Latin-1 accounting field, a file name)
 * become U+FFFD rather than making jansson refuse the value and the key
 * vanish from the output. */
json_t *eventjson_string (const char *value);

/* eventjson_event - EVENT as an object: recipient, kind, class, hard,
 * status, reply_code, reason, category, diagnostic, remote_mta,
 * feedback_type, source, hints.  Caller releases with json_decref. */
json_t *eventjson_event (const struct event *event);

/* eventjson_result - RESULT of reading FILE as the object `recoil parse`
 * prints: file, kind, source, from, subject, anomalies, recipients[]
 * (the shape ../corpus/README.md scores).  Caller releases with
 * json_decref. */
json_t *eventjson_result (const struct parse_result *result, const char *file);

#endif
