"""An IMAP account as a Mailbox: the thin connection layer over imapclient.

What it guarantees, and why:
- TLS is verified (system store or the account's CA file); plaintext only when the config says
  `security = "plain"`. Socket timeouts on connect and read, TCP keepalive and, on Linux,
  TCP_USER_TIMEOUT: without them a frozen server or a black-holed network hangs a read for ever.
- Messages are read with BODY.PEEK, so nothing the service reads is marked \\Seen.
- A move is UID MOVE where the server has MOVE; otherwise UID COPY, \\Deleted on those UIDs and
  UID EXPUNGE of those UIDs only (UIDPLUS). Without UIDPLUS the originals are flagged \\Deleted
  and left for the user's client: a plain EXPUNGE would remove other clients' deleted mail.
- IDLE is watched for every way it dies quietly: the rules are in liveness.py.

Every imapclient, socket and TLS error is converted at this boundary (`_boundary`) into the
typed errors of mailbox.py.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import imaplib
import logging
import select
import socket
import ssl
import struct
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import imapclient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from ndrguard.service.mailboxes.base import (
    PEEK_BYTES,
    AuthFailed,
    CannotConnect,
    CertificateRejected,
    Claims,
    ConnectionLost,
    FolderMissing,
    FolderStatus,
    Head,
    MailboxError,
    TlsMissing,
    byte_batches,
    fingerprint,
    looks_like_candidate,
)
from ndrguard.service.mailboxes.claims import claim_keyword, decide_claims, is_claim
from ndrguard.service.mailboxes.imap_parse import batches, classify_no, parse_copyuid, uid_set
from ndrguard.service.mailboxes.liveness import (
    IDLE_RENEW,
    IdleWatch,
    Keepalive,
    Outcome,
    resumes,
)
from ndrguard.service.settings.config import Account, normal_fingerprint
from ndrguard.service.settings.config_checks import loopback

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 15.0
# A person waiting on `account add|test` or the settings window's Test: a server that has not
# greeted within this has the wrong port or protocol far more often than it is slow.
INTERACTIVE_TIMEOUT = 6.0
# Each answer after the greeting and CAPABILITY (which imaplib reads under the connect
# timeout) up to "logged in": STARTTLS and LOGIN, capped by the account's read timeout. Not
# the connect timeout: Dovecot holds a failed login back for up to 15 s after repeated
# failures (its auth penalty), and that must reach the user as the wrong password it is, not
# as silence. A server that greets and then says nothing (a stuck proxy,
# an overloaded auth backend) is told within this, not after a minute of read timeout.
LOGIN_TIMEOUT = 20.0
# Keepalive probes after 8 s of quiet, every 3 s, and on Linux TCP_USER_TIMEOUT: data or a
# probe unacknowledged for USER_TIMEOUT ends the connection. While idle the kernel gives up
# at the second probe (KEEPIDLE + KEEPINTVL, about 11 s: tcp_keepalive_timer checks the user
# timeout once a probe is out); with a command in flight after USER_TIMEOUT. A live path
# acknowledges within a round trip even when the server is slow to answer, so 3 s without a
# single ACK (four transmissions lost in a row) is a dead path, not a slow server (a hung
# server is the read timeout's job).
KEEPALIVE = (("TCP_KEEPIDLE", 8), ("TCP_KEEPINTVL", 3), ("TCP_KEEPCNT", 3))
USER_TIMEOUT = 3.0

# errno -> (cause, words): what the kernel's error means for the user and for the retry.
_ERRNO_CAUSES = {
    errno.ETIMEDOUT: ("no-answer", "no answer from the server: the network path is dead "
                      "(nothing acknowledged for seconds)"),
    errno.ECONNRESET: ("reset", "the connection was reset (the server restarted, or a "
                       "router or NAT in between forgot the connection)"),
    errno.EPIPE: ("reset", "the connection was reset"),
    errno.ECONNREFUSED: ("refused", "the server refused the connection (is it running?)"),
    errno.EHOSTUNREACH: ("unreachable", "the network cannot reach the server (no route)"),
    errno.ENETUNREACH: ("unreachable", "the network cannot reach the server (no route)"),
    errno.ENETDOWN: ("unreachable", "the network is down"),
}  # fmt: skip


def tls_context(account: Account) -> ssl.SSLContext:
    """The CA chain (the system's, or `ca_file`) verifies the server; with `tls_fingerprint`
    the pinned digest does instead (check_pin, before anything is sent): a self-signed
    certificate has no chain, and its digest is what the user saw and accepted."""
    if account.tls_fingerprint:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=str(account.ca_file) if account.ca_file else None)


def check_pin(sock: socket.socket, pin: str) -> None:
    """CertificateRejected unless the peer's certificate has the pinned SHA-256 digest."""
    der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
    got = hashlib.sha256(der).hexdigest() if der else None
    if got != normal_fingerprint(pin):
        shown = f"sha256:{got}" if got else "none"
        raise CertificateRejected(
            f"the server's certificate is not the one pinned (tls_fingerprint): it has "
            f"{shown}; if the server's certificate was renewed, trust the new one in the "
            "settings window after checking it with the server's administrator"
        )


def peer_certificate(host: str, port: int, security: str, timeout: float = CONNECT_TIMEOUT
                     ) -> dict[str, str]:  # fmt: skip
    """The server's certificate, unverified, for the user to look at before trusting it:
    its SHA-256 fingerprint (and PEM text). Nothing but STARTTLS is sent."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    to = imapclient.SocketTimeout(connect=timeout, read=timeout)
    with _boundary():
        client = imapclient.IMAPClient(host, port=port, ssl=security == "tls",
                                       ssl_context=context, timeout=to)  # fmt: skip
        try:
            if security == "starttls":
                client.starttls(context)
            sock = client.socket()
            der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
        finally:
            with contextlib.suppress(Exception):
                client.shutdown()
    if not der:
        raise CertificateRejected(f"{host}:{port} showed no certificate")
    digest = hashlib.sha256(der).hexdigest().upper()
    return {
        "sha256": "sha256:" + ":".join(digest[i : i + 2] for i in range(0, 64, 2)),
        "pem": ssl.DER_cert_to_PEM_cert(der),
    }


def _boundary_error(err: BaseException) -> MailboxError:
    """The typed error for anything imapclient, the socket or TLS raised."""
    if isinstance(err, MailboxError):
        return err
    if isinstance(err, ssl.SSLCertVerificationError):
        return CertificateRejected(
            f"the server's certificate did not verify: {err.verify_message}. If the server "
            "uses a CA of its own (a company's, or a self-signed certificate), give that CA's "
            'file (`--ca-file FILE`, or "CA certificate file" in the settings), or trust the '
            'certificate by its fingerprint ("Trust this certificate" in the settings)'
        )
    if isinstance(err, LoginError):
        return AuthFailed(
            f"the server refused the login: {_server_words(err)}. Check the user name and "
            "the password (`ndrguard account edit NAME --password-stdin`, or Settings); a "
            "provider with two-step sign-in wants an app password or OAuth (docs/oauth.md)"
        )
    if isinstance(err, IMAPClientAbortError | imaplib.IMAP4.abort | OSError | EOFError):
        cause, words = _cause(err)
        return ConnectionLost(f"{words} ({_text(err)})", cause)
    if isinstance(err, IMAPClientError):
        text = _text(err)
        return classify_no(text)(f"the server said: {text}")
    return MailboxError(f"unexpected IMAP failure: {type(err).__name__}: {err}")


def setup_error(account: Account, err: BaseException, timeout: float) -> MailboxError:
    """Why no session could be set up, in words that name the fix: the one place the CLI,
    the API and the tray get these from (through the typed error's title and message)."""
    where = f"{account.host}:{account.port}"
    if isinstance(err, ssl.SSLCertVerificationError):
        return _boundary_error(err)
    if isinstance(err, socket.gaierror):
        return CannotConnect(
            f"cannot resolve host {account.host!r} ({err.strerror}): check the server name "
            "(--host, or Server in Settings) and that this machine has a network", "unreachable"
        )  # fmt: skip
    if isinstance(err, ConnectionRefusedError):
        return CannotConnect(
            f"nothing answers on {where} (connection refused): check the port (--port; "
            "IMAP over TLS is usually 993, STARTTLS 143) and that the server runs", "refused"
        )  # fmt: skip
    if isinstance(err, ssl.SSLError) and "WRONG_VERSION_NUMBER" in str(err):
        return CannotConnect(
            f"{where} answers plain IMAP, not TLS: use --security starttls (usually on port "
            "143), or the server's TLS port (usually 993)", "refused"
        )  # fmt: skip
    if isinstance(err, TimeoutError | socket.timeout):
        hint = (
            "; if this is a TLS port (usually 993), use --security tls"
            if account.security != "tls"
            else ""
        )
        return CannotConnect(
            # imaplib asks CAPABILITY straight after the greeting, under the same timeout.
            f"no IMAP greeting, or no answer to CAPABILITY after it, from {where} within "
            f"{timeout:g} s{hint}",
            "no-answer",
        )
    return _boundary_error(err)


def _server_words(err: BaseException) -> str:
    """The server's text without Python's b'...' wrapping (imaplib hands bytes on)."""
    text = _text(err)
    arg = err.args[0] if err.args else None
    if isinstance(arg, bytes):
        text = arg.decode("utf-8", "replace")
    elif text.startswith(("b'", 'b"')) and text.endswith(text[1]):
        text = text[2:-1]
    return text.strip().rstrip(".") or "no reason given"


def _text(err: BaseException) -> str:
    return str(err) or type(err).__name__


def _cause(err: BaseException) -> tuple[str, str]:
    """What a lost connection's error says happened: the root OSError's errno where there is
    one (imaplib wraps send errors in `abort` with the text only, so its words are read too)."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, TimeoutError | socket.timeout) and seen.errno is None:
            return "no-answer", "no answer from the server within the read timeout (hung?)"
        if isinstance(seen, OSError) and seen.errno in _ERRNO_CAUSES:
            return _ERRNO_CAUSES[seen.errno]
        seen = seen.__cause__ or seen.__context__
    text = _text(err).lower()
    if "timed out" in text:
        return "no-answer", "no answer from the server"
    if "reset" in text or "broken pipe" in text:
        return _ERRNO_CAUSES[errno.ECONNRESET]
    if "eof" in text:
        return "closed", "the server closed the connection"
    return "unknown", "the connection to the server was lost"


def socket_fate(sock: socket.socket) -> ConnectionLost | None:
    """Why the socket under an IDLE died, if it did; None while it may be alive.

    imapclient's idle_check swallows socket errors and EOF alike and answers `[]`, so the
    error (ETIMEDOUT from TCP_USER_TIMEOUT, ECONNRESET from a NAT reset) is read here first:
    the kernel keeps it in SO_ERROR until read, and a FIN shows as an empty peek at the raw
    bytes (under TLS too: the peek does not consume anything).
    """
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return ConnectionLost("the connection to the server was lost", "unknown")
    if not readable:
        return None
    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if code:
        cause, words = _ERRNO_CAUSES.get(code, ("unknown", "the connection was lost"))
        return ConnectionLost(f"{words} ({errno.errorcode.get(code, code)})", cause)
    try:
        peeked = socket.socket.recv(sock, 1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return None
    except OSError as err:
        cause, words = _ERRNO_CAUSES.get(err.errno or 0, ("unknown", "the connection was lost"))
        return ConnectionLost(f"{words} ({_text(err)})", cause)
    if peeked == b"":
        return not_a_fin(sock) or ConnectionLost("the server closed the connection", "closed")
    return None


TCP_CLOSE = 7  # tcp_states.h: after a reset or a timeout; a FIN received leaves CLOSE_WAIT


def not_a_fin(sock: socket.socket) -> ConnectionLost | None:
    """What really ended a connection that reads as EOF, when it was not the server's FIN.

    The error itself (ETIMEDOUT, ECONNRESET) is reported to the first read only, and TLS and
    imaplib turn it into "EOF"; the kernel's TCP_INFO still tells: a FIN leaves CLOSE_WAIT,
    an error CLOSE, and `tcpi_last_ack_recv` (ms since the last ACK) says whether the path
    had gone silent (no answer) or something answered with a reset.
    """
    if not hasattr(socket, "TCP_INFO"):
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 60)
    except OSError:
        return None
    if len(info) < 60 or info[0] != TCP_CLOSE:
        return None
    (last_ack_ms,) = struct.unpack_from("I", info, 56)
    if last_ack_ms >= USER_TIMEOUT * 1000 * 0.8:
        return ConnectionLost(
            f"{_ERRNO_CAUSES[errno.ETIMEDOUT][1]} (last answer {last_ack_ms / 1000:.0f} s ago)",
            "no-answer",
        )
    return ConnectionLost(_ERRNO_CAUSES[errno.ECONNRESET][1], "reset")


@contextlib.contextmanager
def _boundary() -> Iterator[None]:
    try:
        yield
    except (IMAPClientError, OSError, EOFError) as err:
        raise _boundary_error(err) from err


class ImapMailbox:
    """One logged-in IMAP connection. Not thread-safe; one worker owns it."""

    def __init__(
        self, client: imapclient.IMAPClient, account: Account, keepalive: Keepalive | None = None
    ) -> None:
        self._c = client
        # INTERNALDATE with its zone, not converted to naive local time: it is compared with
        # the expiry day of BATV tags.
        client.normalise_times = False
        self.account = account
        self.keepalive = keepalive or Keepalive()
        self.caps = {c.decode().upper() if isinstance(c, bytes) else c.upper()
                     for c in client.capabilities()}  # fmt: skip
        self._selected: str | None = None
        self.pushes = "IDLE" in self.caps
        self._lost = False
        # The process's gaps (a sleep, a stop) counted before this session: one after it makes
        # the session suspect wherever it came, in a pass as well as in IDLE.
        self._resumes = resumes()
        self._resume_mark = self._resumes.mark()
        self._claims_refused = False  # the server would not store a claim keyword
        # Wall-clock time after which this session should be replaced by a fresh login (an
        # OAuth access token about to expire; see oauth/login.py); None: never.
        self.renew_at: float | None = None

    @classmethod
    def connect(
        cls,
        account: Account,
        secret: str,
        keepalive: Keepalive | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> ImapMailbox:
        """Log in with the password, or the access token for auth = xoauth2/oauthbearer;
        `keepalive` carries what an earlier connection learnt about the server."""
        context = None
        if account.security != "plain":
            context = tls_context(account)
        elif not (account.allow_plain_over_network or loopback(account.host)):
            # The config refuses this too; checked again here, where the password would leave,
            # for an Account made in code (the settings window's test, `account add`).
            raise TlsMissing(
                f'security = "plain" would send the password to {account.host} unencrypted; '
                "use tls or starttls, or confirm with allow_plain_over_network = true "
                "(`account add --allow-plain-over-network`). Nothing was sent."
            )
        timeout = imapclient.SocketTimeout(connect=connect_timeout, read=account.timeout_seconds)
        with _boundary():
            try:
                client = imapclient.IMAPClient(
                    account.host,
                    port=account.port,
                    ssl=account.security == "tls",
                    ssl_context=context,
                    timeout=timeout,
                )
            except Exception as err:
                raise setup_error(account, err, connect_timeout) from err
            wait = min(LOGIN_TIMEOUT, account.timeout_seconds)
            step = "STARTTLS"
            try:
                client.socket().settimeout(wait)
                if account.security == "starttls":
                    # Checked here, before anything is sent: never a login in plain text
                    # because someone in between deleted STARTTLS from the capabilities.
                    if not client.has_capability("STARTTLS"):
                        raise TlsMissing(
                            f"{account.host} did not offer STARTTLS, which this account "
                            'requires (security = "starttls"); a relay in between may have '
                            "removed it. Nothing was sent; the password stays unsaid."
                        )
                    client.starttls(context)
                if account.tls_fingerprint:
                    check_pin(client.socket(), account.tls_fingerprint)
                _tune_socket(client.socket())
                step = "AUTHENTICATE" if account.auth in ("xoauth2", "oauthbearer") else "LOGIN"
                if account.auth == "xoauth2":
                    client.oauth2_login(account.username, secret)
                elif account.auth == "oauthbearer":
                    client.oauthbearer_login(account.username, secret)
                else:
                    client.login(account.username, secret)
                client.socket().settimeout(account.timeout_seconds)
            except TimeoutError as err:
                with contextlib.suppress(Exception):
                    client.shutdown()
                raise CannotConnect(
                    f"{account.host}:{account.port} greeted, then did not answer {step} within"
                    f" {wait:g} s: the server, or a proxy in between, is stuck",
                    "no-answer",
                ) from err
            except BaseException:
                with contextlib.suppress(Exception):
                    client.shutdown()
                raise
        return cls(client, account, keepalive)

    # -- helpers ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _io(self) -> Iterator[None]:
        """`_boundary`, and remember a lost connection: its socket is out of step or dead, so
        `close` must not wait for an answer to LOGOUT (a frozen server would never give one)."""
        try:
            with _boundary():
                yield
        except ConnectionLost as err:
            self._lost = True
            if err.cause in ("closed", "unknown"):
                with contextlib.suppress(OSError, ValueError):
                    truer = not_a_fin(self._c.socket())
                    if truer is not None:
                        raise truer from err
            raise

    def _select(self, folder: str) -> None:
        if self._selected != folder:
            with self._io():
                try:
                    self._c.select_folder(folder)
                except IMAPClientError as err:
                    if isinstance(err, IMAPClientAbortError):
                        raise
                    raise FolderMissing(f"cannot open the folder {folder!r}: {err}") from err
            self._selected = folder

    def _fetch(
        self, folder: str, uids: Sequence[int], items: Sequence[bytes]
    ) -> dict[int, dict[bytes, Any]]:
        """FETCH `items` in batches; answers keyed as the server names them (no .PEEK)."""
        self._select(folder)
        out: dict[int, dict[bytes, Any]] = {}
        key = items[0].replace(b".PEEK", b"")
        for chunk in batches(sorted(uids)):
            with self._io():
                data = self._c.fetch(chunk, list(items))
            for uid, item in data.items():
                if key in item:  # a message expunged meanwhile answers with FLAGS alone
                    out[int(uid)] = item
        return out

    # -- Mailbox ---------------------------------------------------------------------------

    def status(self, folder: str) -> FolderStatus:
        with self._io():
            try:
                st = self._c.folder_status(folder, [b"UIDVALIDITY", b"UIDNEXT"])
            except IMAPClientError as err:
                if isinstance(err, IMAPClientAbortError):
                    raise
                raise FolderMissing(f"the folder {folder!r} cannot be opened: {err}") from err
        return FolderStatus(int(st[b"UIDVALIDITY"]), int(st[b"UIDNEXT"]))

    def uids(self, folder: str, above: int = 0) -> list[int]:
        self._select(folder)
        with self._io():
            found = self._c.search(["UID", f"{above + 1}:*", "NOT", "DELETED"])
        return sorted(u for u in found if u > above)  # "n:*" always names the last message

    def candidates(self, folder: str, above: int = 0) -> list[int]:
        """The core's own triage on each new message's headers and body start.

        The server's SEARCH only narrows by UID: a word list of its own here would be a second
        definition of "could be a bounce" beside the core's, and the two drift (bounces the
        core recognised stayed in the inbox). The core's triage also reads the start of the
        body when the headers say nothing, which SEARCH cannot express; so each new message's
        header and first PEEK_BYTES body bytes are fetched (in batches) and judged by it.
        """
        fresh = self.uids(folder, above)
        out: list[int] = []
        section = f"BODY.PEEK[TEXT]<0.{PEEK_BYTES}>".encode()
        for uid, item in self._fetch(folder, fresh, [b"BODY.PEEK[HEADER]", section]).items():
            head = bytes(item[b"BODY[HEADER]"])
            start = _partial_text(item)
            if looks_like_candidate(head + start):
                out.append(uid)
        return sorted(out)

    def headers(self, folder: str, uids: Sequence[int]) -> Mapping[int, bytes]:
        got = self._fetch(folder, uids, [b"BODY.PEEK[HEADER]"])
        return {uid: bytes(item[b"BODY[HEADER]"]) for uid, item in got.items()}

    def heads(self, folder: str, uids: Sequence[int]) -> Mapping[int, Head]:
        got = self._fetch(folder, uids, [b"BODY.PEEK[HEADER]", b"INTERNALDATE"])
        return {
            uid: Head(bytes(item[b"BODY[HEADER]"]), _date(item.get(b"INTERNALDATE")))
            for uid, item in got.items()
        }

    def fetch(self, folder: str, uids: Sequence[int]) -> Mapping[int, bytes]:
        """Whole messages in batches bounded by bytes, not by count (see FETCH_BYTES)."""
        out: dict[int, bytes] = {}
        sizes = self.sizes(folder, uids)
        for run in byte_batches(sizes, sorted(uids)):
            got = self._fetch(folder, run, [b"BODY.PEEK[]"])
            out.update((uid, bytes(item[b"BODY[]"])) for uid, item in got.items())
        return out

    def sizes(self, folder: str, uids: Sequence[int]) -> Mapping[int, int]:
        got = self._fetch(folder, uids, [b"RFC822.SIZE"])
        return {uid: int(item[b"RFC822.SIZE"]) for uid, item in got.items()}

    def folders(self) -> list[str]:
        with self._io():
            listed = self._c.list_folders()
        return [
            str(name)
            for flags, _, name in listed
            if not {bytes(f).lower() for f in flags} & {b"\\noselect", b"\\nonexistent"}
        ]

    def search_header(self, folder: str, name: str, value: str) -> list[int]:
        self._select(folder)
        with self._io():
            return sorted(self._c.search(["NOT", "DELETED", "HEADER", name, value]))

    def move(self, folder: str, uids: Sequence[int], dest: str) -> Mapping[int, int]:
        try:
            return self._move(folder, uids, dest)
        except FolderMissing:
            self.ensure_folder(dest)  # TRYCREATE: the user deleted it while we ran
            return self._move(folder, uids, dest)

    def _move(self, folder: str, uids: Sequence[int], dest: str) -> dict[int, int]:
        self._select(folder)
        with self._io():
            found = self._c.search(["UID", uid_set(uids), "NOT", "DELETED"]) if uids else []
        wanted = sorted(set(found) & set(uids))
        if not wanted:
            return {}
        before = self.status(dest).uidnext
        # Without UIDPLUS the server does not say where the copies went: the originals'
        # fingerprints, read while they still exist, find the copies afterwards.
        prints = None
        if "UIDPLUS" not in self.caps:
            prints = {fingerprint(h): u for u, h in self.headers(folder, wanted).items()}
        # imaplib files the COPYUID code of a MOVE's untagged OK and of a COPY's tagged OK
        # alike under "COPYUID"; imapclient's move() and copy() return neither.
        untagged = self._c._imap.untagged_responses
        untagged.pop("COPYUID", None)
        with self._io():
            if "MOVE" in self.caps:
                self._c.move(wanted, dest)
            else:
                self._c.copy(wanted, dest)
            _, mapping = parse_copyuid(untagged.pop("COPYUID", []))
            if "MOVE" not in self.caps:
                self._c.add_flags(wanted, [imapclient.DELETED], silent=True)
                if "UIDPLUS" in self.caps:
                    self._c.uid_expunge(wanted)
        if prints is not None:
            mapping.update(self._locate(prints, dest, before))
            self._select(folder)
        return {s: d for s, d in mapping.items() if s in wanted}

    def _locate(self, prints: Mapping[str, int], dest: str, above: int) -> dict[int, int]:
        """Source UID -> destination UID, by matching fingerprints of what arrived in `dest`."""
        arrived = self.headers(dest, self.uids(dest, above - 1))
        return {prints[f]: d for d, h in arrived.items() if (f := fingerprint(h)) in prints}

    def claim(self, folder: str, uids: Sequence[int], owner: str) -> Claims:
        """Claim by keyword, then look (claims.py has the rule and why it is safe)."""
        if not uids or self._claims_refused:
            return Claims(frozenset(uids))
        self._select(folder)
        mine = claim_keyword(owner)
        before = self._claim_flags(folder, uids, with_modseq="CONDSTORE" in self.caps)
        free = [u for u, (flags, _) in before.items() if not flags]
        if free:
            try:
                self._store_claim(free, mine, max(m for _, m in before.values()))
            except (MailboxError, imaplib.IMAP4.error) as err:
                if isinstance(err, ConnectionLost):
                    raise
                # A server that keeps no keywords (PERMANENTFLAGS without \*) cannot hold a
                # claim; one installation per account is then the user's to keep.
                log.warning("%s: the server keeps no claim keywords (%s); moving unclaimed",
                            self.account.name, err)  # fmt: skip
                self._claims_refused = True
                return Claims(frozenset(uids))
        after = self._claim_flags(folder, uids, with_modseq=False)
        decided = decide_claims(after, mine)
        if decided.contested:
            with self._io():  # both took it at once: both let go, the next pass tries again
                self._c.remove_flags(sorted(decided.contested), [mine], silent=True)
        return decided

    def _claim_flags(
        self, folder: str, uids: Sequence[int], with_modseq: bool
    ) -> dict[int, tuple[set[str], int]]:
        """UID -> (its claim keywords, its MODSEQ or 0), for those that still exist."""
        items = [b"FLAGS", b"MODSEQ"] if with_modseq else [b"FLAGS"]
        got = self._fetch(folder, uids, items)
        out = {}
        for uid, item in got.items():
            flags = {f.decode() if isinstance(f, bytes) else str(f) for f in item[b"FLAGS"]}
            modseq = item.get(b"MODSEQ", (0,))
            out[uid] = ({f for f in flags if is_claim(f)}, int(modseq[0]) if modseq else 0)
        return out

    def _store_claim(self, uids: list[int], keyword: str, modseq: int) -> None:
        """STORE +FLAGS the claim; with CONDSTORE only where nothing changed since `modseq`
        (RFC 7162 UNCHANGEDSINCE): a claim made by another meanwhile makes ours fail."""
        with self._io():
            if modseq:
                typ, data = self._c._imap.uid(
                    "STORE", uid_set(uids), f"(UNCHANGEDSINCE {modseq}) +FLAGS.SILENT",
                    f"({keyword})",
                )  # fmt: skip
                if typ != "OK":
                    raise MailboxError(f"the server refused the claim: {data!r}")
            else:
                self._c.add_flags(uids, [keyword], silent=True)

    def remove_copied(self, folder: str, uids: Sequence[int], dest: str) -> None:
        if not uids:
            return
        self._select(folder)
        with self._io():
            self._c.add_flags(list(uids), [imapclient.DELETED], silent=True)
            if "UIDPLUS" in self.caps:
                self._c.uid_expunge(list(uids))

    def ensure_folder(self, name: str) -> None:
        with self._io():
            if self._c.folder_exists(name):
                return
            try:
                self._c.create_folder(name)
            except IMAPClientError as err:
                if isinstance(err, IMAPClientAbortError) or not self._c.folder_exists(name):
                    raise
            with contextlib.suppress(IMAPClientError):
                self._c.subscribe_folder(name)

    def special_folder(self, use: str) -> str | None:
        with self._io():
            found = self._c.find_special_folder(use.encode())
        return str(found) if found else None

    def wait_for_change(self, folder: str, timeout: float, stop: threading.Event) -> bool:
        """IDLE on `folder` until news, `timeout`, `stop`, or proof that the link is dead.

        Each one-second `idle_check` is judged by liveness.IdleWatch; this only drives it.
        Ending IDLE (DONE) waits for the server's answer under the read timeout, so a renewal
        is also a probe of a server that never sends keepalives.
        """
        gap = self._resumes.since(self._resume_mark)
        if gap:  # the process stopped (or the machine slept) during the pass: start afresh
            self._lost = True
            raise ConnectionLost(gap, "slept")
        if "IDLE" not in self.caps:
            return self._poll(folder, timeout, stop)
        self._select(folder)
        with self._io():
            self._c.idle()
        watch = IdleWatch(self.keepalive, time.monotonic(), min(timeout, IDLE_RENEW),
                          self._resumes, self._resume_mark)  # fmt: skip
        outcome = Outcome.WAIT
        # A `stop` that select() can wait on (the worker's Wake) ends the wait at once.
        wake = getattr(stop, "fileno", None)
        wakers = [stop] if callable(wake) else []
        while outcome is Outcome.WAIT and not stop.is_set():
            began = time.monotonic()
            sock = self._c.socket()
            # The wait is done here, not in idle_check, so that an error the kernel holds is
            # read by socket_fate before idle_check would swallow it.
            ready: list[object] = []
            if not (isinstance(sock, ssl.SSLSocket) and sock.pending()):
                with contextlib.suppress(OSError, ValueError):
                    ready = select.select([sock, *wakers], [], [], 1.0)[0]
            if wakers and stop in ready and sock not in ready:
                # Poked (or a byte left over from one): not an answer, so not judged.
                drain = getattr(stop, "drain", None)
                if callable(drain):
                    drain()
                continue
            fate = socket_fate(sock)
            if fate is not None:
                self._lost = True
                raise fate
            with self._io():
                responses = self._c.idle_check(timeout=0)
            outcome, why = watch.check(responses, 1.0, began, time.monotonic())
            if watch.learnt is not None:
                log.info("%s: the server says 'still here' every %.0f s; %.0f s of silence "
                         "will mean a dead link", self.account.name, watch.learnt,
                         self.keepalive.silence_limit())  # fmt: skip
            if outcome is Outcome.DEAD:
                self._lost = True
                raise ConnectionLost(why, watch.cause)
        with self._io():
            self._c.idle_done()
        return outcome is Outcome.NEWS

    def _poll(self, folder: str, timeout: float, stop: threading.Event) -> bool:
        """Servers without IDLE: wait `poll_seconds`, then NOOP to keep the session alive."""
        stop.wait(min(timeout, self.account.poll_seconds))
        with self._io():
            self._c.noop()
        return not stop.is_set()

    def close(self) -> None:
        if not self._lost:
            with contextlib.suppress(Exception):
                self._c.logout()
        with contextlib.suppress(Exception):
            self._c.shutdown()


def _tune_socket(sock: socket.socket) -> None:
    """Keepalive probes, and on Linux TCP_USER_TIMEOUT: a black-holed link fails in seconds.

    Keepalive alone does not see a server that hangs (its kernel still answers the probes);
    that is what the keepalive rule of liveness.py is for.
    """
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in KEEPALIVE:
        if hasattr(socket, name):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
    if hasattr(socket, "TCP_USER_TIMEOUT"):
        ms = int(USER_TIMEOUT * 1000)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, ms)


def _partial_text(item: Mapping[bytes, Any]) -> bytes:
    """The body start of a partial FETCH: servers name it BODY[TEXT]<0>; empty when absent."""
    for key, value in item.items():
        if key.startswith(b"BODY[TEXT]") and value is not None:
            return bytes(value)
    return b""


def _date(value: object) -> datetime | None:
    """INTERNALDATE as imapclient parsed it; None when the server sent none."""
    return value if isinstance(value, datetime) else None
