"""Sendmail (8.x) and the many gateways that copy its layout.

Sendmail's notice (sendmail/savemail.c) is built of dashed section titles:
"----- The following addresses had permanent fatal errors -----" (or "transient non-fatal
errors" in a warning), one address per line with indented "(reason: ...)" and "(expanded
from: ...)" notes, then "----- Transcript of session follows -----" with the SMTP dialogue
("... while talking to HOST.:", ">>> RCPT To:<addr>", "<<< 550 ..."). Delay warnings carry the
banner "THIS IS A WARNING MESSAGE ONLY" and the subject "Warning: could not send message for
past N hours". The subject of a failure is "Returned mail: see transcript for details" or
"Returned mail: <reason>".

Sendmail normally adds an RFC 3464 part, read by the DSN reader first; this module reads the
text when that part is missing. Other software (Active!hunter, BIGLOBE's gateway, several
unnamed appliances) writes the same "The following addresses had ..." section with its own
wording after "had", so the section reader here is shared with their modules.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers import dsn, fields, filters
from ndrguard.recognisers.common import dedupe, make_report
from ndrguard.recognisers.text import first_address_in, marked_text, recipient_of_kind
from ndrguard.report import Kind, Recipient, Report

NAME = "sendmail"

# "----- The following addresses had permanent fatal errors -----" and its relatives.
SECTION = re.compile(
    r"^[ \t]*-{3,}[ \t]*The following addresses? (?:had|has) ([\w -]+?)[ \t]*-{3,}[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_ANY_SECTION = re.compile(r"^[ \t]*-{3,}[ \t]*\S.*?-{3,}[ \t]*$", re.MULTILINE)
_TRANSCRIPT = "----- Transcript of session follows -----"
_WARNING = ("THIS IS A WARNING MESSAGE ONLY", "transient non-fatal errors")
_REASON = re.compile(r"^\s*\(reason:\s*(.*?)\)?\s*$", re.IGNORECASE)
_TALKING = re.compile(r"while talking to ([\w.-]+?)\.?:", re.IGNORECASE)
_REPLY_LINE = re.compile(r"^(?:<<<\s*)?[45]\d\d[ -].*$", re.MULTILINE)
_BRACKETED = re.compile(r"\[([^\]]+)\]\s*$")


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, _TRANSCRIPT, "The following address")
    if text is None:
        return None
    if SECTION.search(text) is None:
        return None
    subject = filters.subject(mail)
    kind = (
        Kind.DELAY
        if any(w in text for w in _WARNING) or subject.startswith("Warning: could not send")
        else Kind.FAILURE
    )
    recipients = read_sections(text, kind) or _inline_fields(text)
    if not recipients:
        return None
    return make_report(
        mail, kind, NAME, f"Sendmail {kind} notice, {len(recipients)} recipient(s)", recipients
    )


def read_sections(text: str, kind: Kind) -> list[Recipient]:
    """Recipients from every "The following addresses had ..." section of a sendmail-style text.

    Each address line may carry its reason in brackets ("user@example.org [User unknown]"), in
    indented "(reason: ...)" lines, or only in the session transcript that follows; failing all
    three, the first line of the next section explains it (BIGLOBE's "Non-delivered
    information").
    """
    talking = _TALKING.search(text)
    remote = talking.group(1) if talking else None
    transcript = _section_after(text, _TRANSCRIPT)
    out: list[Recipient] = []
    for m in SECTION.finditer(text):
        body, following = _section_body(text, m.end())
        for address, reason in _address_lines(body):
            words = reason or _from_transcript(transcript, address) or following
            out.append(recipient_of_kind(address, kind, words, remote_mta=remote))
    return dedupe(out)


def _inline_fields(text: str) -> list[Recipient]:
    """RFC 3464 fields left in the text when a broken MIME header hid the report's parts.

    Sendmail's section then names only local users ("kijitora (expanded from: kijitora)"),
    while the pasted per-recipient block still has the full Final-Recipient.
    """
    if "Final-Recipient:" not in text:
        return []
    return dsn.recipients_from(fields.parse_fields(text)[1])


def _section_body(text: str, start: int) -> tuple[str, str | None]:
    """The lines of a section up to the next dashed title, and that next section's first line."""
    nxt = _ANY_SECTION.search(text, start)
    if nxt is None:
        return text[start:], None
    following = next((ln.strip() for ln in text[nxt.end() :].split("\n") if ln.strip()), None)
    return text[start : nxt.start()], following


def _section_after(text: str, title: str) -> str | None:
    pos = text.find(title)
    if pos < 0:
        return None
    body, _ = _section_body(text, pos + len(title))
    return body


def _address_lines(body: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for line in body.split("\n"):
        if not line.strip():
            continue
        reason = _REASON.match(line)
        if reason and found:
            found[-1] = (found[-1][0], reason.group(1))
            continue
        if line[:1] in (" ", "\t") and not line.lstrip().startswith((">>>", "<")):
            continue  # "(expanded from: ...)" and other notes
        address = first_address_in(line)
        if address:
            bracket = _BRACKETED.search(line)
            found.append((address, bracket.group(1) if bracket else None))
    return found


def _from_transcript(transcript: str | None, address: str) -> str | None:
    """The server's words about `address` in the session transcript, else its first error."""
    if not transcript:
        return None
    lower = address.lower()
    for line in transcript.split("\n"):
        if lower in line.lower() and _REPLY_LINE.match(line.strip()):
            return line.strip().lstrip("<").strip()
    m = _REPLY_LINE.search(transcript)
    if m:
        return m.group(0).strip().lstrip("<").strip()
    lines = [ln.strip() for ln in transcript.split("\n") if ln.strip()]
    return lines[0] if lines else None
