"""From a parsed message to a Report: triage, then the recognisers in order.

The order matters and is explained in `ndrguard.recognisers`: the first recogniser that
answers decides. Triage (headers only) dismisses ordinary mail before any body is decoded.
A content filter's wrapper is taken off first (`recognisers.filters`): what it wraps is the
message the user received.
"""

from __future__ import annotations

from ndrguard.mail import DEFAULT_LIMITS, Limits, Mail, parse
from ndrguard.recognisers import ORDER, filters, triage
from ndrguard.report import Kind, Report

_MAX_WRAPPERS = 2  # filters in a row taken off (each level is a smaller message: it ends)


def recognise(mail: Mail) -> Report:
    """What `mail` is. Never raises on bad input: a recogniser that trips is skipped."""
    return read(mail)[1]


def read(mail: Mail) -> tuple[Mail, Report]:
    """The message as delivered (a filter's wrapper taken off) and what it is: the verdict
    reads its evidence (BATV tags, Received chain) from that message, not the wrapper."""
    wrapped = False
    for _ in range(_MAX_WRAPPERS):
        try:
            inner = filters.delivered(mail)
        except Exception as exc:  # as a recogniser's bug: the wrapper is then read as it is
            mail.defects.append(f"filter wrapper not read: {type(exc).__name__}: {exc}")
            break
        if inner is None:
            break
        wrapped = True
        inner.defects[:0] = [d for d in mail.defects if d not in inner.defects]
        mail = inner
    report = _recognise(mail)
    if wrapped:
        report.reason += (
            " (read inside a content filter's wrapper: the attached message has the wrapper's "
            "own Message-ID, From and Date)"
        )
    return mail, report


def _recognise(mail: Mail) -> Report:
    signs = triage.hints(mail)
    if not signs:
        return Report(
            kind=Kind.OTHER,
            recognised_by="triage",
            reason="no sign of an automated message in the headers",
            defects=list(mail.defects),
        )
    for module in ORDER:
        try:
            report = module.recognise(mail)
        except Exception as exc:  # a bug in one recogniser must not lose the message
            mail.defects.append(f"recogniser {module.NAME} failed: {type(exc).__name__}: {exc}")
            continue
        if report is not None:
            return report
    return Report(
        kind=Kind.OTHER,
        recognised_by="none",
        reason=f"headers hinted at automation ({', '.join(signs)}) but no format matched",
        defects=list(mail.defects),
    )


def recognise_bytes(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> Report:
    return recognise(parse(raw, limits))
