"""A stored message as the summary window may show it: text only.

The tray app never renders a message. It gets from here a text view: a few headers, the text
parts, HTML reduced to text, and attachments named but never opened, executable types flagged.
Backscatter is spam by definition; its HTML, remote images and attachments are exactly what
must not be touched. (The facts of the bounce are stored with its verdict: ndrguard/facts.py.)
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from ndrguard import parse
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
