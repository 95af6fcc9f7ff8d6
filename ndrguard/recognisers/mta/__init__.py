"""Recognisers for the text formats of MTA software (Postfix, Sendmail, Exim, qmail, ...).

Every module answers only for mail sent by a mail system (null envelope sender or a daemon
address; `common.from_mail_system`) whose text carries its software's fixed phrases, so
ordinary mail that quotes a bounce is left alone.

BEFORE_DSN holds the formats whose RFC 3464 part can be present but empty (Postfix's "delivery
report unavailable", the automatically generated DSN notice's recipient-less part): they read
the text only then and otherwise step aside for the DSN reader.

ORDER runs after the DSN reader, from the narrowest rule to the broadest: products recognised
by their own header fields or signatures first, then the layouts that many programs copy.
Those last rules are deliberately general, so that software of the same shape is read too:
  - sendmail's "----- The following addresses had ... -----" sections also read Active!hunter,
    BIGLOBE's gateway and its derivatives ("---The following addresses had delivery errors---");
  - qmail's `<address>:` paragraphs before "--- Below this line is a copy of the message." also
    read Yahoo's and other qmail-based providers' notices and other qmail derivatives;
  - Exim's indented blocks also read Mail.ru's notices (Exim underneath).
MX Logic's Exim derivative is read by providers.mxlogic, which runs before the DSN reader. V5
sendmail comes before sendmail (sendmail's section title appears in it without a usable
list); a gateway's notice that wraps another server's report is read by
`ndrguard.recognisers.wrapped`, before all of these.
"""

from __future__ import annotations

from types import ModuleType

from ndrguard.recognisers.mta import (
    amavis,
    apachejames,
    automatic_dsn,
    courier,
    dragonfly,
    exim,
    ezweb,
    fml,
    imailserver,
    kddi,
    mailfoundry,
    messagingserver,
    mfilter,
    opensmtpd,
    postfix,
    powermta,
    qmail,
    sendmail,
    surfcontrol,
    trouble_delivering,
    v5sendmail,
    verizon,
)

BEFORE_DSN: tuple[ModuleType, ...] = (postfix, automatic_dsn)
ORDER: tuple[ModuleType, ...] = (
    # Marked by their own header fields or signature lines.
    mfilter,
    imailserver,
    surfcontrol,
    trouble_delivering,
    fml,
    amavis,
    powermta,
    messagingserver,
    courier,
    dragonfly,
    opensmtpd,
    mailfoundry,
    apachejames,
    automatic_dsn,
    verizon,
    kddi,
    ezweb,
    trouble_delivering,
    v5sendmail,
    # The broad layouts many programs share.
    exim,
    sendmail,
    qmail,
)
