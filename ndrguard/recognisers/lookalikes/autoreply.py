"""Auto-replies (RFC 3834): vacation notices, out-of-office, ticket acknowledgements.

RFC 3834 asks responders to mark their replies `Auto-Submitted: auto-replied` and to send them
with a null envelope sender. Most do: Sieve vacation (Dovecot Pigeonhole, Cyrus), Gmail's
vacation responder, Exchange/Microsoft 365 (which also add X-Auto-Response-Suppress and
X-MS-Exchange-Inbox-Rules-Loop), procmail with `Precedence: junk`. Older and
home-made responders set X-Autoreply, X-Autorespond or `Precedence: auto_reply` instead, or
nothing but a localised subject prefix ("Automatic reply:", "Abwesenheitsnotiz:", "Réponse
automatique :", "自動応答:"...). iCloud Mail marks its vacation replies only with
`X-Apple-Action: VACATION`; Yahoo Mail's carry nothing but the subject "Auto Response"; help
desks acknowledge with "AutoReply:" and In-Reply-To; Exchange's out-of-office can arrive with
its own `X-Auto-Response-Suppress` ([MS-OXCMAIL]) but without Auto-Submitted. vacation(1)
(Debian's vacation 3.3) sends the user's message as written, marked with nothing at all, from
the user's own address. Without an RFC 3834 header, a responder's subject counts only beside a
text that announces an absence or promises an answer, and a subject that announces an absence
only beside a text that says so too and what becomes of the message meanwhile.

This module runs after every bounce recogniser, since bounces carry Auto-Submitted:
auto-replied too, and after the challenge recogniser, whose messages are replies as well.
A message that still looks like a bounce (a mail-system sender writing about delivery) is left
to the generic fallback rather than called an auto-reply, and a top-level multipart/report
(DSN, MDN, DMARC or TLS report: Exim marks its DMARC failure reports auto-replied) never is one.

`Auto-Submitted: auto-generated` is not a reply (RFC 3834 section 5): cron, bug trackers and
monitoring send it with whatever their text says ("I'm out of ideas", "配置文件不在",
"файл отсутствует"). With it, only a responder's subject prefix makes an auto-reply; words of
absence in the text count only from a null envelope sender, which responders use and
notification software does not.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import generic
from ndrguard.recognisers.common import (
    is_bulk_mail,
    is_list_mail,
    make_report,
    null_sender,
    sender_is_daemon,
)
from ndrguard.recognisers.lookalikes.signs import (
    auto_submitted,
    head_text,
    precedence,
    subject,
)
from ndrguard.recognisers.phrases import Phrases
from ndrguard.report import Kind, Report

NAME = "autoreply"

_REPLY_FIELDS = frozenset(("in-reply-to", "references", "thread-index"))
_AUTO_FIELDS = ("x-autoreply", "x-autorespond", "x-autoresponder", "x-vacation", "x-autoreply-from")

# Subject prefixes written by responders themselves (Exchange's localised "Automatic reply:",
# Sieve's default "Auto:", Notes' "Abwesenheitsnotiz:", ...), followed by a colon or, as some
# webmail responders write them, in brackets ("[Automatyczna odpowiedź] Re: ...").
_PREFIX_WORDS = (
    r"(?:automatic reply|auto(?:matic)?[ -]?(?:reply|response|respond|answer)|auto|"
    r"out of (?:the )?office(?: reply| autoreply| notice)?|ooo|away|vacation(?: reply)?|"
    r"abwesenheitsnotiz|automatische antwort|abwesend|autoantwort|"
    r"réponse automatique|reponse automatique|absence du bureau|absent|"
    r"respuesta automática|respuesta automatica|fuera de la oficina|ausente|"
    r"risposta automatica|fuori sede|fuori ufficio|"
    r"resposta automática|resposta automatica|fora do escritório|"
    r"automatisch antwoord|afwezig|niet aanwezig|"
    r"odpowiedź automatyczna|odpowiedz automatyczna|automatyczna odpowied[źz]|autoodpowiedź|"
    r"nieobecność|"
    r"автоматический ответ|автоответ|нет на месте|"
    r"自動応答|自動返信|自動回覆|自动回复|自动答复|不在|"
    # Exchange's "Automatic reply:" in the other languages it is localised in.
    r"automatiskt svar|automatisk svar|automaattinen vastaus|automatická odpověď|"
    r"automatická odpoveď|automatikus válasz|otomatik yanıt|αυτόματη απάντηση|"
    r"răspuns automat|raspuns automat|automatski odgovor|samodejni odgovor|automaatvastus|"
    r"automātiskā atbilde|automatinis atsakymas|автоматична відповідь|"
    r"автоматичен отговор|resposta automàtica|자동 회신|자동 응답)"
)
# Subjects that are nothing but a responder's title, as Yahoo Mail's vacation response
# ("Auto Response") and some webmail responders write them: no colon, no original subject.
_TITLE_ONLY = re.compile(rf"^\s*\[?\s*{_PREFIX_WORDS}\s*\]?\s*$", re.IGNORECASE)
SUBJECT_PREFIX = re.compile(
    rf"^\s*(?:\[\s*{_PREFIX_WORDS}\s*\]|{_PREFIX_WORDS}\s*[:：])", re.IGNORECASE
)

# Whole phrases that say the writer is away, in the eleven languages we cover. Never a bare
# word that error output also uses: "out of" (ideas, memory), 不在 ("not in": 文件不在 "the file
# is not in"), отсутствует ("is missing").
ABSENCE = Phrases(
    r"\bout of (?:the )?office\b|\bon (?:vacation|holiday|leave|annual leave|sick leave)\b|"
    r"\baway from (?:the|my) (?:office|desk|e-?mail|mail)\b|"
    r"\bi will not be reading (?:my )?(?:e-?)?mail\b|"
    r"\bi(?: am|'m|’m) (?:currently )?(?:away\b|out (?:of (?:the )?office|until|till)\b)|"
    r"\blimited access to (?:e-?mail|my e-?mail)\b|"
    r"\b(?:automatic|automated|auto-generated) (?:reply|response)\b|\bauto-?reply\b|"
    r"\bnicht im büro\b|\bau(?:ß|ss)er haus\b|\babwesend\b|\bim urlaub\b|\babwesenheit\b|"
    r"\bautomatische antwort\b|"
    r"\babsente?\b.{0,40}\bbureau\b|\bje suis absente?\b|\ben congés?\b|\ben vacances\b|"
    r"\bréponse automatique\b|\bje serai de retour\b|"
    r"\bfuera de la oficina\b|\bde vacaciones\b|\bestaré ausente\b|\brespuesta automática\b|"
    r"\bfuori (?:ufficio|sede)\b|\bin ferie\b|\bsarò assente\b|\brisposta automatica\b|"
    r"\bfora do escritório\b|\bde férias\b|\bestarei ausente\b|\bresposta automática\b|"
    r"\bniet op kantoor\b|\bmet vakantie\b|\bafwezig\b|\bautomatisch antwoord\b|"
    r"\bpoza biurem\b|\bna urlopie\b|\bnieobecn\w*|\bodpowiedź automatyczna\b|"
    r"\bautomatyczna odpowiedź\b|"
    r"в отпуске|вне офиса|отсутствую\b|буду отсутствовать|нет на месте|автоматический ответ|"
    r"不在にして|不在です|不在のため|不在中|不在席|休暇中|休暇を|外出中|出張中|自動応答|自動返信|"
    r"休假中|正在休假|在休假|出差中|正在出差|在出差|不在办公室|不在辦公室|自动回复|自動回覆",
    (
        "office",
        "vacation",
        "holiday",
        "leave",
        "away",
        "i am",
        "i'm",
        "i’m",
        "limited access",
        "reading",
        "reply",
        "response",
        "büro",
        "haus",
        "abwesen",
        "urlaub",
        "antwort",
        "absent",
        "bureau",
        "cong",
        "vacances",
        "automatique",
        "retour",
        "oficina",
        "vacaciones",
        "ausente",
        "automática",
        "ufficio",
        "sede",
        "ferie",
        "assente",
        "automatica",
        "escritório",
        "férias",
        "kantoor",
        "vakantie",
        "afwezig",
        "antwoord",
        "biurem",
        "urlop",
        "nieobecn",
        "automatyczna",
        "отпуск",
        "офис",
        "отсутств",
        "на месте",
        "ответ",
        "不在",
        "休暇",
        "外出",
        "出張",
        "自動",
        "休假",
        "出差",
        "自动",
    ),
)

# Acknowledgements: the responder thanks for the message and promises an answer, the RFC 3834
# auto-reply of help desks and of people who answer later rather than being away.
ACKNOWLEDGEMENT = Phrases(
    r"\bthank(?:s| you) for (?:your|you) (?:e-?mail|message|enquiry|inquiry|request)\b.{0,300}"
    r"\b(?:i|we)(?: will|'ll| shall) (?:\w+ ){0,3}(?:reply|respond|answer|get back to you|be in "
    r"touch)\b|\bwe have received your (?:e-?mail|message|enquiry|inquiry|request)\b|"
    r"\bthis is an automated (?:reply|response|acknowledge?ment)\b",
    ("thank", "received your", "automated"),
    re.DOTALL,
    window=400,
)

# What a responder tells the reader about their message beside the news that its owner is
# away: that it will be read or answered on the owner's return, or whom to ask meanwhile.
# vacation(1) sends the user's ~/.vacation.msg as it stands, with no RFC 3834 header and the
# user's own envelope sender; its set-up's text ("Your mail concerning ... will be read when I
# return") and its manual's example ("If you have something urgent, please contact ...") say
# this, as out-of-office texts do, and a person's mail about their holiday rarely does.
LATER = Phrases(
    r"\b(?:will|shall) be (?:read|answered|dealt with|handled|attended to)\b.{0,40}?"
    r"\b(?:when|after|on|upon) (?:i|my) (?:return|get back|am back|come back)\b|"
    r"\b(?:i|we)(?: will|'ll|’ll| shall) (?:\w+ ){0,2}"
    r"(?:read|answer|reply to|respond to|deal with) "
    r"(?:it|them|your (?:e-?mail|message|mail|request))\b.{0,40}?"
    r"\b(?:when|after|on|upon|as soon as) (?:i|my) (?:return|get back|am back|come back)\b|"
    r"\b(?:if|for) (?:you have |it is |it's |this is )?(?:something |anything |matters? )?urgent\b"
    r".{0,60}?\bplease (?:contact|call|write to|e-?mail|get in touch with)\b|"
    r"\bin urgent (?:cases|matters)\b.{0,60}?\bplease\b",
    ("read", "answer", "dealt", "handled", "attended", "reply", "respond", "deal with", "urgent"),
    re.DOTALL,
    window=200,
)

# Subjects with which mail systems announce bounces; such a message is not a vacation notice.
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|not delivered|delivery (?:status|failure|notification|report|problem)|"
    r"returned mail|mail failure|failure notice|bounce|non[- ]?delivery|"
    r"unzustellbar|nicht zustellbar|non remis|no entregado|non recapitato",
    re.IGNORECASE,
)


def recognise(mail: Mail) -> Report | None:
    if mail.root.content_type == "multipart/report":
        return None  # a report about a message (DSN, MDN, DMARC, TLS), whatever it is marked
    auto = auto_submitted(mail)
    subj = subject(mail)
    if sender_is_daemon(mail) and _BOUNCE_SUBJECT.search(subj):
        return None  # a bounce no recogniser could read: the generic fallback's business
    if not (SUBJECT_PREFIX.search(subj) or ABSENCE.search(subj)) and generic.is_bounce(mail):
        return None  # bounces carry Auto-Submitted: auto-replied too
    names = mail.headers.names()
    if auto.startswith("auto-replied"):
        return _report(mail, "Auto-Submitted: auto-replied (RFC 3834)")
    for name in _AUTO_FIELDS:
        value = (mail.headers.get(name) or "").strip().lower()
        if name in names and value not in ("no", "false", "0"):
            return _report(mail, f"{name} header of an auto-responder")
    if precedence(mail) in ("auto_reply", "auto-reply", "autoreply"):
        return _report(mail, f"Precedence: {precedence(mail)}")
    if "vacation" in (mail.headers.get("x-apple-action") or "").lower():
        return _report(mail, "X-Apple-Action: VACATION (iCloud Mail's vacation reply)")
    if not is_list_mail(mail) and ABSENCE.search(subj):
        # An absence notice with no header of its own (vacation(1)): its subject and text say
        # the owner is away, and the text what becomes of the message. Before the bulk check,
        # because vacation(1)'s manual puts Precedence: bulk in its example message.
        head = head_text(mail, 1500)
        if ABSENCE.search(head) and LATER.search(head):
            return _report(mail, "absence notice: subject and text, no RFC 3834 header")
    if is_bulk_mail(mail):
        return None  # a newsletter's "vacation offers" and "automatic renewal"
    null = null_sender(mail)
    prefix = SUBJECT_PREFIX.search(subj)
    exchange = "x-ms-exchange-inbox-rules-loop" in names or _suppresses_replies(mail)
    # vacation(1) and procmail responders mark their replies only with Precedence: junk.
    replying = exchange or null or precedence(mail) == "junk"
    if prefix and (replying or auto):
        return _report(mail, f"auto-reply subject {prefix.group(0).strip()!r} from a responder")
    if replying and ABSENCE.search(subj):
        return _report(mail, "automated message announcing an absence")
    if prefix or exchange or _TITLE_ONLY.match(subj):
        # A responder's subject or Exchange's own marking, with no RFC 3834 header: the text
        # must say what an auto-reply says, and a prefixed subject must answer a message
        # (a help desk's "AutoReply: [Ticket #1] ..." carries In-Reply-To).
        head = head_text(mail, 1500)
        says = ABSENCE.search(head) or ACKNOWLEDGEMENT.search(f"{subj}\n{head}")
        answers = bool(names & _REPLY_FIELDS) or exchange or not prefix
        if says and answers:
            return _report(mail, f"responder's subject {subj[:60]!r} and text, no RFC 3834 header")
    if null:
        head = head_text(mail, 1500)
        if ABSENCE.search(head):
            return _report(mail, "automated message whose text announces an absence")
        if ACKNOWLEDGEMENT.search(f"{subj}\n{head}"):
            return _report(mail, "automated acknowledgement of the message")
    return None


def _suppresses_replies(mail: Mail) -> bool:
    """Exchange marks its own auto-replies `X-Auto-Response-Suppress: All` (or OOF/AutoReply)."""
    value = (mail.headers.get("x-auto-response-suppress") or "").lower()
    return "all" in value or "oof" in value or "autoreply" in value


def _report(mail: Mail, reason: str) -> Report:
    return make_report(mail, Kind.AUTOREPLY, NAME, reason)
