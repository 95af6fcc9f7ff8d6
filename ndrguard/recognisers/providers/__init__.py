"""Recognisers for mail providers' and gateway products' bounces (Office 365, Gmail, ...).

Each module reads one product's own template, keyed on its fixed phrases and marker lines and
on a sender that is a mail system; none keys on host names of particular sites.

BEFORE_DSN: the text templates run before the DSN reader, and so before the MTAs' text readers,
whose looser rules (Exim's "The following address(es) failed", qmail's "<address>:") would
otherwise claim a provider's template first and read it less well. Each steps aside when the
message's RFC 3464 part names recipients (`dsn.has_recipients`), because that part then
says more. Domino is the exception: its DSN part gives every failure Status 5.0.0 and a raw
ISO-2022-JP Diagnostic-Code, so its text is read first. Within the tuple the most specific
come first: Office 365 before the Exchange template it shares, Exchange 2007+ before 2003.

ORDER: Amazon SES's JSON notifications, which no other reader could mistake.

The many providers that send ordinary RFC 3464 reports (AOL, Apple iCloud, Yandex, SendGrid,
Barracuda, McAfee's DSNs, Amazon SES's DSNs and SES receiving, Facebook, GoDaddy, Cox,
Spectrum, Tencent, NTT Docomo, Cloudflare, MessageLabs, the rhost-* families) need no module:
the DSN reader handles them.
"""

from __future__ import annotations

from types import ModuleType

from ndrguard.recognisers.providers import (
    amazonses,
    amazonworkmail,
    domino,
    exchange2003,
    exchange2007,
    gmx,
    google,
    mailru,
    mimecast,
    mxlogic,
    office365,
    trendmicro,
    yahoo,
    zoho,
)

BEFORE_DSN: tuple[ModuleType, ...] = (
    domino,
    office365,
    exchange2007,
    exchange2003,
    google,
    yahoo,
    amazonworkmail,
    mailru,
    gmx,
    zoho,
    mxlogic,
    mimecast,
    trendmicro,
)
ORDER: tuple[ModuleType, ...] = (amazonses,)
