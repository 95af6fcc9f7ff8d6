"""Load the user's identity from a TOML file, fetching BATV secrets from files or the keyring.

Secrets are never written inline: a TOML file gets copied, pasted into bug reports and backed
up, and a leaked BATV secret lets anyone make tags that ndrguard would accept. A key names its
secret instead, either `secret_file` (raw bytes, one trailing newline ignored, path relative to
the TOML file) or `keyring = "service/name"` (text in the OS keyring, used as UTF-8 bytes).
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import keyring
import keyring.errors

from ndrguard.identity import Identity, IdentityError
from ndrguard.service.settings import config_checks as checks

MAX_SECRET_BYTES = 1024  # far above any real secret; stops a mistaken path to a huge file
_SOURCES = ("secret_file", "keyring")

PasswordGetter = Callable[[str, str], str | None]


class IdentityFileError(IdentityError):
    """The identity file, or a secret it points to, cannot be used; says which file and why."""

    title = "Identity file problem"

    def __init__(self, path: Path, where: str | None, problem: str) -> None:
        self.path = path
        super().__init__(f"{path}: {where}" if where else str(path), problem)


def load_identity(
    path: str | os.PathLike[str], get_password: PasswordGetter | None = None
) -> Identity:
    """Read and check the identity file at `path`.

    `get_password` stands in for keyring.get_password (tests, or a caller that pinned a
    backend).
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not hang
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise IdentityFileError(path, None, "is not a regular file")
        with os.fdopen(fd, "rb") as f:
            raw = f.read(checks.MAX_BYTES + 1)
        text = raw.decode("utf-8")
    except OSError as err:
        raise IdentityFileError(path, None, f"cannot be read: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise IdentityFileError(path, None, "is not UTF-8 text") from err
    # The limits of the config file hold here too: the worker reads this file on every
    # (re)start, and tomllib on a hostile one raises RecursionError or fills the memory.
    broken = checks.measure(text) if len(raw) <= checks.MAX_BYTES else (
        "too-large", {"size": f"more than {checks.MAX_BYTES}", "limit": checks.MAX_BYTES})
    if broken is not None:
        raise IdentityFileError(path, None, checks.message(broken[0], **broken[1]))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise IdentityFileError(path, None, f"is not valid TOML: {err}") from err
    except (RecursionError, MemoryError, ValueError) as err:  # past the limits, still refused
        raise IdentityFileError(path, None, checks.message("unreadable",
                                                           error=type(err).__name__)) from err
    try:
        return identity_from_mapping(data, path.parent, get_password)
    except IdentityError as err:
        raise IdentityFileError(path, err.where, err.problem) from err


def identity_from_mapping(
    data: Mapping[str, Any], base_dir: Path, get_password: PasswordGetter | None = None
) -> Identity:
    """An identity from already-parsed TOML: a file's content, or a config's inline table.

    Both kinds name their BATV secrets the same way (secret_file relative to `base_dir`, or
    keyring), so both go through this one place. Raises IdentityError naming the setting.
    """
    getter = get_password or keyring.get_password

    def resolve(entry: Mapping[str, Any]) -> bytes:
        return _resolve_secret(entry, base_dir, getter)

    return Identity.from_mapping(data, resolve)


def read_secret_file(path: str | os.PathLike[str]) -> bytes:
    """The secret in `path`: its raw bytes minus one trailing newline (LF or CRLF).

    On POSIX the file must be private to its owner, as ssh demands of private keys: a secret
    that other local users can read is a secret they can sign with.
    """
    path = Path(path).expanduser()
    try:
        with path.open("rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise IdentityError("secret_file", f"{path} is not a regular file")
            if os.name == "posix" and mode & 0o077:
                raise IdentityError(
                    "secret_file",
                    f"{path} is open to other users (mode {stat.S_IMODE(mode):04o}); "
                    f"make it private with: chmod 600 {path}",
                )
            data = f.read(MAX_SECRET_BYTES + 1)
    except OSError as err:
        raise IdentityError("secret_file", f"cannot read {path}: {err.strerror or err}") from err
    if len(data) > MAX_SECRET_BYTES:
        raise IdentityError("secret_file", f"{path} is too long for a BATV secret")
    if data.endswith(b"\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n"):
        data = data[:-1]
    if not data:
        raise IdentityError("secret_file", f"{path} is empty")
    return data


def read_keyring_secret(reference: str, get_password: PasswordGetter) -> bytes:
    """The secret stored under "service/name" (split at the last slash) as UTF-8 bytes."""
    service, slash, name = reference.rpartition("/")
    if not (slash and service and name):
        raise IdentityError("keyring", f'{reference!r} must look like "service/name"')
    try:
        text = get_password(service, name)
    except keyring.errors.KeyringError as err:
        raise IdentityError("keyring", f"the keyring could not be read: {err}") from err
    if not text:
        raise IdentityError("keyring", f"no secret stored for service {service!r}, name {name!r}")
    return text.encode("utf-8")


def _resolve_secret(entry: Mapping[str, Any], base: Path, get_password: PasswordGetter) -> bytes:
    for key in entry:
        if key == "secret":
            raise IdentityError(
                "secret", "secrets are not written in this file; use secret_file or keyring"
            )
        if key != "number" and key not in _SOURCES:
            raise IdentityError(key, "unknown setting (known here: number, secret_file, keyring)")
    given = [key for key in _SOURCES if key in entry]
    if len(given) != 1:
        raise IdentityError(None, "give exactly one of secret_file or keyring")
    (source,) = given
    value = entry[source]
    if not isinstance(value, str) or not value:
        raise IdentityError(source, "must be a non-empty string")
    if source == "secret_file":
        return read_secret_file(base / Path(value).expanduser())
    return read_keyring_secret(value, get_password)
