"""An IMAP account as a Mailbox: the thin connection layer over imapclient.

What it guarantees, and why:
- TLS is verified (system store or the account's CA file); plaintext only when the config says
  `security = "plain"`. Socket timeouts on connect and read, TCP keepalive and, on Linux,
  TCP_USER_TIMEOUT: without them a frozen server or a black-holed network hangs a read for ever.
- Messages are read with BODY.PEEK, so nothing the service reads is marked \\Seen.
- A move is UID MOVE where the server has MOVE; otherwise UID COPY, \\Deleted on those UIDs and
  UID EXPUNGE of those UIDs only (UIDPLUS). Without UIDPLUS the originals are flagged \\Deleted
  and left for the user's client: a plain EXPUNGE would remove other clients' deleted mail.
- IDLE is watched for every way it dies quietly (see `wait_for_change`).

Every imapclient, socket and TLS error is converted at this boundary (`_boundary`) into the
typed errors of mailbox.py.
"""

from __future__ import annotations

import contextlib
import imaplib
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping, Sequence

import imapclient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from ndrguard.service.config import Account
from ndrguard.service.imap_parse import batches, classify_no, parse_copyuid
from ndrguard.service.mailbox import (
    AuthFailed,
    CertificateRejected,
    ConnectionLost,
    FolderMissing,
    FolderStatus,
    MailboxError,
    fingerprint,
)

CONNECT_TIMEOUT = 15.0
IDLE_RENEW = 25 * 60.0  # RFC 2177: servers may drop an IDLE after 30 minutes
# Dovecot says "* OK Still here" every 2 minutes by default; silence for 2.5 times that means
# the link is dead even if the socket does not know it yet.
STILL_HERE_SILENCE = 2.5 * 120.0
SUSPEND_GAP = 5.0  # seconds the machine may sleep before connections are assumed dead

# One UID SEARCH over the union of what bounces and look-alikes carry. A superset on purpose:
# a false candidate costs one fetch, a missed bounce stays in the inbox.
_SUBJECT_WORDS = (
    "undeliver", "delivery", "returned", "failure", "failed", "bounce", "unzustellbar",
    "auto", "out of office", "abwesen", "delayed", "warning", "report", "notification",
    "vacation", "rejected", "read:",
)  # fmt: skip
_HEADER_TESTS = (
    ("FROM", "mailer-daemon"),
    ("FROM", "postmaster"),
    ("FROM", "mail delivery"),
    ("HEADER", "Auto-Submitted", ""),
    ("HEADER", "Content-Type", "report"),
    ("HEADER", "Return-Path", "<>"),
    ("HEADER", "X-Failed-Recipients", ""),
    ("HEADER", "X-Autoreply", ""),
)


def candidate_criteria() -> list[object]:
    """The OR tree of `_HEADER_TESTS` and the subject words, as imapclient criteria."""
    tests: list[list[str]] = [list(t) for t in _HEADER_TESTS]
    tests += [["SUBJECT", w] for w in _SUBJECT_WORDS]
    tree: list[object] = tests[0]
    for t in tests[1:]:
        tree = ["OR", *_flat(tree), *t]
    return tree


def _flat(x: object) -> list[object]:
    return list(x) if isinstance(x, list) else [x]


def _boundary_error(err: BaseException) -> MailboxError:
    """The typed error for anything imapclient, the socket or TLS raised."""
    if isinstance(err, MailboxError):
        return err
    if isinstance(err, ssl.SSLCertVerificationError):
        return CertificateRejected(f"the server's certificate did not verify: {err.verify_message}")
    if isinstance(err, LoginError):
        return AuthFailed(f"the server refused the login: {_text(err)}")
    if isinstance(err, IMAPClientAbortError | imaplib.IMAP4.abort | OSError | EOFError):
        return ConnectionLost(f"the connection to the server was lost: {_text(err)}")
    if isinstance(err, IMAPClientError):
        text = _text(err)
        return classify_no(text)(f"the server said: {text}")
    return MailboxError(f"unexpected IMAP failure: {type(err).__name__}: {err}")


def _text(err: BaseException) -> str:
    return str(err) or type(err).__name__


@contextlib.contextmanager
def _boundary() -> Iterator[None]:
    try:
        yield
    except (IMAPClientError, OSError, EOFError) as err:
        raise _boundary_error(err) from err


class ImapMailbox:
    """One logged-in IMAP connection. Not thread-safe; one worker owns it."""

    def __init__(self, client: imapclient.IMAPClient, account: Account) -> None:
        self._c = client
        self.account = account
        self.caps = {c.decode().upper() if isinstance(c, bytes) else c.upper()
                     for c in client.capabilities()}  # fmt: skip
        self._selected: str | None = None

    @classmethod
    def connect(cls, account: Account, secret: str) -> ImapMailbox:
        context = None
        if account.security != "plain":
            context = ssl.create_default_context(
                cafile=str(account.ca_file) if account.ca_file else None
            )
        timeout = imapclient.SocketTimeout(connect=CONNECT_TIMEOUT, read=account.timeout_seconds)
        with _boundary():
            client = imapclient.IMAPClient(
                account.host,
                port=account.port,
                ssl=account.security == "tls",
                ssl_context=context,
                timeout=timeout,
            )
            try:
                if account.security == "starttls":
                    client.starttls(context)
                _tune_socket(client.socket(), account.timeout_seconds)
                if account.auth == "xoauth2":
                    client.oauth2_login(account.username, secret)
                else:
                    client.login(account.username, secret)
            except BaseException:
                with contextlib.suppress(Exception):
                    client.shutdown()
                raise
        return cls(client, account)

    # -- helpers ---------------------------------------------------------------------------

    def _select(self, folder: str) -> None:
        if self._selected != folder:
            with _boundary():
                try:
                    self._c.select_folder(folder)
                except IMAPClientError as err:
                    if isinstance(err, IMAPClientAbortError):
                        raise
                    raise FolderMissing(f"cannot open the folder {folder!r}: {err}") from err
            self._selected = folder

    def _fetch(self, folder: str, uids: Sequence[int], part: bytes) -> dict[int, bytes]:
        self._select(folder)
        out: dict[int, bytes] = {}
        key = part.replace(b".PEEK", b"")
        for chunk in batches(sorted(uids)):
            with _boundary():
                data = self._c.fetch(chunk, [part])
            for uid, item in data.items():
                if key in item:
                    out[int(uid)] = bytes(item[key])
        return out

    # -- Mailbox ---------------------------------------------------------------------------

    def status(self, folder: str) -> FolderStatus:
        with _boundary():
            try:
                st = self._c.folder_status(folder, [b"UIDVALIDITY", b"UIDNEXT"])
            except IMAPClientError as err:
                if isinstance(err, IMAPClientAbortError):
                    raise
                raise FolderMissing(f"the folder {folder!r} cannot be opened: {err}") from err
        return FolderStatus(int(st[b"UIDVALIDITY"]), int(st[b"UIDNEXT"]))

    def uids(self, folder: str, above: int = 0) -> list[int]:
        self._select(folder)
        with _boundary():
            found = self._c.search(["UID", f"{above + 1}:*", "NOT", "DELETED"])
        return sorted(u for u in found if u > above)  # "n:*" always names the last message

    def candidates(self, folder: str, above: int = 0) -> list[int]:
        self._select(folder)
        with _boundary():
            found = self._c.search(
                ["UID", f"{above + 1}:*", "NOT", "DELETED", *candidate_criteria()]
            )
        return sorted(u for u in found if u > above)

    def headers(self, folder: str, uids: Sequence[int]) -> Mapping[int, bytes]:
        return self._fetch(folder, uids, b"BODY.PEEK[HEADER]")

    def fetch(self, folder: str, uids: Sequence[int]) -> Mapping[int, bytes]:
        return self._fetch(folder, uids, b"BODY.PEEK[]")

    def move(self, folder: str, uids: Sequence[int], dest: str) -> Mapping[int, int]:
        try:
            return self._move(folder, uids, dest)
        except FolderMissing:
            self.ensure_folder(dest)  # TRYCREATE: the user deleted it while we ran
            return self._move(folder, uids, dest)

    def _move(self, folder: str, uids: Sequence[int], dest: str) -> dict[int, int]:
        self._select(folder)
        present = set(self.uids(folder, min(uids) - 1)) if uids else set()
        wanted = [u for u in uids if u in present]
        if not wanted:
            return {}
        before = self.status(dest).uidnext
        untagged = self._c._imap.untagged_responses  # imaplib keeps COPYUID codes here
        untagged.pop("COPYUID", None)
        with _boundary():
            if "MOVE" in self.caps:
                self._c.move(wanted, dest)
                _, mapping = parse_copyuid(untagged.pop("COPYUID", []))
            else:
                answer = self._c.copy(wanted, dest)
                _, mapping = parse_copyuid([answer or b""])
                self._c.add_flags(wanted, [imapclient.DELETED], silent=True)
                if "UIDPLUS" in self.caps:
                    self._c.uid_expunge(wanted)
        if len(mapping) < len(wanted):
            mapping.update(self._locate(folder, wanted, mapping, dest, before))
        return {s: d for s, d in mapping.items() if s in present}

    def _locate(
        self, folder: str, uids: list[int], known: Mapping[int, int], dest: str, above: int
    ) -> dict[int, int]:
        """Destination UIDs by fingerprint, for servers that did not say (no UIDPLUS)."""
        missing = [u for u in uids if u not in known]
        heads = self.headers(folder, missing)
        wanted = {fingerprint(h): u for u, h in heads.items()}
        arrived = self.headers(dest, self.uids(dest, above - 1))
        self._select(folder)
        return {wanted[f]: d for d, h in arrived.items() if (f := fingerprint(h)) in wanted}

    def remove_copied(self, folder: str, uids: Sequence[int], dest: str) -> None:
        if not uids:
            return
        self._select(folder)
        with _boundary():
            self._c.add_flags(list(uids), [imapclient.DELETED], silent=True)
            if "UIDPLUS" in self.caps:
                self._c.uid_expunge(list(uids))

    def ensure_folder(self, name: str) -> None:
        with _boundary():
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
        with _boundary():
            found = self._c.find_special_folder(use.encode())
        return str(found) if found else None

    def wait_for_change(self, folder: str, timeout: float, stop: threading.Event) -> bool:
        """IDLE on `folder` until news, `timeout`, `stop`, or proof that the link is dead.

        imapclient's idle_check never raises on a dead connection; these rules catch it:
        an empty answer long before the wait was up means the peer closed the socket; BYE
        means reconnect; no word at all (not even "Still here") for STILL_HERE_SILENCE means
        the server or the path hangs; a jump between CLOCK_BOOTTIME and CLOCK_MONOTONIC means
        the machine slept and every connection is suspect. IDLE is renewed before IDLE_RENEW.
        """
        if "IDLE" not in self.caps:
            return self._poll(folder, timeout, stop)
        self._select(folder)
        timeout = min(timeout, IDLE_RENEW)
        changed = False
        with _boundary():
            self._c.idle()
        start = heard = time.monotonic()
        sleep_mark = _slept()
        try:
            while not stop.is_set() and not changed:
                now = time.monotonic()
                if now - start >= timeout:
                    break
                step = min(1.0, timeout - (now - start))
                with _boundary():
                    responses = self._c.idle_check(timeout=step)
                after = time.monotonic()
                if _slept() - sleep_mark > SUSPEND_GAP:
                    raise ConnectionLost("the computer slept; reconnecting")
                if responses:
                    heard = after
                    for r in responses:
                        if len(r) > 1 and r[1] in (b"EXISTS", b"EXPUNGE", b"RECENT", b"FETCH"):
                            changed = True
                        if r and r[0] == b"BYE":
                            raise ConnectionLost("the server closed the connection (BYE)")
                elif after - now < step * 0.5:
                    raise ConnectionLost("the server closed the connection")
                elif after - heard > STILL_HERE_SILENCE:
                    raise ConnectionLost("the server stopped answering")
        except ConnectionLost:
            self._selected = None
            raise
        with _boundary():
            self._c.idle_done()
        return changed

    def _poll(self, folder: str, timeout: float, stop: threading.Event) -> bool:
        """Servers without IDLE: wait `poll_seconds`, then NOOP to keep the session alive."""
        stop.wait(min(timeout, self.account.poll_seconds))
        with _boundary():
            self._c.noop()
        return not stop.is_set()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._c.logout()
        with contextlib.suppress(Exception):
            self._c.shutdown()


def _tune_socket(sock: socket.socket, read_timeout: float) -> None:
    """Keepalive probes, and on Linux TCP_USER_TIMEOUT: a black-holed link fails in seconds."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, name):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
    if hasattr(socket, "TCP_USER_TIMEOUT"):
        ms = int(min(read_timeout, 30.0) * 1000)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, ms)


def _slept() -> float:
    """Seconds spent suspended since boot (CLOCK_BOOTTIME counts them, MONOTONIC does not)."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is None:
        return 0.0
    return time.clock_gettime(boottime) - time.monotonic()
