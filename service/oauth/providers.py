"""Where each provider's OAuth 2 endpoints are, and what an account's `oauth` table says.

A profile holds what every user of a provider shares (endpoints, the IMAP scope, the IMAP
server); the account's table adds what is the user's or their office's: the client ID of the
app registration, the Microsoft tenant, and for a generic provider the endpoints or the issuer
whose discovery document (RFC 8414, or OpenID Connect discovery) names them. No client ID can
be shipped: each user or office registers one (docs/oauth.md says how).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

DISCOVERY_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    title: str
    authorization_url: str = ""
    token_url: str = ""
    device_url: str = ""
    revocation_url: str = ""
    scope: str = ""
    # Parameters the authorization request needs beyond RFC 6749's: Google hands out a refresh
    # token only with access_type=offline, and only on consent.
    extra: Mapping[str, str] = field(default_factory=dict)
    imap_host: str = ""
    mechanism: str = "xoauth2"


# Microsoft's URLs carry the tenant: "common" (any work or personal account), "organizations",
# "consumers", or the office's own tenant ID or domain.
_MS = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0"

PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "google", "Google (Gmail, Workspace)",
            authorization_url="https://accounts.google.com/o/oauth2/v2/auth",
            token_url="https://oauth2.googleapis.com/token",
            device_url="https://oauth2.googleapis.com/device/code",
            revocation_url="https://oauth2.googleapis.com/revoke",
            scope="https://mail.google.com/",
            extra={"access_type": "offline", "prompt": "consent"},
            imap_host="imap.gmail.com",
        ),
        Profile(
            "microsoft", "Microsoft (Outlook.com, Microsoft 365)",
            authorization_url=_MS + "/authorize",
            token_url=_MS + "/token",
            device_url=_MS + "/devicecode",
            scope="https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
            imap_host="outlook.office365.com",
        ),
        Profile(
            "yahoo", "Yahoo Mail",
            authorization_url="https://api.login.yahoo.com/oauth2/request_auth",
            token_url="https://api.login.yahoo.com/oauth2/get_token",
            scope="mail-w",
            imap_host="imap.mail.yahoo.com",
        ),
        Profile(
            "aol", "AOL Mail",
            authorization_url="https://api.login.aol.com/oauth2/request_auth",
            token_url="https://api.login.aol.com/oauth2/get_token",
            scope="mail-w",
            imap_host="imap.aol.com",
        ),
        Profile("generic", "another provider (endpoints or issuer given)"),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class OAuthSettings:
    """The account's `oauth = { ... }` table. The client secret, if any, is in the keyring."""

    provider: str
    client_id: str
    tenant: str = "common"
    scope: str = ""  # empty: the profile's
    issuer: str = ""
    authorization_url: str = ""
    token_url: str = ""
    device_url: str = ""
    revocation_url: str = ""
    ca_file: Path | None = None  # a CA for the endpoints' HTTPS (an office's own CA)

    def to_table(self) -> dict[str, str]:
        """The settings that differ from the defaults, as the config's `oauth` table has them."""
        table = {"provider": self.provider, "client_id": self.client_id}
        for key in (*_URL_KEYS, "scope", "issuer"):
            if value := getattr(self, key):
                table[key] = value
        if self.provider == "microsoft" and self.tenant != "common":
            table["tenant"] = self.tenant
        if self.ca_file is not None:
            table["ca_file"] = str(self.ca_file)
        return table

    def to_toml(self) -> str:
        """The settings as a TOML inline table (one line: `account remove` edits by table)."""
        return "{ " + ", ".join(f"{k} = {_q(v)}" for k, v in self.to_table().items()) + " }"


_URL_KEYS = ("authorization_url", "token_url", "device_url", "revocation_url")
_KEYS = {"provider", "client_id", "tenant", "scope", "issuer", "ca_file", *_URL_KEYS}


def settings_from(raw: object, base: Path) -> OAuthSettings:
    """Check an `oauth` table; ValueError names the bad setting."""
    if not isinstance(raw, dict):
        raise ValueError("oauth must be a table, e.g. oauth = { provider = \"google\", ... }")
    for key in raw:
        if key not in _KEYS:
            raise ValueError(f"oauth: unknown setting {key!r}")
    if not all(isinstance(v, str) for v in raw.values()):
        raise ValueError("oauth: every setting must be a string")
    provider = raw.get("provider", "")
    if provider not in PROFILES:
        raise ValueError(f"oauth: provider must be one of {', '.join(PROFILES)}")
    if not raw.get("client_id"):
        raise ValueError(
            "oauth: client_id is missing (register an app with the provider: docs/oauth.md)"
        )
    for key in (*_URL_KEYS, "issuer"):
        if raw.get(key):
            check_url(raw[key], f"oauth: {key}")
    if provider == "generic" and not raw.get("issuer") and not (
        raw.get("token_url") and (raw.get("authorization_url") or raw.get("device_url"))
    ):
        raise ValueError(
            "oauth: a generic provider needs issuer, or token_url and authorization_url "
            "(or device_url)"
        )
    ca = raw.get("ca_file")
    return OAuthSettings(
        provider=provider,
        client_id=raw["client_id"],
        tenant=raw.get("tenant") or "common",
        scope=raw.get("scope", ""),
        issuer=raw.get("issuer", ""),
        ca_file=(base / Path(ca).expanduser()) if ca else None,
        **{k: raw.get(k, "") for k in _URL_KEYS},
    )


def check_url(url: str, what: str) -> None:
    """Endpoints are HTTPS: a token sent in the clear is a mailbox handed over."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"{what} must be an https:// URL, not {url!r}")


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Everything a sign-in or a refresh needs to talk to the provider."""

    authorization_url: str
    token_url: str
    device_url: str
    revocation_url: str
    scope: str
    extra: Mapping[str, str]
    # How the client secret goes to the token endpoint, when there is one (RFC 6749 2.3.1).
    auth_method: str = "client_secret_post"


def endpoints(settings: OAuthSettings, http: requests.Session | None = None) -> Endpoints:
    """The endpoints for `settings`: the profile's, the config's, or the issuer's document.

    Values in the config win over the profile's and the discovery document's, so a user can
    always correct one.
    """
    profile = PROFILES[settings.provider]
    found: dict[str, Any] = {}
    if settings.issuer:
        found = discover(settings.issuer, settings.ca_file, http)
    methods = found.get("token_endpoint_auth_methods_supported") or []

    def pick(key: str, doc_key: str) -> str:
        value = getattr(settings, key) or str(found.get(doc_key) or "") or getattr(profile, key)
        return value.replace("{tenant}", urllib.parse.quote(settings.tenant, safe=""))

    scope = settings.scope or profile.scope
    if not scope:
        raise ValueError("oauth: scope is missing (the IMAP scope your provider documents)")
    result = Endpoints(
        authorization_url=pick("authorization_url", "authorization_endpoint"),
        token_url=pick("token_url", "token_endpoint"),
        device_url=pick("device_url", "device_authorization_endpoint"),
        revocation_url=pick("revocation_url", "revocation_endpoint"),
        scope=scope,
        extra=profile.extra,
        auth_method=(
            "client_secret_basic"
            if methods and "client_secret_post" not in methods
            else "client_secret_post"
        ),
    )
    for key in _URL_KEYS:
        if value := getattr(result, key):
            check_url(value, key)
    if not result.token_url:
        raise ValueError(f"{settings.issuer}: the discovery document names no token endpoint")
    return result


def discover(issuer: str, ca_file: Path | None, http: requests.Session | None) -> dict[str, Any]:
    """The issuer's metadata: RFC 8414 first, then OpenID Connect discovery (which many
    providers serve alone); ValueError when neither answers with a matching document."""
    base = issuer.rstrip("/")
    parts = urllib.parse.urlsplit(base)
    # RFC 8414 section 3: the well-known part goes between the host and the issuer's path.
    candidates = [
        urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, "/.well-known/oauth-authorization-server" + parts.path,
             "", "")
        ),
        base + "/.well-known/openid-configuration",
    ]  # fmt: skip
    http = http or requests.Session()
    errors = []
    for url in candidates:
        try:
            reply = http.get(url, timeout=DISCOVERY_TIMEOUT, verify=_verify(ca_file))
            if reply.status_code != 200:
                errors.append(f"{url}: HTTP {reply.status_code}")
                continue
            doc = reply.json()
        except (requests.RequestException, json.JSONDecodeError) as err:
            errors.append(f"{url}: {err}")
            continue
        if not isinstance(doc, dict) or str(doc.get("issuer", "")).rstrip("/") != base:
            errors.append(f"{url}: the document is for another issuer")
            continue
        return doc
    raise ValueError(f"no discovery document for {issuer}: " + "; ".join(errors))


def _verify(ca_file: Path | None) -> bool | str:
    return str(ca_file) if ca_file is not None else True


def verify_for(settings: OAuthSettings) -> bool | str:
    """What requests' `verify` gets: always verified, against the office's CA if given."""
    return _verify(settings.ca_file)


def _q(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string
