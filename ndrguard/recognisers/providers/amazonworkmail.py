"""Amazon WorkMail bounces.

WorkMail (X-Mailer: Amazon WorkMail, sent through SES) writes no message/delivery-status part
but copies its fields into the text after a fixed lead-in:

    An error occurred while trying to deliver the mail to the following recipients:
    user@example.org

    Technical report:

    Reporting-MTA: dsn; a27-85.smtp-out.us-west-2.amazonses.com
    Action: failed
    Final-Recipient: rfc822; user@example.org
    Diagnostic-Code: smtp; 550 5.1.1 <user@example.org>... User Unknown
    Status: 5.1.1

so the DSN reader's field parser does the reading.
"""

from __future__ import annotations

from ndrguard.mail import Mail
from ndrguard.recognisers import dsn, fields
from ndrguard.recognisers.common import kind_for_action, make_report, sender_is_daemon
from ndrguard.recognisers.text import ADDRESS, recipient_from_words, section
from ndrguard.report import Report

NAME = "amazonworkmail"

_LEAD = "An error occurred while trying to deliver the mail to the following recipients:"
_REPORT = "Technical report:"


def recognise(mail: Mail) -> Report | None:
    if not sender_is_daemon(mail):
        return None
    if "Amazon WorkMail" not in (mail.headers.get("x-mailer") or ""):
        return None
    text = mail.text()
    if _LEAD not in text:
        return None
    if dsn.has_recipients(mail):  # its RFC 3464 part speaks for it
        return None
    per_message, blocks = fields.parse_fields(section(text, _REPORT) or "")
    recipients = dsn.recipients_from(blocks)
    if not recipients:
        listed = ADDRESS.findall(section(text, _LEAD, (_REPORT,)) or "")
        recipients = [
            recipient_from_words(a, None, action="failed", status="5.0.0") for a in listed
        ]
    if not recipients:
        return None
    return make_report(
        mail,
        kind_for_action(r.action for r in recipients),
        NAME,
        f"Amazon WorkMail delivery failure, {len(recipients)} recipient(s)",
        recipients,
        reporting_mta=fields.host_of(per_message.get("reporting-mta")),
    )
