"""The large providers' IMAP servers, by the domain of the address or of its MX hosts.

A table beats any lookup for these: most of them publish neither RFC 6186 SRV records nor an
autoconfig document, and several domains (googlemail.com, hotmail.de, me.com ...) share one
server. `sent` is the Sent folder's usual name, for the user's information: ndrguard finds it
by SPECIAL-USE \\Sent, whatever the language of the account, and every server listed here
marks it. `oauth` names the sign-in profile (oauth/providers.py) where the provider wants
OAuth; where it is None the account logs in with a password (an app password, mostly).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KnownProvider:
    title: str
    host: str
    port: int = 993
    security: str = "tls"
    oauth: str | None = None  # the OAuth profile, where the provider wants OAuth
    sent: str = "Sent"
    note: str = ""


GOOGLE = KnownProvider("Gmail / Google Workspace", "imap.gmail.com", oauth="google",
                       sent="[Gmail]/Sent Mail",
                       note="OAuth, or an app password where 2-step verification is on")
MICROSOFT = KnownProvider("Outlook.com / Microsoft 365", "outlook.office365.com",
                          oauth="microsoft", sent="Sent Items",
                          note="OAuth only: password logins are refused")
YAHOO = KnownProvider("Yahoo Mail", "imap.mail.yahoo.com", sent="Sent",
                      note="an app password (Yahoo's OAuth for IMAP needs Yahoo's approval)")
AOL = KnownProvider("AOL Mail", "imap.aol.com", sent="Sent", note="an app password")
ICLOUD = KnownProvider("iCloud Mail", "imap.mail.me.com", sent="Sent Messages",
                       note="an app-specific password (appleid.apple.com)")
FASTMAIL = KnownProvider("Fastmail", "imap.fastmail.com", sent="Sent",
                         note="an app password (Settings, Privacy & Security)")
GMX = KnownProvider("GMX", "imap.gmx.net", sent="Gesendet",
                    note="IMAP must be switched on in the web mail settings")
WEBDE = KnownProvider("WEB.DE", "imap.web.de", sent="Gesendet",
                      note="IMAP must be switched on in the web mail settings")
ZOHO = KnownProvider("Zoho Mail", "imap.zoho.com", sent="Sent",
                     note="IMAP must be switched on; an app password with 2FA")
YANDEX = KnownProvider("Yandex Mail", "imap.yandex.com", sent="Sent",
                       note="an app password; IMAP switched on in the settings")
MAILRU = KnownProvider("Mail.ru", "imap.mail.ru", sent="Отправленные",
                       note="an app password for external mail programs")

BY_DOMAIN: dict[str, KnownProvider] = {
    **dict.fromkeys(("gmail.com", "googlemail.com"), GOOGLE),
    **dict.fromkeys(("outlook.com", "hotmail.com", "live.com", "msn.com", "passport.com",
                     "outlook.de", "outlook.fr", "hotmail.de", "hotmail.fr", "hotmail.co.uk",
                     "hotmail.it", "hotmail.es", "live.de", "live.fr", "live.co.uk",
                     "live.nl", "live.it"), MICROSOFT),
    **dict.fromkeys(("yahoo.com", "yahoo.de", "yahoo.fr", "yahoo.co.uk", "yahoo.co.jp",
                     "yahoo.es", "yahoo.it", "ymail.com", "rocketmail.com"), YAHOO),
    **dict.fromkeys(("aol.com", "aol.de", "aim.com"), AOL),
    **dict.fromkeys(("icloud.com", "me.com", "mac.com"), ICLOUD),
    **dict.fromkeys(("fastmail.com", "fastmail.fm"), FASTMAIL),
    **dict.fromkeys(("gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.com"), GMX),
    "web.de": WEBDE,
    **dict.fromkeys(("zoho.com", "zohomail.com", "zoho.eu"), ZOHO),
    **dict.fromkeys(("yandex.ru", "yandex.com", "ya.ru", "yandex.by", "yandex.kz"), YANDEX),
    **dict.fromkeys(("mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru"), MAILRU),
}  # fmt: skip

# Hosted domains are recognised by where their mail is delivered: an office on Microsoft 365
# has MX DOMAIN-TLD.mail.protection.outlook.com, one on Google Workspace aspmx.l.google.com.
BY_MX_SUFFIX: tuple[tuple[str, KnownProvider], ...] = (
    (".mail.protection.outlook.com", MICROSOFT),
    (".google.com", GOOGLE),
    (".googlemail.com", GOOGLE),
    (".messagingengine.com", FASTMAIL),
    (".zoho.com", ZOHO),
    (".zoho.eu", ZOHO),
    (".yandex.net", YANDEX),
    (".yandex.ru", YANDEX),
)


def by_mx(hosts: list[str]) -> KnownProvider | None:
    for host in hosts:
        name = host.lower().rstrip(".")
        for suffix, provider in BY_MX_SUFFIX:
            if name.endswith(suffix):
                return provider
    return None
