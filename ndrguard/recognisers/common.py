"""What every recogniser needs: who sent the report, status codes, and building the Report.

A recogniser's own module holds only what is particular to its software (the words it writes,
the markers around the returned message); everything shared lives here so a fix reaches all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ndrguard.headers import addresses, first_address
from ndrguard.mail import Mail
from ndrguard.original import extract
from ndrguard.report import Kind, Recipient, Report

# Local parts and display names that delivery systems send reports from.
_DAEMON_LOCAL = re.compile(
    r"^(?:mailer[-_.]?daemon|mail[-_.]?daemon|post[-_.]?master|mail[-_.]?delivery[-_.\w]*|"
    r"mdaemon|mail[-_.]?(?:admin|system|router)|bounces?|bounce[-+._][\w.+=-]*|"
    r"nobody|root|daemon|smtp|mta|mailer|notify|no[-_.]?reply[-_.]?mta|"
    r"devnull|mail[-_.]?gateway|nicht[-_.]?zustell\w*|postman|post[-_.]?office)$",
    re.IGNORECASE,
)
_DAEMON_NAME = re.compile(
    r"mail(?:er)?[ -]?daemon|mail delivery (?:system|subsystem|service)|postmaster|"
    r"mail administrator|mail system|delivery status|internet mail delivery|"
    r"e-?mail delivery|mail router|nachrichtenzustellung|mailzustellung|"
    r"système de (?:distribution|messagerie)|administrador de correo",
    re.IGNORECASE,
)

_DAEMON_PATH = re.compile(rb"<?mailer-daemon(?:@[^\s<>]*)?>?$", re.IGNORECASE)

STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)")
SMTP_REPLY = re.compile(r"(?<![\d.-])([245][0-5]\d)(?:[ -]|$)")


def sender_is_daemon(mail: Mail) -> bool:
    """The report comes from a delivery system's address or display name."""
    for name in ("from", "sender"):
        value = mail.headers.get(name)
        if not value:
            continue
        addr = first_address(value)
        if addr and _DAEMON_LOCAL.match(addr.rsplit("@", 1)[0]):
            return True
        if _DAEMON_NAME.search(value):
            return True
        if addr is None and re.match(r"\s*<?\s*(?:mailer-daemon|postmaster)\b", value, re.I):
            return True
    return False


def null_sender(mail: Mail) -> bool:
    """Return-Path: <> (the envelope sender of every RFC 5321 notification).

    Sendmail and the MTAs that copied it write the null sender of a bounce they deliver locally
    as `<MAILER-DAEMON>` or `<MAILER-DAEMON@host>`; that is the same envelope, so it counts too.
    """
    rp = mail.headers.raw("return-path")
    if rp is None:
        return False
    rp = rp.strip()
    return rp in (b"<>", b"", b"< >", b"<<>>") or _DAEMON_PATH.match(rp) is not None


def from_mail_system(mail: Mail) -> bool:
    """Sent as notifications are: a null envelope sender or a mail system's From address.

    The structural half of every text rule: the words of a bounce turn up in ordinary mail that
    quotes or discusses one, the envelope and the sender of a real one do not.
    """
    return null_sender(mail) or sender_is_daemon(mail)


def status_in(text: str | None) -> str | None:
    """The first enhanced status code (RFC 3463) in `text`."""
    if not text:
        return None
    m = STATUS.search(text)
    return ".".join(m.groups()) if m else None


def status_from_reply(code: str | None) -> str | None:
    """An SMTP reply code turned into the matching generic status class."""
    if not code:
        return None
    return {"2": "2.0.0", "4": "4.0.0", "5": "5.0.0"}.get(code[:1])


# Words that mail software writes in place of a status code, and the detail they stand for.
_WORDS = (
    ("retry timeout exceeded", ".4.7"),
    ("after multiple retries", ".4.7"),
    ("message expired", ".4.7"),
    ("user unknown", ".1.1"),
    ("unknown user", ".1.1"),
    ("no such user", ".1.1"),
    ("user not found", ".1.1"),
    ("recipient not found", ".1.1"),
    ("address not found", ".1.1"),
    ("mailbox not found", ".1.1"),
    ("mailbox full", ".2.2"),
    ("mailbox is full", ".2.2"),
    ("quota exceeded", ".2.2"),
    ("over quota", ".2.2"),
    ("size limit exceeded", ".3.4"),
    ("message too large", ".3.4"),
    ("host not found", ".1.2"),
    ("domain not found", ".1.2"),
    ("no smtp service", ".1.2"),
    ("host not reachable", ".4.1"),
    ("hop count", ".4.6"),
)


def status_from_words(text: str, permanent: bool = True) -> str:
    """The status the software's own words stand for; X.0.0 when none is known.

    Many gateways (GroupWise, Notes, MailMarshal, hosted filters) state only a reason in words;
    a recipient still gets the status class of the report and, where the words are known, its
    detail, so that "mailbox full" and "user unknown" can be told apart downstream.
    """
    low = text.lower()
    detail = next((code for words, code in _WORDS if words in low), ".0.0")
    return ("5" if permanent else "4") + detail


def clean_line(text: str | None, limit: int = 500) -> str | None:
    """One-line form of a diagnostic: folded, trimmed, capped."""
    if not text:
        return None
    line = " ".join(text.split())
    return line[:limit] or None


def recipients_from_addresses(
    found: Iterable[str], action: str = "failed", own: Iterable[str] = ()
) -> list[Recipient]:
    """Recipients for addresses picked out of a text, skipping the report's own parties."""
    skip = {a.lower() for a in own}
    out = []
    for addr in found:
        if addr.lower() in skip:
            continue
        skip.add(addr.lower())
        out.append(Recipient(address=addr, action=action))
    return out


def own_addresses(mail: Mail) -> list[str]:
    """Addresses of the report's own sender and receiver: never recipients of the original."""
    own: list[str] = []
    for name in ("from", "to", "sender", "return-path", "delivered-to", "x-original-to"):
        for value in mail.headers.get_all(name):
            own.extend(addresses(value))
    return own


def returned_recipients(mail: Mail) -> list[str]:
    """The To addresses of the returned original: the recipients when the report names none.

    Postfix's "delivery report unavailable" and the Lotus SMTP MTA's hop-count notices state the
    failure but not for whom; the copy they return still says whom it was sent to.
    """
    _, original = extract(mail)
    return addresses(original.to) if original and original.to else []


def reporting_mta_of(mail: Mail) -> str | None:
    """Best guess at the host that wrote the report: the From domain or the first Received."""
    received = mail.headers.get_all("received")
    if received:
        # The bottom-most Received header is the hop where the report entered the mail
        # stream: its "by" host is the reporter in most bounces.
        # An address ("by 10.70.22.98") is not cut to its first number.
        m = re.search(
            r"\bby\s+(\d{1,3}(?:\.\d{1,3}){3}\b|[\w.-]+\.[a-z]{2,}|[\w-]+)", received[-1], re.I
        )
        if m:
            return m.group(1)
    addr = first_address(mail.headers.get("from"))
    return addr.rsplit("@", 1)[1] if addr and "@" in addr else None


def make_report(
    mail: Mail,
    kind: Kind,
    recognised_by: str,
    reason: str,
    recipients: list[Recipient] | None = None,
    reporting_mta: str | None = None,
) -> Report:
    """A Report with the returned original and its shape filled in from the message."""
    shape, original = extract(mail)
    if reporting_mta is None and kind.is_delivery_report:
        reporting_mta = reporting_mta_of(mail)
    return Report(
        kind=kind,
        recognised_by=recognised_by,
        reason=reason,
        shape=shape if kind.is_delivery_report else None,
        recipients=recipients or [],
        reporting_mta=reporting_mta,
        original=original,
        defects=list(mail.defects),
    )

def dedupe(recipients: list[Recipient]) -> list[Recipient]:
    """One entry per address (case-insensitive), the first one written kept."""
    seen: set[str] = set()
    out = []
    for r in recipients:
        key = r.address.lower()
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out



def notice(
    mail: Mail,
    kind: Kind,
    name: str,
    what: str,
    recipients: list[Recipient],
    reporting_mta: str | None = None,
) -> Report | None:
    """The Report for a notice that names `recipients` (one entry per address), else None.

    A text rule that matched its software's phrases but found no address has misread the
    message: None lets the recognisers after it try.
    """
    recipients = dedupe(recipients)
    if not recipients:
        return None
    reason = f"{what}, {len(recipients)} recipient(s)"
    return make_report(mail, kind, name, reason, recipients, reporting_mta=reporting_mta)


def kind_for_action(actions: Iterable[str | None]) -> Kind:
    """The report's kind from its per-recipient actions: any failure makes it a failure."""
    seen = {(a or "").strip().lower() for a in actions}
    if "failed" in seen:
        return Kind.FAILURE
    if "delayed" in seen:
        return Kind.DELAY
    if seen & {"delivered", "relayed", "expanded"}:
        return Kind.DELIVERED
    return Kind.FAILURE
