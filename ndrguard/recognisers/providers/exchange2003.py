"""Microsoft Exchange 5.5 to 2003 (Internet Mail Service / IMC) NDRs.

They are plain text, no DSN part, in one of two wordings:

    Your message                                  Your message did not reach some or all of
      To:      user@example.com                   the intended recipients.
      Subject: ...                                      To: ...
      Sent:    ...                                The following recipient(s) could not be reached:
    did not reach the following recipient(s):
                                                        user@example.com on 4/29/01 11:34 PM
    user@example.com on Thu, 29 Apr 2010 ...                  Recipient Not Found
        The recipient name is not recognized                  MSEXCH:IMC:...
        MSEXCH:IMS:ORG:SITE:SERVER 0 (000C05A6) Unknown Recipient

The `MSEXCH:` line carries an error number whose meaning Microsoft documents; the common ones
are mapped to enhanced status codes below. The product's headers (X-MS-Embedded-Report,
X-Mailer: Internet Mail Service, X-MimeOLE: Produced By Microsoft Exchange) back up the words.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import dsn
from ndrguard.recognisers.common import from_mail_system, notice
from ndrguard.recognisers.text import ADDRESS, recipient_from_words
from ndrguard.report import Kind, Recipient, Report

NAME = "exchange2003"

_LEADS = (
    "did not reach the following recipient(s):",
    "The following recipient(s) could not be reached:",
)
_RECIPIENT = re.compile(r"^[ \t]*(?:.*?SMTP=)?(" + ADDRESS.pattern + r")>? on\b", re.MULTILINE)
_MSEXCH = re.compile(r"MSEXCH:[^\n]*?(?:\(([0-9A-F]{8})\)\s*(.*))?$", re.MULTILINE)
# Exchange error numbers (the part in brackets after MSEXCH:...) and what they mean.
_CODES = {
    "000C05A6": "5.1.1",  # unknown recipient
    "000C0595": "5.1.4",  # ambiguous recipient
    "00120270": "5.4.6",  # too many hops (a routing loop)
    "00010256": "5.5.3",  # too many recipients
    "000D06B5": "5.1.1",  # no proxy address for the recipient
    "00050311": "5.6.0",  # conversion to Internet format failed
    "000502CC": "5.6.0",
    "000B0981": "5.7.0",  # the remote server does not support AUTH
    "000B09AA": "5.7.1",  # unable to relay
}
_WORDS = (
    ("recipient name is not recognized", "5.1.1"),
    ("recipient not found", "5.1.1"),
    ("unknown recipient", "5.1.1"),
    ("mailbox is full", "5.2.2"),
)


def _is_exchange(mail: Mail) -> bool:
    h = mail.headers
    if "x-ms-embedded-report" in h:
        return True
    mailer = h.get("x-mailer") or ""
    if mailer.startswith(("Internet Mail Service", "Microsoft Exchange")):
        return True
    if (h.get("x-mimeole") or "").startswith("Produced By Microsoft Exchange"):
        return True
    return any("with Internet Mail Service" in r for r in h.get_all("received"))


def read(text: str) -> list[Recipient]:
    """One recipient per "user@example.com on <date>" line, with the lines under it."""
    out = []
    matches = list(_RECIPIENT.finditer(text))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        block = text[m.end() : end]
        block = block.split("\n\n\n", 1)[0]
        status = None
        code = _MSEXCH.search(block)
        if code and code.group(1):
            status = _CODES.get(code.group(1))
        lines = [ln.strip() for ln in block.split("\n")[1:] if ln.strip()]
        words = " ".join(ln for ln in lines if not ln.startswith(("MSEXCH:", "The MTS-ID", ";")))
        if status is None:
            low = " ".join(lines).lower()
            status = next((s for w, s in _WORDS if w in low), "5.0.0")
        diagnostic = words or (code.group(0) if code else None)
        out.append(recipient_from_words(m.group(1), diagnostic, action="failed", status=status))
    return out


def recognise(mail: Mail) -> Report | None:
    if not from_mail_system(mail):
        return None
    text = mail.text()
    lead = next((p for p in _LEADS if p in text), None)
    if lead is None or not (_is_exchange(mail) or "MSEXCH:" in text):
        return None
    if dsn.has_recipients(mail):  # its RFC 3464 part speaks for it
        return None
    recipients = read(text.split(lead, 1)[1])
    return notice(mail, Kind.FAILURE, NAME, f"Exchange 2003 NDR ({lead!r})", recipients)
