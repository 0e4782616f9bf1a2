/* SPDX-License-Identifier: MIT */
/* rules-services - free-text bounces of mail services: Gmail, Google
 * Groups, Yahoo, AOL, Microsoft (Outlook, Office 365, Exchange), Amazon SES
 * and WorkMail, Mail.Ru, Yandex, GMX, 1&1, Zoho, Verizon, Facebook,
 * SendGrid, Japanese carriers (EZweb, KDDI, Biglobe), Lotus Notes/Domino,
 * Messaging Server, IMail.  One row per family; phrases are lower case. */
#include "config.h"

#include "rules.h"

/* Exchange Online and Outlook.com name unknown recipients in several ways */
static const struct textbounce_says microsoft_says[] = {
  { "resolver.adr.recipientnotfound", "userunknown" },
  { "resolver.adr.recipnotfound", "userunknown" },
  { "returned unknown recipient", "userunknown" },
  { "wasn't found at the destination", "userunknown" },
  { "wasn\xe2\x80\x99t found at the destination", "userunknown" },
  { NULL, NULL },
};

const struct textbounce_family rules_services[] = {
  { "googlegroups", L ("google groups", "googlegroups.com"), NULL, L ("----- original message -----"),
    TEXTBOUNCE_TO_FALLBACK, S ({ "", "rejected" }) },
  { "gmail",
    L ("delivery to the following recipient failed", "delivery to the following recipients failed",
       "from:mailer-daemon@googlemail.com", "from:mailer-daemon@google.com", "message was not delivered to",
       "delivery incomplete"),
    L ("delivery to the following recipient", "your message wasn't delivered to",
       "message was not delivered to", "there was a temporary problem delivering your message to"),
    L ("----- original message -----", "----- message header follows -----"), 0,
    /* a Google group's refusal, whose advice goes on to speak of SPF */
    S ({ "rejected due to spam classification", "spamdetected" }) },
  { "yahoo",
    L ("from:mailer-daemon@yahoo", "sorry, we were unable to deliver your message to the following",
       "yahoo! mail"),
    L ("unable to deliver your message to the following", "message to the following address"),
    L ("--- below this line is a copy of the message"), 0,
    S ({ "no mx record found", "notaccept" }, { "after multiple retries, giving up", "systemerror" }) },
  { "aol", L ("from:mailer-daemon@aol.com", "aol.com"), L ("delivery to the following recipients failed"),
    NULL, 0 },
  { "exchange2003",
    L ("did not reach some or all of the intended recipients", "your message did not reach",
       "did not reach the following recipient"),
    L ("did not reach the following recipient", "did not reach some or all of the intended recipients"),
    L ("original message headers"), 0,
    S ({ "recipient name is not recognized", "userunknown" }, { "000c05a6", "userunknown" }) },
  { "exchange2007",
    L ("delivery has failed to these recipients or groups", "microsoft exchange", "from:microsoftexchange"),
    L ("delivery has failed to these recipients or groups", "delivery has failed to these recipients"),
    L ("diagnostic information for administrators", "original message headers"), 0, microsoft_says },
  { "outlook",
    L ("from:postmaster@hotmail", "from:postmaster@outlook", "from:postmaster@live.", "hotmail.com",
       "outlook.com"),
    L ("delivery to the following recipients failed", "delivery has failed to these recipients"), NULL, 0,
    microsoft_says },
  /* a Windows server's CDO sink: "--- Non-Delivery Report ---", then the
   * undelivered address, then the old message (a notice of its own) */
  { "cdo", L ("x-mailer:microsoft cdo", "--- non-delivery report ---"),
    L ("could not be delivered to the following user", "could not be delivered to the following users"),
    L ("old message:"), 0, NULL },
  { "office365", L ("office 365", "office365", "protection.outlook.com"),
    L ("your message to", "delivery has failed to these recipients"),
    L ("diagnostic information for administrators", "original message headers"), 0, microsoft_says },
  { "amazonses", L ("amazonses.com", "from:mailer-daemon@amazonses", "amazon ses"),
    L ("an error occurred while trying to deliver the mail to the following recipients"), NULL, 0 },
  { "amazonworkmail", L ("amazonworkmail", "amazon workmail", "awsapps.com"), NULL, NULL, 0 },
  { "mailru", L ("mail.ru", "from:mailer-daemon@corp.mail.ru"), L ("following address(es) failed"),
    L ("------ this is a copy of the message"), 0 },
  { "yandex", L ("yandex", "from:mailer-daemon@yandex"), NULL, NULL, 0 },
  { "gmx", L ("from:mailer-daemon@gmx", "gmx.net", "gmx.com", "gmx.de"), NULL,
    L ("--- the header of the original message is following. ---"), 0 },
  { "einsundeins", L ("1&1", "1und1", "kundenserver.de"), NULL, L ("--- the header of the original message"),
    0 },
  { "zoho", L ("zoho", "from:mailer-daemon@zoho"), NULL, L ("received:"), 0 },
  /* Verizon's picture-message gateway; its text gateway (vtext.com) runs
   * Apache James (rules-unix.c) */
  { "verizon", L ("vzwpix.com", "message could not be delivered to mobile"), NULL, L ("original message:"),
    TEXTBOUNCE_TO_FALLBACK, S ({ "no valid recipients", "userunknown" }) },
  { "facebook", L ("facebook.com", "from:mailer-daemon@facebook"), NULL, NULL, 0 },
  { "sendgrid", L ("sendgrid", "from:mailer-daemon@sendgrid"), NULL, NULL, 0 },
  { "ezweb", L ("from:postmaster@ezweb.ne.jp", "ezweb", "each of the following recipients was rejected"),
    NULL, L ("-------------------------------------------------", "received:"), TEXTBOUNCE_TO_FALLBACK,
    S ({ "rejected by a remote mail server", "filtered" }) },
  { "kddi", L ("kddi", "from:postmaster@au.com", "from:postmaster@kddi.com", "from:dion.ne.jp"), NULL, NULL,
    TEXTBOUNCE_TO_FALLBACK },
  { "biglobe", L ("biglobe", "from:postmaster@biglobe"), NULL, L ("---- original message ----"), 0 },
  { "domino", L ("lotus domino", "domino", "your message was not delivered because"), NULL, NULL, 0,
    S ({ "not listed in domino directory", "userunknown" }, { "not listed in public name", "userunknown" }) },
  { "notes", L ("lotus notes", "------- failure reasons"), NULL, NULL,
    TEXTBOUNCE_TO_FALLBACK | TEXTBOUNCE_REASON_ABOVE,
    S ({ "not listed in public name", "userunknown" }, { "not listed in domino directory", "userunknown" }) },
  { "messagingserver",
    L ("sun java system messaging server", "oracle communications messaging server", "messaging server"),
    NULL, NULL, 0 },
  { "imailserver", L ("x-mailer:<smtp32 v", "imail", "ipswitch", "(smtpd32-"), NULL,
    L ("original message follows"), 0,
    S ({ "unknown user", "userunknown" }, { "user not found", "userunknown" }) },
  { NULL, NULL, NULL, NULL, 0 },
};
