"""Where the API listens and how both ends prove they belong to the same user.

The socket lives in a runtime directory that only its owner can enter (0700), so another local
user's connect() fails with "Permission denied" before any byte is exchanged. On top of that
the server asks the kernel who connected (SO_PEERCRED on Linux) and closes a connection from
any other user before a byte is read, and both ends prove knowledge of a key
(multiprocessing's mutual HMAC challenge), so a process that somehow reaches the socket (a
shared container, a lax directory) still gets nowhere, even holding a copy of the key. The key is
32 random bytes in a 0600 file beside the config, created once with O_EXCL so that a tray app
and a service starting together agree on one key.

NDRGUARD_HOME puts the socket under that folder (tests, portable use); otherwise the platform's
runtime dir (XDG_RUNTIME_DIR on Linux). A socket path must stay under 104 bytes, so a home too
deep for that gets its socket in the per-user temp folder instead, named by a hash of the
path it would have had (both ends derive the same name). On Windows a named pipe stands in.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import socket
import stat
import struct
import sys
import tempfile
from dataclasses import dataclass
from multiprocessing import AuthenticationError
from multiprocessing.connection import (
    Client,
    Connection,
    Listener,
    answer_challenge,
    deliver_challenge,
)
from pathlib import Path

import platformdirs

from ndrguard.errors import NdrguardError
from ndrguard.service.api.protocol import ServiceNotAnswering, ServiceUnavailable
from ndrguard.service.settings.config import APP, Paths

KEY_NAME = "api.key"
SOCKET_NAME = "api.sock"
_UNIX_PATH_MAX = 104  # the smallest sun_path of the platforms we run on (macOS)


class ChannelError(NdrguardError, RuntimeError):
    """The runtime dir or key file is unsafe or unusable; the message says what to fix."""

    title = "Local API unavailable"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The address to listen on or connect to, and the key both ends must know."""

    address: str
    family: str  # "AF_UNIX" or "AF_PIPE"
    key_file: Path

    @classmethod
    def for_paths(cls, paths: Paths) -> Endpoint:
        key_file = paths.config_file.parent / KEY_NAME
        if sys.platform == "win32":
            user = os.environ.get("USERNAME", "user")
            return cls(rf"\\.\pipe\{APP}-{user}-api", "AF_PIPE", key_file)
        sock = runtime_dir() / SOCKET_NAME
        if len(str(sock)) >= _UNIX_PATH_MAX:
            digest = hashlib.sha256(str(sock).encode()).hexdigest()[:16]
            sock = _private(_temp_runtime_dir()) / f"api-{digest}.sock"
        return cls(str(sock), "AF_UNIX", key_file)

    def key(self) -> bytes:
        return load_or_create_key(self.key_file)


def runtime_dir() -> Path:
    """The 0700 folder for the socket, made when missing; refuses one another user could enter."""
    home = os.environ.get("NDRGUARD_HOME")
    if home:
        path = Path(home) / "run"
    else:
        path = Path(platformdirs.user_runtime_dir(APP))
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:  # no XDG_RUNTIME_DIR on this system
            path = _temp_runtime_dir()
    return _private(path)


def _temp_runtime_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"{APP}-{os.getuid()}"


def _private(path: Path) -> Path:
    """`path`, made 0700 when missing; refused when another user owns it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid():
        raise ChannelError(
            f"{path} belongs to another user; ndrguard will not put its socket there"
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(0o700)  # ours, but too open: close it before the socket goes in
    return path


def load_or_create_key(path: Path) -> bytes:
    """The shared key: read it, or create it (0600, O_EXCL) if no one has yet."""
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
        # link() is the O_EXCL of a finished file: whoever links first wins, and no one ever
        # reads a key half written.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    info = path.stat()
    if sys.platform != "win32" and (
        info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077
    ):
        raise ChannelError(
            f"{path} is readable by other users or not yours; run `chmod 600 {path}` "
            "(or delete it: a new key is made on the next start)"
        )
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ChannelError(f"{path} does not hold a key; delete it and restart ndrguard")
    return key.encode()


def listen(endpoint: Endpoint) -> Listener:
    """Listen, taking over a socket file left behind by a service that died.

    If something answers on the socket, another service of this user is running: starting a
    second one would watch the same mailboxes twice, so this raises instead.
    """
    if endpoint.family == "AF_UNIX" and os.path.exists(endpoint.address):
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(endpoint.address)
        except (ConnectionRefusedError, FileNotFoundError):
            os.unlink(endpoint.address)  # stale: its listener is gone
        else:
            raise ChannelError(
                f"another ndrguard service is already listening on {endpoint.address}"
            )
        finally:
            probe.close()
    # No authkey here: the handshake runs on the connection's own thread (server.py), so a
    # client that connects and stalls never blocks the accept loop.
    listener = Listener(endpoint.address, endpoint.family, backlog=16)
    if endpoint.family == "AF_UNIX":
        os.chmod(endpoint.address, 0o600)
    return listener


def peer_uid(conn: Connection) -> int | None:
    """The user id of the process at the other end of a Unix socket (SO_PEERCRED, which the
    kernel fills in at connect() and no client can forge); None where the platform has no
    such option (macOS, Windows: the folder's 0700 and the key stand alone there)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            if sock.family != socket.AF_UNIX:
                return None
            creds = sock.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid


def connect(endpoint: Endpoint, timeout: float | None = None) -> Connection:
    """A connection that has passed the mutual handshake; ServiceUnavailable otherwise, also
    when the service does not answer the handshake within `timeout` (a stopped or frozen
    service: the kernel accepts for it, and nothing else ever comes)."""
    if endpoint.family == "AF_UNIX" and not os.path.exists(endpoint.address):
        # Asked before the key: a CLI command finding no service must not leave a key behind.
        raise ServiceUnavailable("the service is not running")
    try:
        key = endpoint.key()
        if endpoint.family == "AF_UNIX" and timeout is not None:
            return _unix_client(endpoint.address, key, timeout)
        return Client(endpoint.address, endpoint.family, authkey=key)
    except FileNotFoundError as err:
        raise ServiceUnavailable("the service is not running") from err
    except ConnectionRefusedError as err:
        raise ServiceUnavailable("the service is not running (stale socket)") from err
    except PermissionError as err:
        raise ServiceUnavailable(f"not allowed to reach the service: {err}") from err
    except (TimeoutError, BlockingIOError) as err:
        raise ServiceNotAnswering(
            f"the service did not answer within {timeout:g} s: it may be stopped or frozen"
        ) from err
    except (OSError, EOFError) as err:
        raise ServiceUnavailable(f"cannot reach the service: {err}") from err
    except AuthenticationError as err:
        raise ServiceUnavailable(f"the service refused this client: {err}") from err


def _unix_client(address: str, key: bytes, timeout: float) -> Connection:
    """multiprocessing's Client, with the handshake bounded by a receive timeout on the
    socket (Connection reads a blocking descriptor, so a socket timeout would not do); the
    timeout is lifted once the handshake is through, and answers are awaited with poll()."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
        sock.setblocking(True)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(timeout))
        conn = Connection(sock.detach())
    except BaseException:
        sock.close()
        raise
    try:
        answer_challenge(conn, key)
        deliver_challenge(conn, key)
        with socket.socket(fileno=os.dup(conn.fileno())) as same:
            same.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _timeval(0))
    except BaseException:
        conn.close()
        raise
    return conn


def _timeval(seconds: float) -> bytes:
    """A struct timeval for SO_RCVTIMEO: two 64-bit fields on the 64-bit Linux and macOS we
    run on (macOS's 32-bit tv_usec is followed by padding, which the zero high half fills)."""
    whole = int(seconds)
    return struct.pack("qq", whole, int((seconds - whole) * 1_000_000))


def connect_raw(endpoint: Endpoint) -> None:
    """Open and close a bare connection: wakes a listener blocked in accept() at shutdown."""
    if endpoint.family == "AF_UNIX":
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            s.connect(endpoint.address)
    else:
        Client(endpoint.address, endpoint.family).close()
