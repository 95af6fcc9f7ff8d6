"""Challenge-response: "your message is held until you prove you are a person".

TMDA, ASK (Active Spam Killer), Spam Arrest, Boxbe, Mailblocks, Sendio and home-made filters
answer mail from unknown senders with a request to confirm: reply to the message, click a link,
solve a puzzle, or ask to be put on the recipient's approved-senders ("guest") list. Sent to a
forged sender they are backscatter like any bounce.

Their wording differs by product but always names the held message and the way to release it;
newsletters' "confirm your subscription" and sign-up mails' "verify your e-mail address" name
neither, and so are not matched. A match also needs a sign that software wrote the message:
Auto-Submitted, a null envelope sender, or the product's own header field.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import generic
from ndrguard.recognisers.common import is_list_mail, make_report
from ndrguard.recognisers.lookalikes.signs import (
    head_text,
    strong_automation,
    subject,
)
from ndrguard.recognisers.phrases import Phrases
from ndrguard.report import Kind, Report

NAME = "challenge"

# Header fields that challenge-response products add (TMDA, ASK, Boxbe, Bluebottle, Spam Arrest,
# Sendio)
# and the generic X-Challenge family.
_PRODUCT_FIELD = re.compile(
    r"^x-(?:tmda|ask|askversion|boxbe|bluebottle|spamarrest|spam-arrest|challenge|sendio|"
    r"mailblocks|"
    r"cr-|c-r-|confirm-)",
)

SUBJECT = re.compile(
    r"please confirm your (?:e-?mail |)message|confirm your (?:e-?mail |)message|"
    r"please verify your (?:e-?mail |)message|verification required.{0,40}message|"
    r"\[ask\]|\(conf[#:]|challenge[- ]response|please confirm (?:that )?you are (?:a )?human|"
    r"(?:request to join|add yourself to) (?:my|the) (?:guest|approved senders?) list|"
    r"your message to .{1,80} (?:is pending|awaits|is waiting|requires verification)|"
    r"verificaci[oó]n requerida|\best en attente\b|en attente de (?:validation|confirmation)|"
    r"\b(?:su|votre|ihre|sua|uw) (?:mensaje|message|nachricht|mensagem|bericht) .{0,80}"
    r"(?:retenid|en attente|zurückgehalten|retid|vastgehouden)",
    re.IGNORECASE,
)

BODY = Phrases(
    (
        r"\b(?:is|has been|was) (?:being )?held (?:because|until|pending)\b|"
        r"\bto release your (?:e-?mail |)message\b|"
        r"\byour (?:e-?mail |original )?message (?:will be|is being|has been) (?:held|quarantined|"
        r"delivered (?:once|as soon as|after|when) you)|\band your message will be delivered\b|"
        r"\b(?:is|are) waiting (?:in|for) .{0,40}(?:waiting list|approval)|"
        r"\bnot (?:yet )?on .{0,40}(?:guest|approved senders?|allowed senders?) list\b|"
        r"\b(?:request|ask) to be added to .{0,40}(?:guest|approved|allowed|safe) ?"
        r"(?:senders? )?list|"
        r"\b(?:have )?your address added to (?:the recipient's|my|our) (?:guest|approved|allowed|"
        r"safe|white) ?(?:senders? )?list\b|\b(?:has been|was) waitlisted\b|"
        r"\b(?:list|whitelist) of approved senders\b|\bapproved senders? list\b|"
        r"\bonly (?:from|accept (?:mail|messages) from) senders i (?:have )?(?:approved|know)|"
        r"\bapologi[sz]e for this automatic (?:reply|response|message)\b|"
        r"\b(?:add(?:ed)? (?:yourself |you )?to|on) my (?:\w+ )?(?:guest|approved|allowed|safe|"
        r"white) ?(?:senders? )?list\b|"
        r"\b(?:confirm|verify|prove) (?:that )?you are (?:a )?(?:human|real person|person)\b|"
        r"\bnot an? (?:spam ?)?(?:robot|bot|spammer)\b|"
        r"\bcomplete the verification process\b|\bchallenge[- ]response\b|"
        r"\bunverified sender\b|\bhas not been verified\b|"
        r"\bihre nachricht wurde zurückgehalten\b|\bbestätigen sie, dass sie ein mensch sind\b|"
        r"\bvotre message (?:est|a été) (?:retenu|mis en attente)\b|"
        r"\bsu mensaje (?:está|ha sido) retenido\b|\b(?:est[áa]|ha sido) retenido hasta\b|"
        r"\bliberar su mensaje\b|\bvotre message est en attente\b|\bconfirmer que vous êtes\b|"
        r"\bmessaggio è in attesa\b|\bmensagem (?:está|foi) retida\b|"
        r"\bbericht wordt (?:vastgehouden|tegengehouden)\b|\bwiadomość (?:została )?wstrzymana\b|"
        r"\b(?:not|no|non|kein|keine|geen|nie|pas|não|не) (?:(?:es|sei|è|é|ist|bist|sind|bent|"
        r"jesteś|являетесь) )?(?:an? |un |une |um |uma |una |ein |einen |jest )?"
        r"(?:robot|robô|robota|robotem|робот)\b"
    ).replace(" ", r"\s+"),  # the wording is wrapped at any space
    (
        "held",
        "release",
        "deliver",
        "waiting",
        "guest",
        "approved",
        "apologi",
        "added",
        "allowed",
        "safe",
        "white",
        "human",
        "person",
        "robot",
        "bot",
        "spammer",
        "verif",
        "challenge",
        "zurückgehalten",
        "mensch",
        "retenu",
        "attente",
        "retenid",
        "libera",
        "confirmer",
        "robô",
        "робот",
        "attesa",
        "retida",
        "vastgehouden",
        "tegengehouden",
        "wstrzyman",
        "waitlisted",
    ),
    re.DOTALL,
)


def asks_to_release(mail: Mail) -> bool:
    """The report's text asks the sender to prove itself or join a list: a challenge's words.

    Boxbe and other services send their challenge as an RFC 3464 report whose recipient is only
    "delayed" (4.7.0, sender not pre-approved); the DSN reader asks this before calling such a
    report a delay.
    """
    return bool(BODY.findall(head_text(mail, 6000)))


def recognise(mail: Mail) -> Report | None:
    names = mail.headers.names()
    product = sorted(n for n in names if _PRODUCT_FIELD.match(n))
    delivery_agent = (mail.headers.get("x-delivery-agent") or "").lower()
    if delivery_agent.startswith("tmda"):
        product.append("x-delivery-agent: TMDA")
    responder = "x-autorespond" in names or "x-autoreply" in names
    automated = bool(product) or responder or strong_automation(mail)
    # List mail only, not Precedence: bulk, which Boxbe and other services put on challenges.
    if is_list_mail(mail) and not product:
        return None
    subj = subject(mail)
    in_subject = SUBJECT.search(subj)
    body_hits = BODY.findall(head_text(mail, 6000))
    # One phrase with a sign only software sets, or the subject plus the body, or two distinct
    # phrases from a service that writes like a person (Spam Arrest, Boxbe: no Auto-Submitted).
    if not (product or in_subject) and generic.is_bounce(mail):
        return None  # a bounce that asks to be put on a whitelist is still a bounce
    strong = automated and (in_subject or body_hits)
    if strong or (in_subject and body_hits) or len(body_hits) >= 2:
        why = ", ".join(product) if product else "automated sender" if automated else "wording"
        said = in_subject.group(0) if in_subject else sorted(body_hits)[0]
        return make_report(
            mail, Kind.CHALLENGE, NAME, f"challenge-response request ({why}): {said!r}"
        )
    return None
