"""A stored message as the summary window may show it: facts, and text only.

The tray app never renders a message. It gets from here the facts of the bounce (the shape,
the reporting server, each recipient with the remote server's words, the returned original's
subject, and the network the forged original came from, for grouping campaigns) and a text
view: a few headers, the text parts, HTML reduced to text, and attachments named but never
opened, executable types flagged. Backscatter is spam by definition; its HTML, remote images
and attachments are exactly what must not be touched.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import PurePosixPath
from typing import Any

from ndrguard import Report, parse, recognise
from ndrguard.mail import html_to_text

MAX_TEXT = 200_000  # characters of text shown; a flood's bounce is rarely a hundredth of it
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID")

# Types that run code when opened on some desktop: flagged so the user is warned off them.
EXECUTABLE_SUFFIXES = frozenset((
    ".exe", ".com", ".scr", ".pif", ".bat", ".cmd", ".msi", ".msp", ".dll", ".cpl", ".jar",
    ".js", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".hta", ".ps1", ".psm1", ".lnk", ".reg",
    ".sh", ".app", ".command", ".apk", ".iso", ".img", ".docm", ".xlsm", ".pptm",
))  # fmt: skip
EXECUTABLE_TYPES = frozenset((
    "application/x-msdownload", "application/x-dosexec", "application/x-executable",
    "application/x-sh", "application/java-archive", "application/x-ms-installer",
    "application/javascript", "application/hta", "application/vnd.microsoft.portable-executable",
))  # fmt: skip

# A sender's own LAN says nothing about the campaign; documentation ranges (192.0.2.0/24...)
# stay, since the demo and tests are written with them.
_INTERNAL = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")


def facts(raw: bytes) -> dict[str, Any]:
    """What the summary lists about a bounce beyond its verdict."""
    report = recognise(parse(raw))
    original = report.original
    return {
        "shape": str(report.shape) if report.shape else None,
        "reporting_mta": report.reporting_mta,
        "recognised_by": report.recognised_by,
        "recipients": [
            {
                "address": r.address,
                "status": r.status,
                "action": r.action,
                "diagnostic": r.diagnostic,
            }
            for r in report.recipients
        ],
        "original": {
            "subject": original.subject if original else None,
            "from": original.from_ if original else None,
            "to": original.to if original else None,
            "message_id": original.message_id if original else None,
        },
        "network": sending_network(report),
    }


def sending_network(report: Report) -> str | None:
    """The network the returned original first entered the Internet from (/24 or /48).

    The oldest Received header that names an IP literal is the hop where the forged message
    left the spammer's network; campaigns sent through one botnet or one bulk host share it.
    """
    if report.original is None:
        return None
    for received in reversed(report.original.received):
        for literal in _IP.findall(received):
            try:
                ip = ipaddress.ip_address(literal)
            except ValueError:
                continue
            if (
                ip.is_loopback
                or ip.is_link_local
                or ip.is_unspecified
                or any(ip in net for net in _INTERNAL)
            ):
                continue
            prefix = 24 if ip.version == 4 else 48
            return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    return None


def text_view(raw: bytes) -> dict[str, Any]:
    """Headers, text and attachment names of a message: nothing that could render or run."""
    mail = parse(raw)
    headers = [
        (name, mail.headers.get(name) or "") for name in SHOWN_HEADERS if mail.headers.get(name)
    ]
    chunks: list[str] = []
    attachments: list[dict[str, Any]] = []
    html_only = False
    for part in mail.walk():
        if part.maintype == "multipart":
            continue
        name = part.filename
        ctype = part.content_type
        disposition = (part.headers.get("content-disposition") or "").lower()
        is_text = ctype in (
            "text/plain",
            "text/html",
            "text/rfc822-headers",
            "message/rfc822",
            "message/delivery-status",
            "message/global-delivery-status",
        )
        if name or disposition.startswith("attachment") or not is_text:
            attachments.append(attachment(name, ctype, len(part.body)))
            if not (is_text and ctype != "text/html"):
                continue
        if ctype == "message/rfc822" and part.children:
            # The returned original's body is walked as its own parts next; show its headers.
            text = part.children[0].raw_head.decode("utf-8", "replace")
        else:
            text, _ = part.text()
        if ctype == "text/html":
            html_only = True
            text = "[HTML part, shown as plain text]\n" + html_to_text(text)
        elif ctype in ("message/rfc822", "text/rfc822-headers"):
            text = "----- returned message -----\n" + text
        chunks.append(text.strip("\n"))
    body = "\n\n".join(chunks)
    truncated = len(body) > MAX_TEXT
    return {
        "headers": headers,
        "text": body[:MAX_TEXT],
        "truncated": truncated,
        "attachments": attachments,
        "had_html": html_only,
    }


def attachment(name: str | None, ctype: str, size: int) -> dict[str, Any]:
    suffix = PurePosixPath((name or "").lower().replace("\\", "/")).suffix
    executable = suffix in EXECUTABLE_SUFFIXES or ctype.lower() in EXECUTABLE_TYPES
    return {"name": name or "(no name)", "type": ctype, "size": size, "executable": executable}
