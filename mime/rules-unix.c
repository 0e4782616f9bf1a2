/* rules-unix - free-text bounces of the Unix MTAs: qmail, Exim, Sendmail,
 * Postfix's older texts, OpenSMTPD, Courier, DragonFly, Apache James.
 * One row per family (see textbounce.h); phrases are lower case. */
#include "config.h"

#include "textbounce.h"

#define L(...)                                                                                               \
  (const char *const[])                                                                                      \
  {                                                                                                          \
    __VA_ARGS__, NULL                                                                                        \
  }

#define S(...)                                                                                               \
  (const struct textbounce_says[])                                                                           \
  {                                                                                                          \
    __VA_ARGS__,                                                                                             \
    {                                                                                                        \
      NULL, NULL                                                                                             \
    }                                                                                                        \
  }

const struct textbounce_family rules_unix[] = {
  { "qmail", L ("this is the qmail-send program", "qmail-send program at", "qmail-local", "(#5.", "(#4."),
    L ("wasn't able to deliver your message to the following",
       "unable to deliver your message to the following",
       "not able to deliver your message to the following"),
    L ("below this line is a copy", "--- enclosed are the original headers"), 0,
    S ({ "unable to contact ldap server", "systemerror" },
       { "couldn't find a mail exchanger", "notaccept" }) },
  { "exim",
    L ("this message was created automatically by mail delivery software", "following address(es) failed",
       "message has been frozen"),
    L ("following address(es) failed", "could not be delivered to one or more of its", "address(es) deferred",
       "has not yet been delivered"),
    L ("------ this is a copy of the message", "------ this is a copy",
       "the following text was generated during", "reporting-mta:"),
    0 },
  { "sendmail",
    L ("----- transcript of session follows -----", "the original message was received at",
       "----- the following addresses had"),
    L ("----- the following addresses had", "----- transcript of session follows -----"),
    L ("----- original message follows -----", "----- unsent message follows -----",
       "----- message header follows", "----- original message headers follow"),
    TEXTBOUNCE_TO_FALLBACK },
  { "opensmtpd",
    L ("this is the mailer-daemon at", "an error has occurred while attempting to deliver a message"),
    L ("for the following list of recipients", "following list of recipients"),
    L ("below is a copy of the original message", "below this line is a copy"), 0,
    S ({ "no mx found", "notaccept" }) },
  { "postfix", L ("this is the mail system at host", "this is the postfix program at host"),
    L ("could not be delivered to one or more recipients", "your message could not be delivered"),
    L ("content-description: delivery report", "content-description: undelivered message"), 0 },
  { "courier", L ("courier mail server at", "this is a delivery status notification from"),
    L ("could not be delivered to the following", "your message to the following recipients"), NULL, 0,
    S ({ "no such domain", "hostunknown" }) },
  { "dragonfly", L ("this is the dragonfly mail agent", "dma(8)", "from:mailer-daemon <>"),
    L ("there was an error delivering your mail to", "error delivering your mail"),
    L ("original message follows", "message headers follow"), 0 },
  { "apachejames", L ("error message below:", "message details:", "apache james"), L ("error message below:"),
    L ("message details:"), 0 },
  { NULL, NULL, NULL, NULL, 0 },
};
