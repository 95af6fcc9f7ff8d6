"""A notice that wraps another server's report: read as the report inside it.

Scanning gateways, filtering appliances and relays that take the bounce of a server behind them
(Trend Micro InterScan's "TMMSG" notices are one; sendmail-style relays another) send their own
short text, often naming nobody, and attach the real report as message/rfc822: a complete
multipart/report with its RFC 3464 part, or a plain-text bounce. The readers before this one
leave attachments alone on purpose (in ordinary mail an attached status part describes some
other message), so this module parses the attached message as a message of its own and runs
the recognisers on it. The answer is the inner report: its kind, its recipients and, what the
verdict looks at, its returned original, the message the user is said to have sent.

The wrapper must look like a mail system's: triage finds a header sign beyond its subject, or
its own text says delivery failed, or what it attaches carries a report's own evidence (the
null envelope sender, a multipart/report). A person's "Fwd:" of a bounce, attached or quoted,
is answered by `forwarded` first; a person who attaches a bounce under a subject of their own
is read as the bounce (mail clients' "forward as attachment" writes the prefix).
Only one level is unwrapped, and only reports of delivery (failure, delay, delivered) count:
a gateway's notice that attaches an auto-reply or a receipt is not a bounce of anything.
"""

from __future__ import annotations

from ndrguard.mail import Mail, parse
from ndrguard.recognisers import triage
from ndrguard.recognisers.common import report_evidence
from ndrguard.report import Report

NAME = "wrapped"

_ATTACHED = ("message/rfc822", "message/global")
# Triage signs that a person's own message can show too: not enough for a wrapper alone.
_WEAK_SIGNS = ("subject", "body says", "no subject")


def recognise(mail: Mail) -> Report | None:
    weak = all(s.startswith(_WEAK_SIGNS) or s.endswith(" part") for s in triage.hints(mail))
    for part in mail.walk():
        if part.depth != 1 or part.content_type not in _ATTACHED or not part.children:
            continue
        inner = parse(part.decoded(mail.limits.decoded_bytes), mail.limits)
        if weak and not (report_evidence(inner) or _says_failure(mail)):
            continue
        report = _recognise_inner(inner)
        if report is None or not report.kind.is_delivery_report:
            continue
        return Report(
            kind=report.kind,
            recognised_by=f"{NAME}/{report.recognised_by}",
            reason=f"a mail system's notice wrapping another report: {report.reason}",
            shape=report.shape,
            recipients=report.recipients,
            reporting_mta=report.reporting_mta,
            original=report.original,
            defects=[*mail.defects, *(f"inner report: {d}" for d in report.defects)],
        )
    return None


def _says_failure(mail: Mail) -> bool:
    """The wrapper's own text (not the attachment's) states a delivery failure or delay."""
    from ndrguard.recognisers.generic import DELAY, FAILURE

    text = mail.text()[:4000]
    return FAILURE.search(text) is not None or DELAY.search(text) is not None


def _recognise_inner(inner: Mail) -> Report | None:
    """The inner message's report by every recogniser but this one and `forwarded` (one level
    only, and an attached message is nobody's forward)."""
    from ndrguard.recognisers import ORDER, forwarded

    if not triage.hints(inner):
        return None
    for module in ORDER:
        if module.__name__ in (__name__, forwarded.__name__):
            continue
        try:
            report = module.recognise(inner)
        except Exception as exc:  # as in ndrguard.recognise: one recogniser's bug loses nothing
            inner.defects.append(f"recogniser {module.NAME} failed: {type(exc).__name__}: {exc}")
            continue
        if report is not None:
            return report
    return None
