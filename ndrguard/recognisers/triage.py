"""The cheap first look: could this message be automated at all?

Only top-level headers are read here. A message with no sign of automation in its headers
(ordinary person-to-person mail, newsletters, most spam) is dismissed without its body ever
being decoded; that is what keeps a 100,000-message first scan fast. The signs are deliberately
broad: a false "maybe" costs one body parse, a false "no" loses a bounce.

Speed matters as much as breadth, so the checks are plain substring and set look-ups on the
lower-cased subject and From, not one large case-insensitive regular expression: Python's regex
engine tries every alternative at every position, and that alone cost more than parsing.
Words that ordinary mail uses all the time ("confirm", "vacation", "notification", "your
delivery") are not signs on their own: almost every look-alike that could be announced by them
also carries a header sign (Auto-Submitted, a null sender, a responder's X- field) that is. The
exception is vacation(1), whose answers carry nothing but the user's subject: the phrases of
absence its set-up and manual put there ("away from my", "on vacation") are signs.

Headers can look ordinary on a real bounce: an old MTA or a scanning gateway that sends from a
service address, keeps no Return-Path and words its subject in a way no list foresees. So when
the headers are silent, triage reads the start of the body, still without decoding it:
  - the MIME types that only reports and returned messages carry (RFC 3464
    message/delivery-status, RFC 6533 message/global-*, RFC 8098 disposition notifications,
    RFC 5965 feedback reports, RFC 6522 text/rfc822-headers, an attached message/rfc822, and
    application/ms-tnef, where Outlook's receipts travel), found by C-speed byte search;
  - the failure sentences that MTAs write in their first lines, in the languages of
    `_OPENING`, in the first `_PEEK_BYTES` bytes of a body not sent as base64.
Either only opens the door to the recognisers, which still ask for their own evidence.
"""

from __future__ import annotations

import re

from ndrguard.headers import first_address
from ndrguard.mail import Mail
from ndrguard.recognisers import filters
from ndrguard.recognisers.common import (
    LIST_MANAGERS,
    is_list_mail,
    list_admin_local,
    null_sender,
    sender_is_daemon,
    sender_is_system_account,
)

# Subject words of delivery reports and look-alikes in the languages and products we know, as
# lower-case substrings. They only open the door to the real recognisers, so they may be loose.
SUBJECT_WORDS: tuple[str, ...] = (
    # delivery reports (English)
    "undeliver",
    "undelivered",
    "not delivered",
    "non-deliver",
    "nondeliver",
    "non deliver",
    "delivery status",
    "delivery notification",
    "delivery report",
    "delivery fail",
    "delivery delay",
    "delivery problem",
    "delivery error",
    "delivery warning",
    "delivery final",
    "delivery has",
    "delivery to",
    "mail delivery",
    "returned mail",
    "return mail",
    "returning message",
    "failure notice",
    "could not",
    "couldn't",
    "mail system error",
    "mail failure",
    "bounce",
    "rejected",
    "failed",
    "failure",
    "delayed",
    "warning:",
    "error sending",
    "error delivering",
    "postmaster",
    "mailer-daemon",
    "mailer daemon",
    "message status",
    "dsn",
    # other languages
    "unzustellbar",
    "nicht zustellbar",
    "zustellung",
    "fehlgeschlagen",
    "unzustellbare",
    "non remis",
    "non distribu",
    "échec",
    "non recapitat",
    "non consegnat",
    "mancato recapito",
    "no entregado",
    "no se pudo",
    "devuelto",
    "não entregue",
    "não foi entregue",
    "entrega",
    "onbestelbaar",
    "niet afgeleverd",
    "niet bezorgd",
    "bezorging",
    "niedostarcz",
    "nie można dostarczyć",
    "nie dostarcz",
    "не доставлен",
    "недоставлен",
    "ошибка доставки",
    "配信",
    "配送",
    "送信エラー",
    "エラー",
    "不能",
    "未送達",
    "退信",
    "退回",
    "投递",
    "无法",
    "無法",
    "系統退信",
    # look-alikes: auto-replies (Exchange's localised prefixes, Sieve's "Auto:")
    "automatic reply",
    "auto:",
    "autoreply",
    "auto-reply",
    "auto reply",
    "auto response",
    "autoresponse",
    "auto-response",
    "out of office",
    "out of the office",
    # vacation(1)'s default subject and its manual's example: the only signs its answers carry
    "away from my",
    "on vacation",
    "on holiday",
    "abwesen",
    "automatische antwort",
    "réponse automatique",
    "absence du bureau",
    "respuesta automática",
    "fuera de la oficina",
    "risposta automatica",
    "fuori sede",
    "resposta automática",
    "automatisch antwoord",
    "automatiskt svar",
    "automatisk svar",
    "automaattinen vastaus",
    "automatická odpov",
    "automatikus válasz",
    "otomatik yanıt",
    "αυτόματη απάντηση",
    "răspuns automat",
    "automatski odgovor",
    "samodejni odgovor",
    "automaatvastus",
    "automātiskā atbilde",
    "automatinis atsakymas",
    "автоматична відповідь",
    "автоматичен отговор",
    "resposta automàtica",
    "자동 회신",
    "자동 응답",
    "afwezig",
    "odpowiedź automatyczna",
    "nieobecn",
    "автоответ",
    "автоматический ответ",
    "自動応答",
    "自動返信",
    "自动回复",
    "自動回覆",
    # receipts
    "read receipt",
    "return receipt",
    "lesebestätigung",
    "accusé de lecture",
    "disposition notification",
    # challenge-response
    "confirm your message",
    "verify your message",
    "confirm your e-mail message",
    "confirm your email message",
    "guest list",
    "approved sender",
    "challenge",
    "[ask]",
    "(conf#",
    "are human",
    "verification",
    "your message to",
    "waiting for",
    "approval request",
    "verificaci",
    "en attente",
    "retenid",
    "zurückgehalten",
    "in attesa",
    # feedback
    "complaint about message",
    "abuse report",
    "feedback report",
    "client tos notification",
    "spam report",
    "fbl report",
)


def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern matching any of `words`, with shared prefixes factored into a trie.

    A plain alternation makes the regex engine try every word at every position, and a loop of
    `in` tests costs a Python call per word; the trie tries each branch once per position and
    was four times faster than either on the corpus's subjects.
    """
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(emit(tree))


_SUBJECT_SIGN = _any_of(SUBJECT_WORDS)

# Read-receipt prefixes are checked at the start of the subject only: "Read: chapter 3" is a
# receipt's form, "we read: ..." in the middle is not.
_RECEIPT_PREFIX = re.compile(
    r"(?:read|not read|gelesen|ungelesen|lu|non lu|leído|letto|lido|gelezen|przeczytan\w*|"
    r"прочитано|開封済み|已读|已讀)\s*[:：]"
)

# Header fields that only automated messages carry.
_AUTOMATED_FIELDS = frozenset(
    (
        "x-failed-recipients",
        "x-ms-exchange-message-is-ndr",
        "x-ms-exchange-inbox-rules-loop",
        "x-autoreply",
        "x-autorespond",
        "x-autoresponder",
        "x-auto-response",
        "x-autogenerated",
        "x-vacation",
        "x-mailer-daemon",
        "x-delivery-agent",
        "x-feedback-id-report",
        "x-hmxmroriginalrecipient",
        "x-amzn-ses-bounce",
        "x-ses-notification",
        "x-amz-sns-message-id",
        "x-apple-unsubscribe",
        "x-apple-action",  # iCloud Mail's "VACATION" replies
        "x-auto-response-suppress",  # Exchange marks its own OOF replies and reports with it
        "original-recipient",
        "x-original-message-id-returned",
    )
)
# Prefixes of header fields that challenge-response products add, found in one search over
# the field names joined by newlines.
_PRODUCT_FIELD = re.compile(
    r"^x-(?:tmda|boxbe|bluebottle|spamarrest|challenge|askversion|sendio)[^\n]*", re.MULTILINE
)

# From-field tokens without which common.sender_is_daemon and sender_is_system_account cannot
# match; checked first because almost no ordinary From has any of them and the full check is a
# regular expression.
_DAEMON_TOKENS = (
    "daemon",
    "postm",
    "post_m",
    "post-m",
    "post.m",
    "post off",
    "postoff",
    "post-off",
    "nobody",
    "root",
    "www",
    "apache",
    "httpd",
    "nginx",
    "cron",
    "smtp",
    "mta",
    "mailer",
    "notify",
    "devnull",
    "zustell",
    "delivery",
    "mail system",
    "mail-system",
    "mail_system",
    "mailsystem",
    "administrator",
    "admin",
    "router",
    "gateway",
    "mail-daemon",
    "système",
    "administrador",
    "status",
)
_DOMAIN = re.compile(r"@[^\s>,;]*")

# MIME types of reports and returned messages (see the module docstring), matched in the
# lower-cased header block of each top-level part.
# In the order they are looked for: the longer global-* names before "message/global".
_REPORT_TYPES = (
    b"multipart/report",
    b"message/delivery-status",
    b"message/global-delivery-status",
    b"message/global-headers",
    b"message/disposition-notification",
    b"message/global-disposition-notification",
    b"message/feedback-report",
    b"message/rfc822",
    b"message/global",
    b"text/rfc822-headers",
    b"application/ms-tnef",
)
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))', re.IGNORECASE)
_PART_HEAD_BYTES = 400  # a part's header block: Content-Type comes within its first lines

# How far into a body (or its first part) the opening sentence of a notice reaches.
_PEEK_BYTES = 600
# Sentences MTAs open their notices with, grouped under a fragment that each of them holds:
# the sentences of a group are looked for only when its fragment is there, so a text costs one
# substring test per group ("deliver" is in much spam, which then costs a few more). Lower
# case; the non-Latin ones in UTF-8, tested only in a text that is not plain ASCII. Loose on
# purpose: they only open the door to the recognisers.
_OPENING: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "deliver",
        (
            "could not be delivered",
            "couldn't be delivered",
            "cannot be delivered",
            "can not be delivered",
            "not be delivered",
            "was not delivered",
            "were not delivered",
            "undeliverable",
            "undelivered",
            "delivery has failed",
            "delivery failed",
            "delivery to the following",
            "delivery status notification",
            "unable to deliver",
            "could not deliver",
            "failed to deliver",
            "non-delivery",
            "nondelivery",
            "delivery notification",
            "delivery attempts will continue",
        ),
    ),
    ("permanent", ("failed permanently", "permanent error", "permanent fatal error")),
    ("reject", ("your message was rejected", "your message has been rejected", "was rejected and")),
    ("you sent", ("message you sent", "email you sent", "e-mail you sent")),
    ("user", ("unable to find user", "user unknown", "no such user")),
    ("mailbox", ("mailbox is full", "mailbox full")),
    ("delayed", ("has been delayed",)),
    ("zustell", ("unzustellbar", "nicht zustellbar")),
    ("zugestellt", ("nicht zugestellt",)),
    ("remis", ("n'a pas pu être remis", "n'a pas pu etre remis", "non remis")),
    (
        "entreg",
        (
            "no se pudo entregar",
            "no pudo ser entregado",
            "no ha podido ser entregado",
            "não foi possível entregar",
            "não pôde ser entregue",
        ),
    ),
    ("recapit", ("non è stato possibile recapitare", "non recapitabile")),
    ("kon niet worden", ("kon niet worden bezorgd", "kon niet worden afgeleverd")),
    ("bestelbaar", ("onbestelbaar",)),
    ("dostarcz", ("nie może zostać dostarczona", "nie została dostarczona")),
)
_OPENING_NON_ASCII: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("достав", ("не может быть доставлено", "не доставлено")),
    ("できませんでした", ("配信できませんでした", "送信できませんでした")),
    ("投", ("无法投递", "無法投遞")),
    ("退信", ("退信",)),
)


def _encoded(
    groups: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[bytes, tuple[bytes, ...]], ...]:
    """The groups as UTF-8 bytes, each sentence checked to hold its fragment.

    Bytes, because the body is searched undecoded: bytes.lower() and substring tests on bytes
    cost a fraction of decoding to str first.
    """
    for fragment, sentences in groups:
        for sentence in sentences:
            if fragment not in sentence:  # a programming error: caught at the first import
                raise ValueError(f"opening sentence {sentence!r} lacks {fragment!r}")
    return tuple((f.encode(), tuple(x.encode() for x in ss)) for f, ss in groups)


_OPENING_BYTES = _encoded(_OPENING)
_ALL_OPENING_BYTES = _OPENING_BYTES + _encoded(_OPENING_NON_ASCII)


def _opening_sentence(low: bytes) -> bytes | None:
    """The first known opening sentence in lower-cased `low`, by substring tests only (one
    regular-expression pass over the same bytes cost more than all of them together)."""
    for fragment, sentences in _OPENING_BYTES if low.isascii() else _ALL_OPENING_BYTES:
        if fragment in low:
            for sentence in sentences:
                if sentence in low:
                    return sentence
    return None


def _part_types(body: bytes, delim: bytes) -> str | None:
    """The first report or returned-message type among the top-level parts' own headers.

    Only the few hundred bytes after each boundary line are read, so a long HTML or base64
    part costs one bytes.find per boundary.
    """
    pos = body.find(delim)
    while pos >= 0:
        head = body[pos + len(delim) : pos + len(delim) + _PART_HEAD_BYTES].lower()
        end = head.find(b"\n\n")
        if end >= 0:
            head = head[:end]  # the part's own header block, not its first body lines
        if b"message/" in head or b"/report" in head or b"rfc822" in head or b"tnef" in head:
            found = next((t for t in _REPORT_TYPES if t in head), None)
            if found is not None:
                return found.decode("ascii")
        pos = body.find(delim, pos + len(delim))
    return None


def hints(mail: Mail) -> list[str]:
    """Why this message might be automated; empty when nothing in its headers says so."""
    h = mail.headers
    names = h.names()  # membership first: most messages lack most of the fields asked for
    found = []
    ctype = (h.raw("content-type") or b"").lower()
    if b"report" in ctype or b"delivery-status" in ctype:
        found.append("multipart/report")
    if "return-path" in names and null_sender(mail):
        found.append("null sender")
    if "auto-submitted" in names:
        auto = (h.get("auto-submitted") or "").strip().lower()
        if auto and not auto.startswith("no"):
            found.append(f"Auto-Submitted: {auto}")
    if "precedence" in names:
        prec = (h.get("precedence") or "").strip().lower()
        if prec in ("auto_reply", "auto-reply", "autoreply", "junk"):
            found.append(f"Precedence: {prec}")
    field = names & _AUTOMATED_FIELDS
    if field:
        found.append(min(field))
    elif product := _PRODUCT_FIELD.search("\n".join(names)):
        found.append(product.group(0))
    if "content-class" in names and b"mdn" in (h.raw("content-class") or b"").lower():
        found.append("Content-Class: mdn")  # Exchange's read receipts
    sender = _sender_kind(mail)
    if sender:
        found.append(f"sender is {sender}")
    elif _from_is_list_admin(mail) and ("x-mlserver" in names or _speaks_of_a_post(mail)):
        # List managers (fml, mlmmj, Mailman, Sympa) answer about a post (refused, held, not
        # a member, a loop) from the list's administrative address; their posts come from
        # the poster. One that attaches the post is let in by its message/rfc822 part below;
        # one without must speak of "your message" near the start, or it is the list's own
        # announcement or digest, which is most mail from such addresses.
        found.append("list manager's admin address")
    subject = filters.subject(mail) if "subject" in names else ""
    if subject:
        low = subject.lower()
        if _SUBJECT_SIGN.search(low) or _RECEIPT_PREFIX.match(low.lstrip()):
            found.append("subject")
    elif not found and "from" in names and "message-id" not in names:
        # No subject and no Message-ID: what some old MTAs' and gateways' reports look like.
        found.append("no subject")
    if not found:
        body = _body_sign(mail, ctype)
        if body:
            found.append(body)
    return found


def _body_sign(mail: Mail, ctype: bytes) -> str:
    """A report's MIME type or a notice's opening sentence near the start of the body, or "".

    Only for messages whose headers said nothing; see the module docstring. Not for list mail
    (a report carries no List-Id or List-Unsubscribe of its own) nor for a body that is HTML
    alone: notices are written as text, or as a text part first, and that is where their
    opening sentence stands. Those two are most of ordinary mail, so they keep it fast.
    """
    if is_list_mail(mail) or ctype.startswith(b"text/html"):
        return ""
    body = mail.body
    start = 0
    if ctype.startswith(b"multipart/"):
        boundary = _BOUNDARY.search(mail.headers.raw("content-type") or b"")
        if boundary is None:
            return ""
        delim = b"--" + (boundary.group(1) or boundary.group(2))
        found = _part_types(body, delim)
        if found:
            return f"{found} part"
        # The first part's text: past its boundary line and its own header block.
        first = body.find(delim)
        start = body.find(b"\n\n", first) + 2 if first >= 0 else 0
    elif (
        "content-transfer-encoding" in mail.headers.names()
        and b"base64" in (mail.headers.raw("content-transfer-encoding") or b"").lower()
    ):
        return ""
    said = _opening_sentence(body[start : start + _PEEK_BYTES].lower())
    return f"body says {said.decode()!r}" if said else ""


def _sender_kind(mail: Mail) -> str:
    """ "a mail system", "a system account" (only a "maybe": a web form's nobody@), or ""."""
    value = mail.headers.get("from")
    if not value:
        return ""
    name = _DOMAIN.sub("", value.lower())  # domains ("mail.example.org") say nothing here
    if not any(map(name.__contains__, _DAEMON_TOKENS)):
        return ""
    if sender_is_daemon(mail):
        return "a mail system"
    return "a system account" if sender_is_system_account(mail) else ""


_YOUR_POST = (
    b"your message",
    b"your post",
    b"your mail",
    b"your e-mail",
    b"your email",
    b"your submission",
)


def _speaks_of_a_post(mail: Mail) -> bool:
    if is_list_mail(mail):
        return False
    start = mail.body[:_PEEK_BYTES].lower()
    return any(map(start.__contains__, _YOUR_POST))


_LIST_ADMIN_WORDS = ("owner", "admin", "request", "bounce", "error", "help", *LIST_MANAGERS)


def _from_is_list_admin(mail: Mail) -> bool:
    value = (mail.headers.get("from") or "").lower()
    if not any(map(value.__contains__, _LIST_ADMIN_WORDS)):  # ordinary mail stops here
        return False
    address = first_address(value)
    if not address or "@" not in address:
        return False
    return list_admin_local(address.rsplit("@", 1)[0]) is not None
