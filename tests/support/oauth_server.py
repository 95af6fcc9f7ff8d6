"""A small standards-conformant OAuth 2 authorization server on loopback, for the sign-in tests.

Built on oauthlib's server endpoints (a different implementation from the client's authlib, so
neither side can hide the other's mistakes): the authorization code grant with PKCE (RFC 7636,
required), loopback redirect URIs on any port (RFC 8252 section 7.3), refresh tokens rotated on
every use, the device authorization grant (RFC 8628), token introspection (RFC 7662, which the
test Dovecot calls for every XOAUTH2/OAUTHBEARER login), revocation (RFC 7009) and the metadata
document (RFC 8414). It speaks HTTPS with the test certificate, so the client's TLS checks run.

Why not Glewlwyd (Debian 12's packaged server, 2.7.5): it was tried. It does start headless
(the SQLite schema from its docs, its admin REST API to add an OIDC plugin instance with an
ES256 key, a scope, a user and the clients), but it matches redirect URIs exactly: its log says
"redirect_uri 'http://127.0.0.1:51234/' is invalid for the client" for a client registered with
`http://127.0.0.1/`, so the random-port loopback redirect of RFC 8252 section 7.3 (what Google
and Microsoft accept, and what ndrguard does) cannot be signed in with; and the authorization
request of a user with a session and a recorded grant still lands on its JavaScript login page.

The test controls what a real provider decides on its own: `access_lifetime` (how long tokens
really live), `announced_lifetime` (what the token answer claims, to make a client trust a
token the server already considers dead), `revoke_user` (the user or an admin revoked the
grant), and it counts what happened (`introspections`, `refreshes`, `refused`).

A code used twice is refused and every token issued from it revoked (RFC 6749 section 4.1.2).
"""

from __future__ import annotations

import base64
import html
import http.server
import json
import secrets
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from oauthlib.common import Request
from oauthlib.oauth2 import RequestValidator, Server
from oauthlib.oauth2.rfc6749 import errors as oauth_errors
from oauthlib.oauth2.rfc8628.endpoints import DeviceAuthorizationEndpoint
from oauthlib.oauth2.rfc8628.grant_types import DeviceCodeGrant

from tests.support.dovecot import Certificate
from tests.support.procs import LOOPBACK_V4

SCOPES = ("imap", "offline_access")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CODE_LIFETIME = 60.0


@dataclass(slots=True)
class Client:
    client_id: str
    secret: str | None = None  # None: a public client (a desktop app)
    grants: tuple[str, ...] = ("authorization_code", "refresh_token", DEVICE_GRANT)


@dataclass(slots=True)
class Token:
    value: str
    kind: str  # "access_token" or "refresh_token"
    user: str
    client_id: str
    scopes: list[str]
    grant: str  # tokens of one sign-in share this; revoking one revokes the grant
    expires_at: float | None
    active: bool = True


@dataclass(slots=True)
class Code:
    client_id: str
    user: str
    scopes: list[str]
    redirect_uri: str
    challenge: str
    method: str
    expires_at: float
    grant: str
    used: bool = False


@dataclass(slots=True)
class DeviceRequest:
    client_id: str
    user_code: str
    scopes: list[str]
    expires_at: float
    user: str | None = None
    denied: bool = False
    used: bool = False


@dataclass(slots=True)
class Store:
    users: dict[str, str]
    clients: dict[str, Client]
    tokens: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    devices: dict[str, DeviceRequest] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)


class Validator(RequestValidator):
    """oauthlib's hooks, answered from the in-memory Store."""

    def __init__(self, owner: OAuthServer) -> None:
        self.o = owner
        self.s = owner.store

    # -- clients -----------------------------------------------------------------------

    def _credentials(self, request: Request) -> tuple[str | None, str | None]:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            return urllib.parse.unquote(user), urllib.parse.unquote(password)
        return request.client_id, getattr(request, "client_secret", None)

    def client_authentication_required(self, request: Request, *args: Any, **kwargs: Any
                                       ) -> bool:  # fmt: skip
        client_id, _ = self._credentials(request)
        client = self.s.clients.get(client_id or "")
        return client is None or client.secret is not None

    def authenticate_client(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        client_id, secret = self._credentials(request)
        client = self.s.clients.get(client_id or "")
        if client is None or client.secret is None or secret is None:
            return False
        if not secrets.compare_digest(client.secret, secret):
            return False
        request.client = client
        request.client_id = client.client_id
        return True

    def authenticate_client_id(self, client_id: str, request: Request, *args: Any,
                               **kwargs: Any) -> bool:  # fmt: skip
        client = self.s.clients.get(client_id or "")
        if client is None or client.secret is not None:
            return False
        request.client = client
        return True

    def validate_client_id(self, client_id: str, request: Request, *args: Any, **kwargs: Any
                           ) -> bool:  # fmt: skip
        return client_id in self.s.clients

    def validate_grant_type(self, client_id: str, grant_type: str, client: Client,
                            request: Request, *args: Any, **kwargs: Any) -> bool:  # fmt: skip
        return grant_type in client.grants

    # -- the authorization request -----------------------------------------------------

    def validate_redirect_uri(self, client_id: str, redirect_uri: str, request: Request,
                              *args: Any, **kwargs: Any) -> bool:  # fmt: skip
        parts = urllib.parse.urlsplit(redirect_uri)
        # RFC 8252 section 7.3: the loopback IP literal, any port, registered without one.
        return (parts.scheme == "http" and parts.hostname == "127.0.0.1"
                and parts.port is not None and parts.path == "/")  # fmt: skip

    def get_default_redirect_uri(self, client_id: str, request: Request, *args: Any,
                                 **kwargs: Any) -> str | None:  # fmt: skip
        return None

    def validate_response_type(self, client_id: str, response_type: str, client: Client,
                               request: Request, *args: Any, **kwargs: Any) -> bool:  # fmt: skip
        return response_type == "code"

    def validate_scopes(self, client_id: str, scopes: list[str], client: Client,
                        request: Request, *args: Any, **kwargs: Any) -> bool:  # fmt: skip
        return bool(scopes) and all(s in SCOPES for s in scopes)

    def get_default_scopes(self, client_id: str, request: Request, *args: Any, **kwargs: Any
                           ) -> list[str]:  # fmt: skip
        return ["imap"]

    def is_pkce_required(self, client_id: str, request: Request) -> bool:
        return True

    def save_authorization_code(self, client_id: str, code: dict[str, str], request: Request,
                                *args: Any, **kwargs: Any) -> None:  # fmt: skip
        with self.s.lock:
            self.s.codes[code["code"]] = Code(
                client_id=client_id, user=request.user, scopes=list(request.scopes),
                redirect_uri=request.redirect_uri, challenge=request.code_challenge,
                method=request.code_challenge_method or "plain",
                expires_at=time.time() + CODE_LIFETIME, grant=secrets.token_hex(8),
            )  # fmt: skip

    def get_code_challenge(self, code: str, request: Request) -> str | None:
        found = self.s.codes.get(code)
        return found.challenge if found else None

    def get_code_challenge_method(self, code: str, request: Request) -> str | None:
        found = self.s.codes.get(code)
        return found.method if found else None

    # -- the token request ---------------------------------------------------------------

    def validate_code(self, client_id: str, code: str, client: Client, request: Request,
                      *args: Any, **kwargs: Any) -> bool:  # fmt: skip
        with self.s.lock:
            found = self.s.codes.get(code)
            if found is None or found.client_id != client.client_id:
                return False
            if found.used:
                # RFC 6749 4.1.2: a replayed code is refused, and what it gave is revoked.
                self.o.refused["replayed code"] += 1
                self._revoke_grant(found.grant)
                return False
            if time.time() > found.expires_at:
                return False
            request.user = found.user
            request.scopes = found.scopes
            request.grant_id = found.grant
            return True

    def confirm_redirect_uri(self, client_id: str, code: str, redirect_uri: str,
                             client: Client, request: Request, *args: Any,
                             **kwargs: Any) -> bool:  # fmt: skip
        found = self.s.codes.get(code)
        return found is not None and found.redirect_uri == redirect_uri

    def invalidate_authorization_code(self, client_id: str, code: str, request: Request,
                                      *args: Any, **kwargs: Any) -> None:  # fmt: skip
        with self.s.lock:
            self.s.codes[code].used = True

    def validate_refresh_token(self, refresh_token: str, client: Client, request: Request,
                               *args: Any, **kwargs: Any) -> bool:  # fmt: skip
        with self.s.lock:
            found = self.s.tokens.get(refresh_token)
            ok = (found is not None and found.kind == "refresh_token" and found.active
                  and found.client_id == client.client_id)  # fmt: skip
            if not ok:
                self.o.refused["refresh"] += 1
                return False
            assert found is not None
            request.user = found.user
            request.grant_id = found.grant
            return True

    def get_original_scopes(self, refresh_token: str, request: Request, *args: Any,
                            **kwargs: Any) -> list[str]:  # fmt: skip
        return list(self.s.tokens[refresh_token].scopes)

    def rotate_refresh_token(self, request: Request) -> bool:
        return True

    def validate_device_code(self, client_id: str, code: str, request: Request, *args: Any,
                             **kwargs: Any) -> str | None:  # fmt: skip
        with self.s.lock:
            found = self.s.devices.get(code)
            if found is None or found.used or found.client_id != client_id:
                return None
            if time.time() > found.expires_at:
                return DeviceCodeGrant.DEVICE_CODE_EXPIRED
            if found.denied:
                return DeviceCodeGrant.DEVICE_CODE_DENIED
            if found.user is None:
                return DeviceCodeGrant.DEVICE_CODE_PENDING
            found.used = True
            request.user = found.user
            request.scopes = found.scopes
            request.grant_id = secrets.token_hex(8)
            return DeviceCodeGrant.DEVICE_CODE_AUTHORIZED

    def save_bearer_token(self, token: dict[str, Any], request: Request, *args: Any,
                          **kwargs: Any) -> None:  # fmt: skip
        now = time.time()
        grant = getattr(request, "grant_id", None) or secrets.token_hex(8)
        with self.s.lock:
            if request.grant_type == "refresh_token":
                self.o.refreshes += 1
                self.s.tokens[request.refresh_token].active = False  # rotated
            scopes = list(request.scopes)
            self.s.tokens[token["access_token"]] = Token(
                token["access_token"], "access_token", request.user, request.client_id,
                scopes, grant, now + self.o.access_lifetime,
            )  # fmt: skip
            if "refresh_token" in token:
                self.s.tokens[token["refresh_token"]] = Token(
                    token["refresh_token"], "refresh_token", request.user, request.client_id,
                    scopes, grant, None,
                )  # fmt: skip
            self.o.issued.append(token["access_token"])

    # -- introspection and revocation ------------------------------------------------------

    def introspect_token(self, token: str, token_type_hint: str | None, request: Request,
                         *args: Any, **kwargs: Any) -> dict[str, Any] | None:  # fmt: skip
        with self.s.lock:
            self.o.introspections += 1
            found = self.s.tokens.get(token)
            if found is None or not found.active:
                return None
            if found.expires_at is not None and time.time() > found.expires_at:
                return None
            claims: dict[str, Any] = {
                "active": True, "username": found.user, "sub": found.user,
                "client_id": found.client_id, "scope": " ".join(found.scopes),
                "token_type": "Bearer" if found.kind == "access_token" else "refresh_token",
            }  # fmt: skip
            if found.expires_at is not None:
                claims["exp"] = int(found.expires_at)
            return claims

    def revoke_token(self, token: str, token_type_hint: str | None, request: Request,
                     *args: Any, **kwargs: Any) -> None:  # fmt: skip
        with self.s.lock:
            found = self.s.tokens.get(token)
            if found is None or found.client_id != request.client_id:
                return  # RFC 7009 2.2: an unknown token is answered 200 all the same
            if found.kind == "refresh_token":
                self._revoke_grant(found.grant)  # RFC 7009 2.1: the access tokens go too
            else:
                found.active = False

    def _revoke_grant(self, grant: str) -> None:
        for t in self.s.tokens.values():
            if t.grant == grant:
                t.active = False


class OAuthServer:
    """The server, its HTTPS listener on a random loopback port, and the test's controls."""

    def __init__(
        self,
        certificate: Certificate,
        *,
        users: dict[str, str] | None = None,
        clients: dict[str, str | None] | None = None,
        access_lifetime: float = 3600.0,
    ) -> None:
        self.certificate = certificate
        self.store = Store(
            users=dict(users or {"alice@example.test": "alice-oauth-password"}),
            clients={cid: Client(cid, secret) for cid, secret in
                     (clients or {"ndrguard-desktop": None}).items()},
        )  # fmt: skip
        # The resource server (Dovecot) authenticates at the introspection endpoint.
        self.introspector = Client("dovecot", secrets.token_urlsafe(16), grants=())
        self.store.clients[self.introspector.client_id] = self.introspector
        self.access_lifetime = access_lifetime
        self.announced_lifetime: float | None = None  # None: the truth
        self.introspections = 0
        self.refreshes = 0
        self.refused: dict[str, int] = {"replayed code": 0, "refresh": 0, "login": 0}
        self.issued: list[str] = []
        self.validator = Validator(self)
        self.server = Server(self.validator, token_expires_in=self._announced)
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    def _announced(self, request: Request) -> int:
        return int(self.announced_lifetime or self.access_lifetime)

    @property
    def base(self) -> str:
        return f"https://{LOOPBACK_V4}:{self.port}"

    @property
    def device_endpoint(self) -> DeviceAuthorizationEndpoint:
        return DeviceAuthorizationEndpoint(
            self.validator, verification_uri=self.base + "/device", interval=1,
            verification_uri_complete=lambda code: f"{self.base}/device?user_code={code}",
            user_code_generator=lambda: "-".join(secrets.token_hex(2).upper() for _ in (1, 2)),
        )  # fmt: skip

    def introspection_url(self) -> str:
        """The URL Dovecot posts tokens to, with its client credentials as userinfo."""
        c = self.introspector
        return f"https://{c.client_id}:{c.secret}@{LOOPBACK_V4}:{self.port}/introspect"

    def metadata(self) -> dict[str, Any]:
        b = self.base
        return {
            "issuer": b,
            "authorization_endpoint": b + "/authorize",
            "token_endpoint": b + "/token",
            "device_authorization_endpoint": b + "/device_authorization",
            "revocation_endpoint": b + "/revoke",
            "introspection_endpoint": b + "/introspect",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", DEVICE_GRANT],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none", "client_secret_post",
                                                      "client_secret_basic"],
            "scopes_supported": list(SCOPES),
        }  # fmt: skip

    # -- controls --------------------------------------------------------------------------

    def revoke_user(self, user: str) -> int:
        """Revoke every grant of `user` (they removed the app's access); how many tokens."""
        n = 0
        with self.store.lock:
            for t in self.store.tokens.values():
                if t.user == user and t.active:
                    t.active = False
                    n += 1
        return n

    def approve_device(self, user_code: str, user: str, password: str) -> bool:
        """What the user does on the verification page: enter the code and sign in."""
        with self.store.lock:
            if self.store.users.get(user) != password:
                self.refused["login"] += 1
                return False
            for d in self.store.devices.values():
                if d.user_code == user_code and not d.used and time.time() < d.expires_at:
                    d.user = user
                    return True
        return False

    def active_tokens(self, user: str) -> list[Token]:
        with self.store.lock:
            return [t for t in self.store.tokens.values() if t.user == user and t.active]

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> OAuthServer:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate.cert, self.certificate.key)
        self._httpd = http.server.ThreadingHTTPServer((LOOPBACK_V4, 0), _handler(self))
        self._httpd.daemon_threads = True
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.1}, name="oauth-server")
        self._thread.start()
        return self

    def close(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> OAuthServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.close()


def _handler(o: OAuthServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _body(self) -> str:
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n).decode() if n else ""

        def _send(self, status: int, body: str | bytes, headers: dict[str, str] | None = None,
                  kind: str = "application/json") -> None:  # fmt: skip
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            hdrs = {"Content-Type": kind, "Cache-Control": "no-store", **(headers or {})}
            for k, v in hdrs.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _oauth(self, answer: tuple[dict[str, str], Any, int]) -> None:
            headers, body, status = answer
            if isinstance(body, dict):
                body = json.dumps(body)
            self._send(status, body or "", headers)

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path in ("/.well-known/oauth-authorization-server",
                        "/.well-known/openid-configuration"):  # fmt: skip
                self._send(200, json.dumps(o.metadata()))
            elif path == "/authorize":
                self._authorize_page(query)
            elif path == "/device":
                code = dict(urllib.parse.parse_qsl(query)).get("user_code", "")
                self._form("/device", {"user_code": code}, "Enter the code and sign in",
                           ask_code=True)  # fmt: skip
            else:
                self._send(404, "{}")

        def do_POST(self) -> None:
            uri = o.base + self.path
            body = self._body()
            headers = dict(self.headers.items())
            if self.path == "/token":
                self._oauth(o.server.create_token_response(uri, "POST", body, headers))
            elif self.path == "/introspect":
                self._oauth(o.server.create_introspect_response(uri, "POST", body, headers))
            elif self.path == "/revoke":
                self._oauth(o.server.create_revocation_response(uri, "POST", body, headers))
            elif self.path == "/device_authorization":
                self._device_authorization(uri, body, headers)
            elif self.path == "/authorize":
                self._authorize(dict(urllib.parse.parse_qsl(body)))
            elif self.path == "/device":
                f = dict(urllib.parse.parse_qsl(body))
                ok = o.approve_device(f.get("user_code", ""), f.get("username", ""),
                                      f.get("password", ""))  # fmt: skip
                self._send(200 if ok else 403, "approved" if ok else "refused", kind="text/plain")
            else:
                self._send(404, "{}")

        def _authorize_page(self, query: str) -> None:
            try:
                o.server.validate_authorization_request(f"{o.base}/authorize?{query}")
            except oauth_errors.OAuth2Error as err:
                self._send(400, f"invalid authorization request: {err.error}",
                           kind="text/plain")  # fmt: skip
                return
            self._form("/authorize", {"request": query}, "Sign in to the test provider")

        def _authorize(self, form: dict[str, str]) -> None:
            user, password = form.get("username", ""), form.get("password", "")
            if o.store.users.get(user) != password:
                o.refused["login"] += 1
                self._send(403, "wrong user name or password", kind="text/plain")
                return
            uri = f"{o.base}/authorize?{form.get('request', '')}"
            try:
                scopes, _ = o.server.validate_authorization_request(uri)
                headers, _, status = o.server.create_authorization_response(
                    uri, scopes=scopes, credentials={"user": user})
            except oauth_errors.OAuth2Error as err:
                self._send(400, f"invalid authorization request: {err.error}",
                           kind="text/plain")  # fmt: skip
                return
            self._send(status, "", headers, kind="text/plain")

        def _device_authorization(self, uri: str, body: str, headers: dict[str, str]) -> None:
            hdrs, data, status = o.device_endpoint.create_device_authorization_response(
                uri, "POST", body, headers)  # fmt: skip
            if status == 200 and isinstance(data, dict):
                client_id = dict(urllib.parse.parse_qsl(body)).get("client_id", "")
                with o.store.lock:
                    o.store.devices[data["device_code"]] = DeviceRequest(
                        client_id, data["user_code"], (data.get("scope") or "imap").split(),
                        time.time() + float(data["expires_in"]))  # fmt: skip
            self._oauth((hdrs, data, status))

        def _form(self, action: str, hidden: dict[str, str], title: str,
                  ask_code: bool = False) -> None:  # fmt: skip
            fields = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in hidden.items() if not (ask_code and k == "user_code")
            )
            if ask_code:
                code = html.escape(hidden.get("user_code", ""))
                fields += f'<input name="user_code" value="{code}">'
            page = (f"<!doctype html><title>{title}</title><form method=post "
                    f'action="{action}">{fields}<input name="username">'
                    '<input type="password" name="password"><button>Sign in</button></form>')
            self._send(200, page, kind="text/html; charset=utf-8")

    return Handler
