"""From a parsed message to a Report: triage, then the recognisers in order.

The order matters and is explained in `ndrguard.recognisers`: the first recogniser that
answers decides. Triage (headers only) dismisses ordinary mail before any body is decoded.
"""

from __future__ import annotations

from ndrguard.mail import DEFAULT_LIMITS, Limits, Mail, parse
from ndrguard.recognisers import ORDER, triage
from ndrguard.report import Kind, Report


def recognise(mail: Mail) -> Report:
    """What `mail` is. Never raises on bad input: a recogniser that trips is skipped."""
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
