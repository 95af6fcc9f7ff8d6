"""service/settings/identity_file.py: the identity TOML file and the secrets it points to."""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import keyring.errors
import pytest

from ndrguard.identity import IdentityError
from ndrguard.service.settings.identity_file import (
    IdentityFileError,
    identity_from_mapping,
    load_identity,
    read_keyring_secret,
    read_secret_file,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are a POSIX matter")

# The example from the brief and docs/identity.md, word for word.
EXAMPLE = """\
addresses = ["user@example.org"]
domains = ["example.org"]
relays = ["mx.example.org", "192.0.2.0/24"]
dkim_domains = ["example.org"]
[batv]
lifetime_days = 7
grace_days = 3
[[batv.keys]]
number = 3
secret_file = "keys/batv-3"   # or: keyring = "service/name"
"""


def secret(path: Path, data: bytes, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)
    return path


def no_keyring(service: str, name: str) -> str | None:
    raise AssertionError("the keyring was asked although no key uses it")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    secret(tmp_path / "keys" / "batv-3", b"secret\n")
    path = tmp_path / "identity.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    return path


def test_loads_the_documented_example(config: Path) -> None:
    me = load_identity(config, get_password=no_keyring)
    assert dict(me.batv_keys) == {3: b"secret"}
    assert me.owns_address("prvs=3730537f09=user@example.org")
    assert (me.lifetime_days, me.grace_days) == (7, 3)
    assert me.is_relay_host("mx.example.org") and me.is_relay_ip("192.0.2.10")


def test_secret_files_are_found_next_to_the_toml_not_in_the_cwd(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert dict(load_identity(config).batv_keys) == {3: b"secret"}


def test_absolute_secret_paths(tmp_path: Path) -> None:
    key = secret(tmp_path / "abs" / "k", b"abs secret")
    path = tmp_path / "id.toml"
    path.write_text(
        f'addresses = ["u@example.org"]\n[[batv.keys]]\nnumber = 1\nsecret_file = "{key}"\n'
    )
    assert dict(load_identity(path).batv_keys) == {1: b"abs secret"}


def test_keyring_secrets_are_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / "id.toml"
    path.write_text(
        'domains = ["example.org"]\n'
        '[[batv.keys]]\nnumber = 4\nkeyring = "ndrguard/batv-4"\n'
        '[[batv.keys]]\nnumber = 5\nkeyring = "org/example/mail/batv"\n'
    )
    store = {("ndrguard", "batv-4"): "schlüssel", ("org/example/mail", "batv"): "five"}
    me = load_identity(path, get_password=lambda s, n: store.get((s, n)))
    assert dict(me.batv_keys) == {4: "schlüssel".encode(), 5: b"five"}


def test_the_real_keyring_module_is_asked_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = []

    def get_password(service: str, name: str) -> str:
        asked.append((service, name))
        return "from keyring"

    monkeypatch.setattr(keyring, "get_password", get_password)
    path = tmp_path / "id.toml"
    path.write_text('domains = ["example.org"]\n[[batv.keys]]\nnumber = 0\nkeyring = "svc/name"\n')
    assert dict(load_identity(path).batv_keys) == {0: b"from keyring"}
    assert asked == [("svc", "name")]


# --- secret files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "secret_bytes"),
    [
        (b"secret", b"secret"),
        (b"secret\n", b"secret"),  # what `echo secret > file` writes
        (b"secret\r\n", b"secret"),  # the same from a Windows editor
        (b"secret\n\n", b"secret\n"),  # only one newline is ignored
        (b" spaced secret ", b" spaced secret "),
        (bytes(range(1, 256)), bytes(range(1, 256))),  # raw bytes, used as they are
    ],
)
def test_secret_file_contents(tmp_path: Path, data: bytes, secret_bytes: bytes) -> None:
    assert read_secret_file(secret(tmp_path / "k", data)) == secret_bytes


@posix_only
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o644])
def test_secret_files_open_to_others_are_refused(tmp_path: Path, mode: int) -> None:
    path = secret(tmp_path / "k", b"secret", mode)
    with pytest.raises(IdentityError) as caught:
        read_secret_file(path)
    assert f"chmod 600 {path}" in str(caught.value)
    assert f"{mode:04o}" in str(caught.value)


@posix_only
def test_owner_read_only_is_fine(tmp_path: Path) -> None:
    assert read_secret_file(secret(tmp_path / "k", b"secret", 0o400)) == b"secret"


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "is empty"), (b"\n", "is empty"), (b"x" * 1025, "too long")],
)
def test_unusable_secret_files(tmp_path: Path, data: bytes, words: str) -> None:
    with pytest.raises(IdentityError, match=words):
        read_secret_file(secret(tmp_path / "k", data))


def test_missing_and_odd_secret_files(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match=r"cannot read .*missing"):
        read_secret_file(tmp_path / "missing")
    with pytest.raises(IdentityError, match=r"not a regular file|cannot read"):
        read_secret_file(tmp_path)


# --- the keyring -----------------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["noslash", "/name", "service/"])
def test_malformed_keyring_references(reference: str) -> None:
    with pytest.raises(IdentityError, match="service/name"):
        read_keyring_secret(reference, lambda s, n: "x")


def test_nothing_in_the_keyring() -> None:
    with pytest.raises(IdentityError, match="no secret stored for service 'svc', name 'k'"):
        read_keyring_secret("svc/k", lambda s, n: None)


def test_a_broken_keyring_is_reported() -> None:
    def broken(service: str, name: str) -> str | None:
        raise keyring.errors.NoKeyringError("No recommended backend was available")

    with pytest.raises(IdentityError, match="could not be read: No recommended backend"):
        read_keyring_secret("svc/k", broken)


# --- errors in the file, reported with its path ----------------------------------------------


@pytest.mark.parametrize(
    ("key_table", "words"),
    [
        ('number = 3\nsecret = "hunter2"', "secret: secrets are not written in this file"),
        ('number = 3\nsecret_file = "k"\nkeyring = "a/b"', "exactly one of secret_file or keyring"),
        ("number = 3", "exactly one of secret_file or keyring"),
        ('number = 3\nsecret_file = ""', "secret_file: must be a non-empty string"),
        ("number = 3\nkeyring = 5", "keyring: must be a non-empty string"),
        ('number = 3\nsecretfile = "k"', "secretfile: unknown setting"),
        ('number = 3\nsecret_file = "keys/none"', "secret_file: cannot read"),
    ],
)
def test_key_errors_name_file_key_and_setting(tmp_path: Path, key_table: str, words: str) -> None:
    path = tmp_path / "id.toml"
    path.write_text(f'domains = ["example.org"]\n[[batv.keys]]\n{key_table}\n')
    with pytest.raises(IdentityFileError) as caught:
        load_identity(path, get_password=lambda s, n: "x")
    assert str(caught.value).startswith(f"{path}: batv.keys (number 3)")
    assert words in str(caught.value)
    assert caught.value.path == path


@posix_only
def test_a_readable_secret_file_is_refused_when_loading(config: Path) -> None:
    (config.parent / "keys" / "batv-3").chmod(0o644)
    with pytest.raises(IdentityFileError, match=r"batv.keys \(number 3\): secret_file: .*chmod"):
        load_identity(config)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'addresses = ["user@example.org"\n', "is not valid TOML"),
        (b'addresses = ["\xff@example.org"]\n', "is not UTF-8 text"),
        (b'adresses = ["user@example.org"]\n', "adresses: unknown setting"),
        (b'domains = ["example.org"]\n[batv]\nlifetime_days = 0\n', "batv.lifetime_days"),
    ],
)
def test_file_errors_name_the_file(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "id.toml"
    path.write_bytes(content)
    with pytest.raises(IdentityFileError) as caught:
        load_identity(path)
    assert str(caught.value).startswith(str(path))
    assert words in str(caught.value)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IdentityFileError, match="cannot be read: No such file"):
        load_identity(tmp_path / "nope.toml")


def test_an_inline_identity_names_its_secrets_as_a_file_does(tmp_path: Path) -> None:
    # A config's inline `identity = {...}` table goes through the same code as a file.
    secret(tmp_path / "keys" / "batv-1", b"from-file\n")
    data = {
        "addresses": ["user@example.org"],
        "batv": {"keys": [{"number": 1, "secret_file": "keys/batv-1"},
                          {"number": 2, "keyring": "ndrguard/batv-2"}]},
    }  # fmt: skip
    me = identity_from_mapping(data, tmp_path, lambda s, n: f"{s}:{n}")
    assert dict(me.batv_keys) == {1: b"from-file", 2: b"ndrguard:batv-2"}
    with pytest.raises(IdentityError, match="secrets are not written in this file"):
        identity_from_mapping(
            {"addresses": ["user@example.org"], "batv": {"keys": [{"number": 1, "secret": "x"}]}},
            tmp_path, no_keyring,
        )  # fmt: skip
