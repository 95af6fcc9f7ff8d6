"""SurfControl E-mail Filter (later Websense): "Your message could not be sent."

The filter marks its notices "X-Mailer: SurfControl E-mail Filter" (and X-SEF-* fields) and
writes "A transcript of the attempts to send the message follows.", "The number of attempts
made: N", "Addressed To: ADDRESS", then per attempt the date, "Failed to send to identified
host," and "ADDRESS: [IP], REPLY", closing with "--- Message non-deliverable.". It adds an
RFC 3464 part that the DSN reader reads first; this module reads the text without it.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import notice
from ndrguard.recognisers.text import marked_text, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "surfcontrol"

_OPENING = "A transcript of the attempts to send the message follows."
_ADDRESSED = re.compile(r"^Addressed To:[ \t]*<?([^\s<>]+@[^\s<>]+?)>?[ \t]*$", re.MULTILINE)
_ATTEMPT = re.compile(r"^([^\s<>:]+@[^\s<>:]+): \[([\w.:-]+)\],[ \t]*(.+)$", re.MULTILINE)


def recognise(mail: Mail) -> Report | None:
    text = marked_text(mail, _OPENING)
    if text is None:
        return None
    attempts = {a.lower(): (host, words) for a, host, words in _ATTEMPT.findall(text)}
    recipients = []
    for address in _ADDRESSED.findall(text):
        host, words = attempts.get(address.lower(), (None, None))
        recipients.append(recipient_of_kind(address, Kind.FAILURE, words, remote_mta=host))
    return notice(mail, Kind.FAILURE, NAME, "SurfControl failure notice", recipients)
