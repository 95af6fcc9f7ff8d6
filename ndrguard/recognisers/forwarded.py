"""A person's forward ("Fwd:", "WG:", "TR:" ...) of a bounce or look-alike is ordinary mail.

What ndrguard decides: when a person forwards a bounce to you ("did you send this?", "this
bounced, can you check the address?"), the message you receive is theirs, not a mail system's
report. It is `other`, whatever it quotes or attaches, for three reasons:
  - the verdict is about backscatter, mail systems answering forged mail; a person's message
    is never backscatter, and quarantining a colleague's question about a forged bounce would
    hide exactly the mail the user needs;
  - the forwarder, not a mail system, chose to send it, so its envelope, headers and
    recipients describe the forward, not a delivery;
  - a real bounce of the user's own mail reaches the user directly; a copy forwarded by
    someone else adds nothing a filter should act on.
The reason says that a person forwarded it, so `ndrguard classify` still shows what it is.

A forward is told by its subject prefix together with the absence of every header sign of a
mail system (null envelope sender, a daemon address, Auto-Submitted, a responder's fields):
mail systems do not write "Fwd:", and a responder that keeps the subject it answers still
carries its own signs. A gateway that wraps a report is read by `wrapped`, after this module.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import filters, triage
from ndrguard.report import Kind, Report

NAME = "forwarded"

# Forward prefixes of mail clients, in the languages they are localised in: Fwd/Fw (English
# and most), WG (German "Weitergeleitet"), TR (French "Transféré"), RV (Spanish "Reenviado"),
# I (Italian "Inoltrato"), Doorst (Dutch "Doorgestuurd"), PD (Polish "Przekazane dalej"),
# ENC (Portuguese "Encaminhado"), VS (Finnish "Välitetty"), VB (Swedish "Vidarebefordrat"),
# SV/VS are also Nordic; ПЕР/Пересл (Russian "Переслано"), 转发/轉寄 (Chinese), 転送 (Japanese).
# Bracketed forms ("[Fwd: ...]") too.
_FORWARD = re.compile(
    r"^\s*\[?\s*(?:fwd?|wg|tr|rv|i|doorst|pd|enc|vs|vb|vl|továbbítás|пер|пересл|"
    r"转发|轉寄|転送)\s*[:：]",
    re.IGNORECASE,
)
# Triage's signs that only the subject or the body gave: what a person's message can show.
_PERSON_SIGNS = ("subject", "body says")


def recognise(mail: Mail) -> Report | None:
    subject = filters.subject(mail)
    if not subject or not _FORWARD.match(subject):
        return None
    signs = triage.hints(mail)
    if any(not (s.startswith(_PERSON_SIGNS) or s.endswith(" part")) for s in signs):
        return None  # a mail system's sign: a report that happens to carry the prefix
    return Report(
        kind=Kind.OTHER,
        recognised_by=NAME,
        reason=f"a person forwarded this (subject {subject[:60]!r}): their message, not a "
        "mail system's report",
        defects=list(mail.defects),
    )
