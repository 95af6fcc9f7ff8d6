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
    """Return-Path: <> (the envelope sender of every RFC 5321 notification)."""
    rp = mail.headers.raw("return-path")
    return rp is not None and rp.strip() in (b"<>", b"", b"< >", b"<<>>")


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
