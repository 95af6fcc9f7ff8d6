"""fml, the Japanese mailing-list manager: its error replies to a rejected post.

fml marks all its mail with "X-MLServer: fml ..."; distributed posts also carry a sequence
number (X-Mail-Count / X-ML-Count), while its own error replies, sent from the list's -admin
address, do not. The replies are fixed sentences from fml's message catalogue: "You are not a
member of this mailing list <list>." (a post from a non-member was refused) or "Duplicated
Message-ID in <list>." under the subject "Loop Alert: ..." (a loop was stopped). Either way
the post did not reach the list, which is the failed recipient.
"""

from __future__ import annotations

import re

from ndrguard.mail import Mail
from ndrguard.recognisers.common import make_report
from ndrguard.recognisers.text import recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "fml"

_REFUSALS = re.compile(
    r"^(You are not a member of this mailing list|Duplicated Message-ID in|"
    r"The following addresses? (?:is|are) not (?:a )?member)\s*<([^<>\s]+@[^<>\s]+)>",
    re.MULTILINE | re.IGNORECASE,
)
_POST_FIELDS = ("x-mail-count", "x-ml-count", "x-sequence")


def recognise(mail: Mail) -> Report | None:
    server = mail.headers.get("x-mlserver") or ""
    if not server.lower().startswith("fml") or any(f in mail.headers for f in _POST_FIELDS):
        return None
    refusal = _REFUSALS.search(mail.text())
    if refusal is None:
        return None
    rcpt = recipient_of_kind(refusal.group(2), Kind.FAILURE, refusal.group(1))
    return make_report(mail, Kind.FAILURE, NAME, "fml mailing list refused the post", [rcpt])
