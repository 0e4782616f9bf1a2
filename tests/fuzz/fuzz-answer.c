/* SPDX-License-Identifier: MIT */
/* fuzz-answer - libFuzzer target for providers/: hostile answers.
 *
 * The first byte picks a provider type, an action and an HTTP status; the
 * rest is the body of every answer the type receives, step after step,
 * until it stops asking.  Whatever comes back, a type must end with a
 * verdict (at most a bounded number of requests), leave a note when it
 * parks or retries, and never read or write out of bounds.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "providers/provider.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const struct provider_ops *const types[] = { &provider_mailwizz_ops, &provider_interspire_ops,
                                                      &provider_listmonk_ops, &provider_webhook_ops };
  static const char *const actions[] = { "unsubscribe", "record", "blocklist" };
  static const long statuses[] = { 200, 201, 404, 422, 429, 500, 0, 302 };
  struct provider_settings s = { 0 };
  struct provider_action a = { 0 };
  struct provider_cache cache = { 0 };
  struct provider_job job;
  struct provider_answer ans = { 0 };
  const struct provider_ops *type;
  provider_verdict v;
  int rounds = 0;

  if (size < 1)
    return 0;
  type = types[data[0] & 3];
  s.type = (char *) type->name;
  s.url = (char *) "https://api.example.com/base/";
  s.api_version = 1 + ((data[0] >> 6) & 1);
  s.public_key = (char *) "pk";
  s.private_key = (char *) "sk";
  s.api_key = (char *) "key";
  s.username = (char *) "user";
  s.token = (char *) "tok";
  s.secret = (char *) "0123456789abcdef";
  s.list_ttl = 600;
  s.scope = (data[0] >> 7) & 1;
  a.id = 7;
  a.action = actions[((data[0] >> 2) & 3) % 3];
  a.scope = s.scope;
  a.address = (data[0] & 0x20) ? "someone@example.org" : NULL;
  a.list_id = (data[0] & 0x10) ? "l1" : NULL;
  a.campaign_id = (data[0] & 0x08) ? "c1" : NULL;
  a.subscriber_id = (data[0] & 0x04) ? "s1" : NULL;
  a.reason = "hard";
  a.status = "5.1.1";
  a.created = 1700000000;
  a.attempt = 1;
  ans.http = statuses[(data[0] >> 3) & 7];
  ans.body = (const char *) data + 1;
  ans.len = size - 1;
  provider_job_init (&job, &s, &a, &cache, 1700000000);
  v = type->start (&job);
  while (v == PROVIDER_NEXT) {
    if (job.request.url == NULL || job.request.method == NULL || ++rounds > 2000)
      abort ();
    v = type->answer (&job, &ans);
  }
  if ((v == PROVIDER_PARK || v == PROVIDER_RETRY) && job.note == NULL)
    abort ();
  provider_job_clear (&job);
  provider_cache_clear (&cache);
  return 0;
}
