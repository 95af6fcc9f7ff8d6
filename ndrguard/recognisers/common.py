"""What every recogniser needs: who sent the report, status codes, and building the Report.

A recogniser's own module holds only what is particular to its software (the words it writes,
the markers around the returned message); everything shared lives here so a fix reaches all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ndrguard.headers import addresses, first_address
from ndrguard.mail import Mail, per_mail
from ndrguard.original import extract
from ndrguard.report import Kind, Recipient, Report

# Local parts and display names that delivery systems send reports from.
# Not "bounce..." local parts: list managers and bulk senders put those (Lyris's
# bounce-list-NNN@, Mailgun's bounce+...@, Mailman's list-bounces@) in the Return-Path and
# Sender of every post, so they say the message *collects* bounces, not that it is one.
_DAEMON_LOCAL = re.compile(
    r"^(?:mailer[-_.]?daemon|mail[-_.]?daemon|post[-_.]?master|mail[-_.]?delivery[-_.\w]*|"
    r"mdaemon|mail[-_.]?(?:admin|system|router)|smtp|mta|mailer|no[-_.]?reply[-_.]?mta|"
    r"devnull|mail[-_.]?gateway|nicht[-_.]?zustell\w*|postman|post[-_.]?office)$",
    re.IGNORECASE,
)
# Unix accounts that web forms, cron jobs and scripts send mail as. Some old MTAs wrote their
# bounces as root or daemon too, so these count as a mail system only beside other evidence.
_SYSTEM_ACCOUNT = re.compile(
    r"^(?:root|nobody|daemon|www-?data|wwwrun|apache2?|httpd|nginx|cron|www)$", re.IGNORECASE
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

# An SMTP reply code (RFC 5321 section 4.2) in free text, where the text quotes a server's reply:
# after "host x said:", "<<< ", "after RCPT TO:<a>:", "SMTP error 550", "server returned '550",
# Postfix's "refused to talk to me:", or followed by an enhanced status code or a reply's usual
# words ("550 User unknown", "554 Transaction failed"). A bare three-digit number is not one,
# even at the start of a line: marketing text is full of "$250 " and "450 bonus points".
# The code is found first and its line read around it afterwards: one expression with the
# context in front would be tried at every position of the text, several times slower.
_CODE = re.compile(r"(?<![\w.,$€£¥+/-])([245][0-5]\d)(?:[ -]|$)", re.MULTILINE)
_REPLY_BEFORE = re.compile(
    r"(?:\b(?:said|says|replied|reply|response|responded|answer|answered|status|code)[ \t]*"
    r"[:=][ \t]*[(\[\"']?"
    r"|\b(?:smtp|error|server returned)[ \t]*:?[ \t]*[(\[\"']?"
    r"|<<<|>>>|\brefused to talk to me:"
    r"|\b(?:rcpt to|mail from)[ \t]*:?[ \t]*<[^>\n]{0,256}>[^\n\w]{0,16}"
    r"|\b(?:end of )?data\b[^\n\w]{0,8}"
    r"|\bhost\b[^\n]{0,160}?(?:said|\]):)[ \t]*\Z",
    re.IGNORECASE,
)
_REPLY_AFTER = re.compile(
    r"[ \t]*(?:#?[245]\.\d{1,3}\.\d{1,3}|<[^>\s]+@"
    r"|(?:user|recipient|mailbox|address)\b.{0,30}\b(?:unknown|not|does|rejected|unavailable|"
    r"full|disabled|inactive|invalid)|unknown|no such|requested action|relay|denied|rejected|"
    r"refused|sorry|too many|quota|insufficient|transaction failed|syntax error|temporar|"
    r"try again|blocked|greylist|unrouteable|invalid|not (?:found|local|accepted|permitted)|"
    r"service (?:not |un)available|message (?:rejected|refused|blocked|too big|size)|"
    r"(?:delivery |local )?error)",
    re.IGNORECASE,
)
_BEFORE_CHARS = 300  # "host <name> [<address>] said:" and "after RCPT TO:<address>:" fit


def smtp_replies(text: str) -> Iterator[re.Match[str]]:
    """Each SMTP reply code that `text` quotes as one; group(1) is the code."""
    for m in _CODE.finditer(text):
        if m.group(0)[-1:] in (" ", "-") and _REPLY_AFTER.match(text, m.end()):
            yield m
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        if _REPLY_BEFORE.search(text, max(line_start, m.start() - _BEFORE_CHARS), m.start()):
            yield m


def smtp_reply(text: str) -> re.Match[str] | None:
    """The first SMTP reply code that `text` quotes as one (see smtp_replies)."""
    return next(smtp_replies(text), None)


# A reply code in a text already known to be a server's reply (a DSN's Diagnostic-Code, the
# diagnostic line of a known MTA's bounce), where no further context is needed.
DIAGNOSTIC_REPLY = re.compile(r"(?<![\d.-])([245][0-5]\d)(?:[ -]|$)")


@per_mail
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
        if addr is None and re.match(r"\s*(?:<\s*)?(?:mailer-daemon|postmaster)\b", value, re.I):
            return True
    return False


@per_mail
def sender_is_system_account(mail: Mail) -> bool:
    """From a Unix system account (root, nobody, daemon, www-data...).

    Cron, web contact forms and scripts send as these; so did some old MTAs' bounces. Alone it
    proves nothing, so callers ask for corroboration: a null envelope, a status code or an SMTP
    reply quoted as one, a returned original, or their software's own fixed phrases.
    """
    addr = first_address(mail.headers.get("from"))
    return bool(addr and _SYSTEM_ACCOUNT.match(addr.rsplit("@", 1)[0]))


@per_mail
def is_list_mail(mail: Mail) -> bool:
    """Mailing-list or bulk-sender fields (RFC 2369, RFC 2919, RFC 8058).

    Auto-replies, receipts, challenges and bounces are written one at a time to one sender; a
    message that carries List-Unsubscribe or List-Id is a newsletter or a list post, however
    much it talks about vacations, confirming or delayed deliveries.
    """
    names = mail.headers.names()
    return "list-unsubscribe" in names or "list-id" in names or "list-post" in names


_LIST_ADMIN_SUFFIX = re.compile(r"[-+](?:owner|admin|request|bounces?|errors?|help)$", re.I)
LIST_MANAGERS = frozenset(
    {"sympa", "mailman", "majordomo", "listserv", "ecartis", "mlmmj", "lyris"}
)


def list_admin_local(local: str) -> str | None:
    """The list's own name when `local` is a list's administrative local part (`test+owner`,
    `test-owner`, `test-request`, `test-bounces`, `owner-test`), the manager's name for its
    own address (`sympa`, `mailman`), else None. List managers answer from these; their
    posts come from the poster."""
    if local.lower() in LIST_MANAGERS:
        return local
    bare = _LIST_ADMIN_SUFFIX.sub("", local)
    if bare != local:
        return bare or None
    if local.lower().startswith("owner-") and len(local) > 6:
        return local[6:]
    return None


def is_bulk_mail(mail: Mail) -> bool:
    """List mail, or `Precedence: list` or `bulk` (RFC 3834 section 3.1.8) on a non-null sender.

    A text rule that reads words must not fire on a newsletter announcing a "delayed delivery".
    Responders put Precedence: bulk on their replies to stop loops, but send them with the null
    envelope sender, which no newsletter uses; a real report sent on to a list still has its
    null envelope, report part or X-Failed-Recipients, which the bounce rules check first.
    """
    if is_list_mail(mail):
        return True
    prec = (mail.headers.get("precedence") or "").strip().lower()
    return prec in ("list", "bulk") and not null_sender(mail)


@per_mail
def report_evidence(mail: Mail) -> bool:
    """What a delivery report carries and no list post does: the null envelope sender, a report
    part (multipart/report, message/delivery-status) or X-Failed-Recipients."""
    if null_sender(mail) or "x-failed-recipients" in mail.headers.names():
        return True
    return mail.root.content_type == "multipart/report" or any(
        p.content_type in ("message/delivery-status", "message/global-delivery-status")
        for p in mail.walk()
        if not p.in_attachment
    )


@per_mail
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


@per_mail
def from_mail_system(mail: Mail) -> bool:
    """Sent as notifications are: a null envelope sender or a mail system's From address.

    The structural half of every MTA's text rule: the words of a bounce turn up in ordinary mail
    that quotes or discusses one, the envelope and the sender of a real one do not. A system
    account (root, daemon) counts here because these rules also ask for their software's own
    fixed phrases ("This is the qmail-send program"), which a cron job or web form never writes.
    """
    return null_sender(mail) or sender_is_daemon(mail) or sender_is_system_account(mail)


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
