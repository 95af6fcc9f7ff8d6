"""m-FILTER (Digital Arts' mail filter appliance, Japan).

m-FILTER writes its notice in Japanese and marks it "X-Mailer: m-FILTER". After "以下のメール
アドレスへの送信に失敗しました。" ("sending to the following addresses failed") come the
addresses one per line, then dashed sections "-------server message" (the remote reply),
"-------SMTP command" and "-------original message" (or "-------original mail info").
"""

from __future__ import annotations

from ndrguard.mail import Mail
from ndrguard.recognisers.common import from_mail_system, notice
from ndrguard.recognisers.text import after, before, first_address_in, recipient_of_kind
from ndrguard.report import Kind, Report

NAME = "mfilter"

_FAILED = "以下のメールアドレスへの送信に失敗しました。"
_SERVER = "-------server message"


def recognise(mail: Mail) -> Report | None:
    if "m-FILTER" not in (mail.headers.get("x-mailer") or "") or not from_mail_system(mail):
        return None
    text = mail.text()
    listing = after(text, _FAILED)
    if listing is None:
        return None
    server = after(text, _SERVER)
    words = before(server, "-------").strip() if server else None
    found = (first_address_in(ln) for ln in before(listing, "-------").split("\n"))
    recipients = [recipient_of_kind(a, Kind.FAILURE, words) for a in found if a]
    return notice(mail, Kind.FAILURE, NAME, "m-FILTER failure notice", recipients)
