/* rules-gateways - free-text bounces of mail filters and gateways:
 * Barracuda, McAfee, MessageLabs, SurfControl, MXLogic, Activehunter,
 * InterScan/Trend Micro, MailFoundry, m-FILTER, MailMarshal, Amavis,
 * Bigfoot.  One row per family; phrases are lower case. */
#include "config.h"

#include "textbounce.h"

#define L(...)                                                                                               \
  (const char *const[])                                                                                      \
  {                                                                                                          \
    __VA_ARGS__, NULL                                                                                        \
  }

const struct textbounce_family rules_gateways[] = {
  { "barracuda", L ("barracuda"), NULL, NULL, 0 },
  { "mcafee", L ("mcafee", "mxlogic"), NULL, L ("original message"), 0 },
  { "messagelabs", L ("messagelabs", "symantec.cloud"), NULL, NULL, 0 },
  { "surfcontrol", L ("surfcontrol"), NULL, NULL, 0 },
  { "activehunter", L ("activehunter"), NULL, NULL, 0 },
  { "interscanmss", L ("interscan", "trend micro"), NULL, NULL, 0 },
  { "mailfoundry", L ("mailfoundry"), NULL, NULL, 0 },
  { "mfilter", L ("m-filter"), NULL, L ("-------original message", "original message"), 0 },
  { "mailmarshal", L ("mailmarshal", "marshal"), NULL, L ("the original message"), 0 },
  { "amavis", L ("amavis"), NULL, NULL, 0 },
  { "bigfoot", L ("bigfoot"), NULL, NULL, 0 },
  { NULL, NULL, NULL, NULL, 0 },
};
