"""The multilingual fallback for bounces that no specific recogniser knows.

Every MTA words its bounce differently, but they all say the same three things: the mail system
is writing (a null envelope sender, a MAILER-DAEMON or postmaster address, a report part), the
message could not be delivered (in the language of the server's admin), and to whom (an
address, usually beside an SMTP reply or an RFC 3463 status code). This module asks for all three,
so that a person's message about a parcel that "could not be delivered" stays ordinary mail:
  1. structural evidence: null Return-Path, a mail-system sender, X-Failed-Recipients, or a
     multipart/report / message/delivery-status part;
  2. a failure (or delay) phrase, in the subject or the report's own text, in English, German,
     French, Spanish, Italian, Portuguese, Dutch, Polish, Russian, Japanese or Chinese;
  3. a recipient address next to the explanation, or a status code or SMTP reply.
A report that names no one (GroupWise names a local user, a truncated Sendmail report keeps only
its transcript marker) is still a failure when the null envelope, a mail-system From and a failure
subject all agree. A recipient without a code beside it gets the report's only code, else the
status its words stand for ("user not found" 5.1.1), else the report's class.
When the only structural sign is the From address (which a phisher can write), a status code or
a returned copy of the original is also required, and texts that send the reader to a web page
to log in or "release" messages are refused: that is how bounce-shaped phishing reads. A From of
a Unix system account (root, nobody, www-data: web contact forms, cron) needs an SMTP reply
quoted as one or a returned original with its Received fields, and a From alone never makes a
bounce of list or bulk mail (List-Id, List-Unsubscribe, Precedence: bulk), whose "delivery of
this issue has been delayed" is news, not a report.

Delay warnings ("will continue trying", "Zustellung verzögert") become DELAY unless the text
also says the server gave up.
"""

from __future__ import annotations

import re

from ndrguard.headers import ADDRESS
from ndrguard.mail import Mail
from ndrguard.original import extract
from ndrguard.recognisers import filters
from ndrguard.recognisers.common import (
    STATUS,
    clean_line,
    is_bulk_mail,
    make_report,
    null_sender,
    own_addresses,
    report_evidence,
    sender_is_daemon,
    sender_is_system_account,
    smtp_replies,
    smtp_reply,
    status_from_reply,
    status_from_words,
    status_in,
)
from ndrguard.recognisers.phrases import Phrases
from ndrguard.report import Kind, Original, Recipient, Report, Shape

NAME = "generic"

_APOS = "['’`´]"

FAILURE = Phrases(
    "|".join(
        (
            # English (Postfix, Sendmail, Exim, qmail, Exchange, Notes, Domino, hosted mail)
            r"\b(?:could|can)(?: ?not|n't) be delivered\b|\b(?:was|were|has not been|have not been)"
            r" not (?:be )?delivered\b|\bwas(?:n't| not) delivered\b|\bnot (?:been )?delivered\b|"
            r"\bundeliver(?:able|ed)\b|\bnon-?deliver(?:y|able)\b|\bdelivery (?:has )?failed\b|"
            r"\bdelivery (?:failure|error|problem)\b|\bfailed to deliver\b|\bfailure notice\b|"
            r"\b(?:unable|could not|couldn't|cannot) (?:to )?deliver\b|\bdelivery to the following"
            r" recipients? (?:failed|was unsuccessful)\b|\bpermanent(?:ly)? (?:fatal )?(?:errors?|"
            r"failures?|failed)\b|\bdid not reach the following recipient|\breturned mail\b|"
            r"\bmail delivery failed\b|\bmessage not delivered\b|\bfatal errors?\b.{0,40}deliver|"
            r"\b(?:was|has been) (?:rejected|refused|returned) by (?:the )?(?:remote|recipient|"
            r"destination|receiving|following)|\baddresses had permanent fatal errors\b|"
            r"\bmessage could not be sent\b|\bsending failed\b|\bmail failure\b|"
            r"\btrouble delivering\b|"
            r"\berror (?:has )?occurred while (?:trying|attempting) to deliver|"
            r"\b(?:error|problem)s? delivering\b|\b(?:permanent )?delivery (?:problems|errors)\b|"
            r"\bde(?:li|le)very to the following recipients? (?:was aborted|failed)|"
            r"\bdid not receive this message\b|\berror sending (?:your |the )?(?:mail|message)\b|"
            # "an email you sent was rejected", "your message was rejected and discarded":
            # a receiving system's own notice that it refused what it had accepted.
            r"\b(?:e-?mail|message|mail)\b[^.\n]{0,40}?\b(?:was|were|has been|have been) "
            r"(?:rejected|refused|discarded|bounced)\b",
            # German
            r"unzustellbar|nicht zustellbar|nicht zugestellt werden|konnte nicht .{0,60}zugestellt|"
            r"zustellung (?:ist )?fehlgeschlagen|zustellfehler|fehlgeschlagene zustellung|"
            r"nicht (?:erfolgreich )?zugestellt",
            # French
            rf"n{_APOS}a pas pu (?:être|etre) (?:remis|délivré|delivre|distribué|distribue|"
            r"acheminé|achemine|envoyé)|non (?:remis|délivré|distribué)|échec de (?:la )?(?:remise|"
            r"livraison|distribution)|impossible de (?:remettre|délivrer|distribuer|livrer)|"
            rf"n{_APOS}a pas été (?:remis|distribué|délivré)|erreur de (?:remise|distribution)",
            # Spanish
            r"no (?:se )?(?:pudo|puede|ha podido|fue posible) (?:ser )?entregar?|no pudo ser"
            r" entregad|no (?:ha sido|fue) entregad|no entregad[oa]|error (?:de|en la) entrega|"
            r"imposible entregar|fallo (?:de|en) (?:la )?entrega|entrega fallida",
            # Italian
            r"non è stato possibile (?:recapitare|consegnare)|non (?:è stato|può essere|e' stato)"
            r" (?:recapitat|consegnat)|non recapitabile|mancato recapito|impossibile recapitare|"
            r"recapito (?:fallito|non riuscito)|consegna non riuscita|non recapitat",
            # Portuguese
            r"não (?:pôde|pode|foi possível|poderá) (?:ser )?entreg|não foi entregue|"
            r"falha (?:na|de) entrega|impossível entregar|não entregue|entrega falhou",
            # Dutch
            r"kon niet (?:worden )?(?:bezorgd|afgeleverd)|kan niet (?:worden )?(?:bezorgd|"
            r"afgeleverd)|onbestelbaar|niet (?:bezorgd|afgeleverd)|bezorging (?:is )?mislukt|"
            r"onbezorgbaar|afleveringsfout",
            # Polish
            r"nie (?:mogła|mógł|mogło|może|można) (?:zostać )?dostarcz|nie (?:została|został|"
            r"zostało) dostarczon|niedostarczon|błąd (?:dostarczania|doręczenia)|"
            r"doręczenie nie powiodło|dostarczenie nie powiodło",
            # Russian
            r"не (?:может|могло|было|удалось|смогли|будет) (?:быть )?достав|не доставлено|"
            r"недоставлен|ошибка доставки|невозможно доставить|доставка не удалась",
            # Japanese
            r"配信できませんでした|配送できませんでした|送信できませんでした|届きませんでした|"
            r"配信に失敗|配送に失敗|送信に失敗|配信不能|宛先不明|未達",
            # Chinese
            r"无法投递|無法投遞|无法传递|無法傳遞|退信|投递失败|投遞失敗|发送失败|傳送失敗|"
            r"无法送达|無法送達|未能送达|未能成功发送",
        )
    ),
    (
        "deliver",
        "delevery",
        "rejected",
        "refused",
        "discarded",
        "bounced",
        "permanent",
        "did not reach",
        "did not receive",
        "returned mail",
        "failure notice",
        "fatal",
        "rejected by",
        "refused by",
        "returned by",
        "could not be sent",
        "sending failed",
        "mail failure",
        "error sending",
        "zustell",
        "zugestellt",
        "remis",
        "remett",
        "délivr",
        "delivre",
        "distribu",
        "achemin",
        "envoy",
        "livr",
        "entreg",
        "recapit",
        "consegn",
        "bezorg",
        "afgelever",
        "bestelbaar",
        "afleverings",
        "dostarcz",
        "doręcz",
        "достав",
        "できませんでした",
        "届き",
        "失敗",
        "配信不能",
        "宛先不明",
        "未達",
        "投递",
        "投遞",
        "传递",
        "傳遞",
        "退信",
        "发送",
        "傳送",
        "送达",
        "送達",
    ),
)

DELAY = Phrases(
    r"\bwill (?:continue|keep) (?:trying|to try|retrying|attempting)\b|\bstill (?:trying|being "
    r"retried|in the queue)\b|\b(?:has been|was|is being|been) delayed\b|\bdelivery (?:is |was )?"
    r"delayed\b|\bdelay(?:ed)? (?:warning|notification|notice)\b|\bnot yet been delivered\b|"
    r"\bwarning: could not send\b|\bthis is a warning only\b|\bwill (?:retry|be retried)\b|"
    r"\btemporar(?:y|ily) (?:deferred|unable|failure|problem)\b|"
    r"zustellung verzögert|verzögert|wird (?:weiterhin|erneut) versucht|noch nicht zugestellt|"
    r"weitere zustellversuche|"
    r"différé|retardé|nouvelles tentatives|n['’]a pas encore été (?:remis|distribué)|"
    r"retrasad|demorad|seguirá intentando|aún no se ha entregado|"
    r"ritardat|continuerà a tentare|non è ancora stato (?:recapitato|consegnato)|"
    r"atrasad|continuará tentando|ainda não foi entregue|"
    r"vertraagd|nog niet (?:bezorgd|afgeleverd)|blijft proberen|"
    r"opóźnion|nie została jeszcze dostarczona|będzie ponawia|"
    r"задерж|ещё не доставлено|еще не доставлено|повторн\w+ попытк|"
    r"遅延|再送を試み|まだ配信されていません|延迟|延遲|仍在尝试|稍后重试",
    (
        "will continue",
        "will keep",
        "still trying",
        "still being",
        "still in the queue",
        "delay",
        "not yet been delivered",
        "could not send",
        "warning only",
        "will retry",
        "will be retried",
        "temporar",
        "verzögert",
        "versucht",
        "noch nicht zugestellt",
        "zustellversuche",
        "différé",
        "retardé",
        "nouvelles tentatives",
        "pas encore",
        "retrasad",
        "demorad",
        "seguirá intentando",
        "aún no",
        "ritardat",
        "continuerà",
        "ancora stato",
        "atrasad",
        "continuará",
        "ainda não",
        "vertraagd",
        "nog niet",
        "blijft proberen",
        "opóźnion",
        "jeszcze",
        "ponawia",
        "задерж",
        "ещё не",
        "еще не",
        "повторн",
        "遅延",
        "再送",
        "まだ配信",
        "延迟",
        "延遲",
        "仍在尝试",
        "稍后重试",
    ),
)

# Words that say the server gave up: a failure even where the text also says "delayed".
_GAVE_UP = re.compile(
    r"\bgave up\b|\bgiving up\b|\bpermanent|\bno longer (?:try|retry)|\bhas been (?:returned|"
    r"deleted)|\bexpired\b|\bmaximum time\b|\btoo long\b|endgültig|définitivement|abandon",
    re.IGNORECASE,
)

# Bounce-shaped phishing: it wants the reader on a web page, which no MTA's bounce does.
_LURE = Phrases(
    r"\b(?:log ?in|sign ?in|password|re-?validate|verify your (?:account|mailbox)|"
    r"release (?:your |the |these |all )?(?:pending |held )?(?:messages?|e-?mails?)|"
    r"click (?:here|below|the (?:link|button))|upgrade your (?:mailbox|quota))\b",
    ("log", "sign", "password", "validate", "verify your", "release", "click", "upgrade"),
)

# Where a quoted copy of the original starts: the explanation ends there.
_COPY_START = re.compile(
    r"^[ \t>|]*(?:-{2,}.*(?:original|copy|returned|message follows|headers? follow|"
    r"undelivered message|unsent message|mensaje original|message d'origine|ursprüngliche|"
    r"nachricht folgt|originele|oryginaln|исходное|元のメッセージ|原始邮件).*|"
    r"(?:bounced|returned|original|undelivered) (?:e-?mail|message)[ \t]*:?[ \t]*|"
    r"(?:Received|Return-Path|Message-ID|DKIM-Signature|X-[\w-]+)[ \t]*:.*)$",
    re.IGNORECASE | re.MULTILINE,
)
# How much of a report's text is its explanation at most: MTAs state the failure in the first
# lines; what follows in longer texts is a quoted original or a provider's help page.
_EXPLANATION_CHARS = 8000
_DAEMON_LOCAL = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|root|nobody)$", re.I)

# Reasons receiving servers give, for bounces that state only the refusal and its reason.
_REASON = Phrases(
    r"\buser unknown\b|\bunknown user\b|\bno such (?:user|mailbox|recipient|address)\b|"
    r"\b(?:mailbox|user|recipient|address) (?:does not exist|not found|unavailable|unknown)\b|"
    r"\binvalid (?:user|recipient|mailbox)(?: address)?\b|\bmailbox (?:is )?full\b|"
    r"\bquota exceeded\b|\bover quota\b|\brelay(?:ing)? (?:access )?denied\b|"
    r"\brecipient address rejected\b|\brequested action not taken\b|\bhost not found\b|"
    r"\bmessage rejected\b",
    (
        "unknown",
        "no such",
        "exist",
        "not found",
        "unavailable",
        "invalid",
        "full",
        "quota",
        "relay",
        "rejected",
        "requested action",
    ),
)


# The last message answered and its answer: the auto-reply and challenge recognisers ask
# `is_bounce` first, and generic itself runs right after them on the same message. Keyed by
# identity, so a stale or concurrent entry can only cost a recomputation.
_last: list[tuple[Mail, Report | None]] = []


def recognise(mail: Mail) -> Report | None:
    last = _last[0] if _last else None
    if last is not None and last[0] is mail:
        return last[1]
    report = _recognise(mail)
    _last[:] = [(mail, report)]
    return report


def _recognise(mail: Mail) -> Report | None:
    evidence = report_evidence(mail)  # null sender, report part or X-Failed-Recipients
    account = False  # sent as root, nobody, www-data: only a "maybe" (see the docstring)
    if not evidence:
        # List posts and newsletters carry bounce-collecting addresses and talk about "delayed
        # delivery" of an issue; without a report's own evidence their words prove nothing.
        if is_bulk_mail(mail):
            return None
        if not sender_is_daemon(mail):
            account = sender_is_system_account(mail)
            if not account and not _attaches_original(mail):
                return None
    subject = " ".join(filters.subject(mail).split())
    text = mail.text()
    explanation = _explanation(text)
    low = explanation.lower()
    failure = FAILURE.search(subject) or FAILURE.search(explanation, low)
    delay = DELAY.search(subject) or DELAY.search(explanation, low)
    status = status_in(explanation)
    reply = _permanent_reply(explanation)
    if not (failure or delay):
        # No "could not be delivered" sentence, but a receiving server's permanent refusal
        # quoted with its reason ("550 5.1.1 ... user unknown"): what terse bounces consist of.
        refused = reply or (status or "").startswith("5")
        failure = _REASON.search(explanation, low) if refused else None
        if not failure:
            return None
    recipients = _recipients(mail, explanation)
    reply = reply or smtp_reply(explanation)
    failed_header = "x-failed-recipients" in mail.headers.names()
    if not (recipients or status or reply or failed_header or _names_no_one(mail, subject)):
        return None
    if not evidence:
        # Only the From address speaks for this being a bounce. A phisher writes that too, so a
        # text that sends the reader to log in is refused. A web form or cron job sends as root
        # or nobody, so such a sender needs what a bounce carries and a customer's "my order was
        # not delivered" does not: an SMTP reply, or a returned original that travelled (its
        # Received fields; a form echoes From: and Subject: lines too).
        links = _has_links(mail, explanation)
        if links and _LURE.search(explanation):
            return None
        shape, original = extract(mail)
        if links and not (status or reply or shape is not Shape.EMPTY):
            return None
        if account and not (reply or (original is not None and original.received)):
            return None
        # A service address (a gateway's, a scanner's): only the attached original speaks for
        # a report, so it must be the message that failed, addressed to whom the text says
        # failed, and the failure must be stated with a server's code.
        service = not account and not sender_is_daemon(mail)
        if service and not ((status or reply) and _sent_to_named(original, recipients)):
            return None
    gave_up = _GAVE_UP.search(explanation) or (status or "").startswith("5")
    kind = Kind.DELAY if delay and not gave_up and not FAILURE.search(subject) else Kind.FAILURE
    if kind is Kind.DELAY and failure and not delay:
        kind = Kind.FAILURE
    action = "delayed" if kind is Kind.DELAY else "failed"
    if not recipients and failed_header:
        for addr in ADDRESS.findall(mail.headers.get("x-failed-recipients") or ""):
            recipients.append(Recipient(address=addr, status=status))
    only = _only_status(explanation)
    for r in recipients:
        r.action = action
        # A status written once for the whole report ("Could not be delivered because of 550
        # 5.1.1 User unknown" above the list) is every recipient's; words stand in otherwise.
        r.status = (
            r.status or only or status_from_words(r.diagnostic or explanation, kind is Kind.FAILURE)
        )
    said = (failure or delay).group(0)  # type: ignore[union-attr]
    reason = f"mail-system message saying {said!r}" + (
        f", {len(recipients)} recipient(s)" if recipients else f", status {status}"
    )
    return make_report(mail, kind, NAME, reason, recipients)


def _attaches_original(mail: Mail) -> bool:
    """A returned message travels with it as a part of its own (message/rfc822, RFC 6522
    text/rfc822-headers), as gateways that send from a service address attach it."""
    return any(p.depth == 1 and p.content_type in _RETURNED_TYPES for p in mail.root.children)


_RETURNED_TYPES = frozenset(
    ("message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers")
)


def _sent_to_named(original: Original | None, recipients: list[Recipient]) -> bool:
    """The returned original travelled (Received fields) and was sent to a named recipient."""
    if original is None or not original.received:
        return False
    sent_to = {a.lower() for a in ADDRESS.findall(original.to or "")}
    return any(r.address.lower() in sent_to for r in recipients)


def _names_no_one(mail: Mail, subject: str) -> bool:
    """A bounce that names neither recipient nor code is still one when every sign agrees.

    GroupWise names only a local user ("recipient (User account is expired)"), a truncated
    Sendmail report keeps only "<<< No Message Collected >>>": a null envelope sender, a
    mail-system From and a failure subject together are what no person's message has.
    """
    return null_sender(mail) and sender_is_daemon(mail) and bool(FAILURE.search(subject))


def _permanent_reply(explanation: str) -> re.Match[str] | None:
    """The first 5xx SMTP reply quoted as one (see common.smtp_replies)."""
    return next((m for m in smtp_replies(explanation) if m.group(1)[0] == "5"), None)


def _only_status(explanation: str) -> str | None:
    """The enhanced status code of the report when it writes exactly one."""
    found = {".".join(m.groups()) for m in STATUS.finditer(explanation)}
    return found.pop() if len(found) == 1 else None


def _has_links(mail: Mail, explanation: str) -> bool:
    """Whether the report's own text points to a web page (bounces never need one)."""
    if "http://" in explanation or "https://" in explanation or "www." in explanation:
        return True
    for part in mail.walk():
        html = part.content_type == "text/html" and not part.in_attachment
        if html and b"href" in part.decoded(mail.limits.decoded_bytes).lower():
            return True
    return False


def _explanation(text: str) -> str:
    """The report's own words: its text up to where a copy of the original starts."""
    text = text[:_EXPLANATION_CHARS]
    cut = _COPY_START.search(text)
    if cut is not None and cut.start() > 0:
        return text[: cut.start()]
    return text


def _recipients(mail: Mail, explanation: str) -> list[Recipient]:
    """Addresses of the explanation with the status or SMTP reply nearest to each."""
    own = {a.lower() for a in own_addresses(mail)}
    lines = explanation.split("\n")
    out: list[Recipient] = []
    seen: set[str] = set()
    daemons: list[Recipient] = []  # postmaster@... is a recipient only when nobody else is
    for i, line in enumerate(lines):
        for addr in ADDRESS.findall(line):
            addr = addr.strip(".'")
            low = addr.lower()
            if low in seen or low in own:
                continue
            seen.add(low)
            window = "\n".join(lines[i : i + 4])
            status = status_in(window)
            reply = smtp_reply(window)
            if status is None and reply is not None:
                status = status_from_reply(reply.group(1))
            diag = None
            for cand in lines[i : i + 4]:
                if STATUS.search(cand) or smtp_reply(cand):
                    diag = clean_line(cand)
                    break
            rcpt = Recipient(address=addr, status=status, diagnostic=diag)
            if _DAEMON_LOCAL.match(low.rsplit("@", 1)[0]):
                daemons.append(rcpt)
                continue
            out.append(rcpt)
            if len(out) >= 50:
                return out
    return out or daemons[:1]


def is_bounce(mail: Mail) -> bool:
    """Whether this fallback calls the message a bounce; the text look-alikes ask first."""
    return recognise(mail) is not None
