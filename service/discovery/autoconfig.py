"""The autoconfig document desktop mail clients read (Thunderbird's config-v1.1.xml): where it
is asked for, and what its IMAP server entry says.

Only `incomingServer type="imap"` entries matter here; the first one that ndrguard can use
wins, in the document's order (its authors list the preferred one first). The document comes
from the network, so it is read at most MAX_BYTES and parsed with the standard library's
expat, which refuses entity expansion bombs since Python 3.11's bundled expat 2.4.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

MAX_BYTES = 256 * 1024

# Where the document is asked for, in this order; {domain} and {address} are filled in.
URLS = (
    "https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={address}",
    "https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress={address}",
)

_SECURITY = {"SSL": "tls", "TLS": "tls", "STARTTLS": "starttls"}
_AUTH = {"password-cleartext": "login", "plain": "login", "OAuth2": "xoauth2"}


@dataclass(frozen=True, slots=True)
class ImapEntry:
    host: str
    port: int
    security: str
    auth: str
    username: str


def parse(document: bytes, address: str) -> ImapEntry | None:
    """The first usable IMAP server of the document, or None; ValueError if it is not XML."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as err:
        raise ValueError(f"not an autoconfig document: {err}") from err
    local, _, domain = address.partition("@")
    for server in root.iter("incomingServer"):
        if server.get("type") != "imap":
            continue
        host = (server.findtext("hostname") or "").strip()
        security = _SECURITY.get((server.findtext("socketType") or "").strip())
        auths = [_AUTH.get((a.text or "").strip()) for a in server.findall("authentication")]
        auth = next((a for a in auths if a), None)
        try:
            port = int((server.findtext("port") or "").strip())
        except ValueError:
            continue
        # Plain-text IMAP is never taken from a document: anyone on the path could have
        # written it.
        if not host or security is None or auth is None or not 0 < port < 65536:
            continue
        username = (server.findtext("username") or "%EMAILADDRESS%").strip()
        username = (username.replace("%EMAILADDRESS%", address)
                    .replace("%EMAILLOCALPART%", local).replace("%EMAILDOMAIN%", domain))
        return ImapEntry(host, port, security, auth, username)
    return None
