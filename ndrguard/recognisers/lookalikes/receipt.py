"""Read receipts: RFC 8098 MDNs and the vendor receipts that are not MDNs.

An MDN is a multipart/report with report-type=disposition-notification whose
message/disposition-notification part says what became of the message at the recipient's side
(Final-Recipient, Original-Message-ID, Disposition: manual-action/MDN-sent-manually; displayed).
That part alone is enough: some clients leave the report-type off.

Not every MDN is a receipt. A message removed by software before anyone saw it is a failure
to deliver, and MDAs say so with an MDN: Sieve's `reject` (RFC 5429 section 2.1 prescribes
"Disposition: automatic-action/MDN-sent-automatically; deleted"), Dovecot's LDA and LMTP when
they refuse a message ("Rejected: <subject>", quota exceeded), recipient-side filters. So an
MDN whose disposition was taken automatically and is `deleted`, or whose type says the message
failed or was rejected (RFC 2298's `failed` and `denied` types, modifiers such as `error`,
`failed` or `rejected`), is a FAILURE whose recipient is the Final-Recipient, with the reason
the human-readable part gives. A person who deletes a message unread ("manual-action ...;
deleted", Outlook's "Not read:") has still received it: that stays a receipt.

Not every receipt is an MDN:
- Outlook and Exchange write, inside an organisation or through some gateways, a plain message
  with a localised subject prefix ("Read:", "Gelesen:", "Lu :", "Leído:", "Letto:", "Lido:",
  "Gelezen:", "Przeczytane:", "Прочитано:", "開封済み:", "已读:"; "Not read:" when deleted unread),
  the body "Your message ... was read on ...", and often `Content-Class: urn:content-classes:mdn`.
- Lotus Notes sends "Return Receipt" with "Your document: ... was received by: ... at: ...".
- Outlook and Exchange may send it as a TNEF attachment alone (application/ms-tnef,
  "winmail.dat", [MS-OXTNEF]) whose message class is REPORT.IPM.Note.IPNRN (read) or
  REPORT.IPM.Note.IPNNRN (not read) ([MS-OXOMSG] 2.2.1.1); tnefparse reads the class.
A subject alone is not enough (people write "Read: chapter 3"): the body's wording, the
Content-Class or an automation sign must agree.
"""

from __future__ import annotations

import re

from ndrguard.headers import first_address
from ndrguard.mail import Mail, normalise_newlines
from ndrguard.recognisers.common import (
    clean_line,
    is_list_mail,
    make_report,
    status_from_words,
    status_in,
)
from ndrguard.recognisers.fields import address_of
from ndrguard.recognisers.lookalikes.signs import (
    head_text,
    report_parts,
    strong_automation,
    subject,
)
from ndrguard.recognisers.phrases import Phrases
from ndrguard.report import Kind, Recipient, Report

NAME = "receipt"

SUBJECT_PREFIX = re.compile(
    r"^\s*(?:read|not read|gelesen|ungelesen|nicht gelesen|lu|non lu|leído|leido|no leído|"
    r"letto|non letto|lido|não lido|gelezen|niet gelezen|przeczytan[aoey]|nieprzeczytan[aoey]|"
    r"прочитано|прочитан[оа]?|не прочитано|開封済み|開封|未開封|已读|已讀|未读|"
    r"read receipt|return receipt|lesebestätigung|accusé de lecture|confirmación de lectura|"
    r"conferma di lettura|confirmação de leitura|leesbevestiging|potwierdzenie przeczytania|"
    r"уведомление о прочтении|開封確認|已读回执)\s*[:：]",
    re.IGNORECASE,
)
_RECEIPT_SUBJECT = re.compile(
    r"^\s*(?:return receipt|read receipt|lesebestätigung|empfangsbestätigung \(gelesen\)|"
    r"accusé de lecture)\b",
    re.IGNORECASE,
)

# The body of an Outlook/Exchange receipt in the languages we cover, and Lotus Notes' wording.
BODY = Phrases(
    r"\bwas read on\b|\bwas deleted without being read\b|\bwas read at\b|"
    r"\bwurde am .{0,200}?gelesen|\bwurde .{0,40}ungelesen gelöscht|"
    r"\ba été lu le\b|\ba été supprimé sans avoir été lu|"
    r"\bfue leído el\b|\bse leyó el\b|\bfue eliminado sin ser leído|"
    r"\bè stato letto il\b|\bè stato letto in data\b|\bè stato eliminato senza essere letto|"
    r"\bfoi lida em\b|\bfoi lido em\b|\bfoi excluída sem ser lida|"
    r"\bis gelezen op\b|\bwerd gelezen op\b|\bis verwijderd zonder te zijn gelezen|"
    r"\bzostała przeczytana\b|\bzostała odczytana\b|\bzostała usunięta bez przeczytania|"
    r"\bбыло прочитано\b|\bбыло удалено без прочтения|"
    r"に開封されました|が開封されました|開封されました|"
    r"已于.{0,40}读取|已被阅读|已被读取|已讀取|"
    r"\bwas received by\s*:|\bwurde empfangen von\s*:|\ba été reçu par\s*:",
    (
        "was read",
        "without being read",
        "gelesen",
        "a été lu",
        "supprimé sans",
        "leído",
        "se leyó",
        "eliminado sin",
        "letto",
        "foi lid",
        "sem ser lida",
        "gelezen",
        "przeczytan",
        "odczytana",
        "прочитано",
        "прочтения",
        "開封",
        "读取",
        "阅读",
        "讀取",
        "was received by",
        "wurde empfangen",
        "a été reçu",
    ),
    re.DOTALL,
    window=300,  # "wurde am <Outlook's long date and time zone> gelesen"
)


def recognise(mail: Mail) -> Report | None:
    parts = report_parts(mail, "message/disposition-notification")
    if parts:
        text = normalise_newlines(parts[0].decoded(mail.limits.decoded_bytes))
        return _mdn(mail, text.decode("utf-8", "replace"))
    tnef = _tnef_class(mail)
    if tnef is not None and tnef.startswith(_TNEF_RECEIPT_CLASSES):
        return make_report(mail, Kind.RECEIPT, NAME, f"read receipt in TNEF (class {tnef})")
    subj = subject(mail)
    content_class = (mail.headers.get("content-class") or "").strip().lower()
    if content_class == "urn:content-classes:mdn":
        return make_report(
            mail, Kind.RECEIPT, NAME, "read receipt (Content-Class: urn:content-classes:mdn)"
        )
    if not (SUBJECT_PREFIX.search(subj) or _RECEIPT_SUBJECT.search(subj)):
        return None
    if is_list_mail(mail):
        return None
    if BODY.search(head_text(mail)):
        return make_report(mail, Kind.RECEIPT, NAME, f"read receipt: {subj[:80]}")
    if strong_automation(mail) and _RECEIPT_SUBJECT.search(subj):
        return make_report(mail, Kind.RECEIPT, NAME, f"automated return receipt: {subj[:80]}")
    return None


# [MS-OXOMSG] 2.2.1.1: the classes of read and not-read notifications, lower case.
_TNEF_RECEIPT_CLASSES = ("report.ipm.note.ipnrn", "report.ipm.note.ipnnrn")
_TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"  # 0x223E9F78, little-endian ([MS-OXTNEF] 2.1.3.1)


def _tnef_class(mail: Mail) -> str | None:
    """The message class of the report's own TNEF part, lower case, when it can be a receipt's;
    None without a TNEF part or a receipt class in it."""
    parts = report_parts(mail, "application/ms-tnef")
    if not parts:
        return None
    data = parts[0].decoded(mail.limits.decoded_bytes)
    if not data.startswith(_TNEF_SIGNATURE):
        return None
    if b"report.ipm.note.ipn" not in data.lower():
        # The class tnefparse reads below is the attMessageClass attribute, an ASCII string in
        # the stream ([MS-OXTNEF] 2.1.3.3.1): without a receipt class in the bytes it finds
        # none either, and most TNEF parts are ordinary Outlook mail (winmail.dat). Not
        # parsing them keeps tnefparse (and its imports) off the common path.
        return None
    import tnefparse  # only here: most mail has no TNEF, and start-up should not pay for it

    try:
        tnef = tnefparse.TNEF(data, do_checksum=False)
    except Exception as exc:  # a damaged attachment is a defect, not a crash
        mail.defects.append(f"TNEF part unreadable: {type(exc).__name__}: {exc}")
        return None
    for prop in tnef.msgprops:
        if prop.name == tnefparse.TNEF.ATTMESSAGECLASS:
            value = prop.data
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            return text.strip("\x00 ").lower()
    return None


def _mdn(mail: Mail, text: str) -> Report:
    fields: dict[str, str] = {}
    for m in re.finditer(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]*(.*(?:\n[ \t]+.*)*)", text, re.MULTILINE):
        fields.setdefault(m.group(1).lower(), " ".join(m.group(2).split()))
    disposition = fields.get("disposition", "")
    address = address_of(fields.get("final-recipient")) or address_of(
        fields.get("original-recipient")
    )
    recipients = []
    if address:
        recipients.append(
            Recipient(
                address=first_address(address) or address,
                original=address_of(fields.get("original-recipient")),
                diagnostic=disposition or None,
            )
        )
    what = disposition.rsplit(";", 1)[-1].strip() if disposition else "no disposition given"
    if _refused(disposition):
        reason = _human_reason(mail) or what
        for r in recipients:
            r.action = "failed"
            r.status = status_in(reason) or status_from_words(reason)
            r.diagnostic = clean_line(reason)
        return make_report(
            mail, Kind.FAILURE, NAME, f"MDN of a message removed unread: {what}", recipients
        )
    return make_report(
        mail, Kind.RECEIPT, NAME, f"RFC 8098 disposition notification: {what}", recipients
    )


# "automatic-action/MDN-sent-automatically; deleted", "...; deleted/error", "...; failed".
_DISPOSITION = re.compile(r"^\s*([\w-]+)\s*/\s*[\w-]+\s*;\s*([\w-]+)\s*(?:/\s*(.*))?$")
_FAILED_TYPES = frozenset(("failed", "denied", "rejected"))
_FAILED_MODIFIERS = ("error", "failed", "failure", "rejected")


def _refused(disposition: str) -> bool:
    """The disposition says software removed or refused the message (see the docstring)."""
    m = _DISPOSITION.match(disposition.lower())
    if m is None:
        return False
    mode, kind, modifiers = m.group(1), m.group(2), m.group(3) or ""
    if kind in _FAILED_TYPES or any(w in modifiers for w in _FAILED_MODIFIERS):
        return True
    return kind == "deleted" and mode == "automatic-action"


def _human_reason(mail: Mail) -> str | None:
    """The explanation in the MDN's first, human-readable part: its last non-empty lines
    ("Your message to <bob@example.org> was automatically rejected:" then the reason)."""
    lines = [ln.strip() for ln in mail.text().split("\n") if ln.strip()]
    return " ".join(lines[:4])[:500] or None
