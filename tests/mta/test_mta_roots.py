"""The root builder's pure parts: which mirror it takes from the host's apt sources, and how it
seals a root off from name service. Building a root needs debootstrap and the network; these
checks need neither, so CI keeps them honest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mta.make_root_mail import own_file
from tests.support import mta_roots
from tests.support.procs import HarnessError

DEB822 = """Types: deb
URIs: http://mirror.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.invalid/debian-security
Suites: bookworm-security
Components: main
"""


def sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, files: dict[str, str]) -> None:
    d = tmp_path / "sources.list.d"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(text)
    monkeypatch.setattr(mta_roots, "SOURCES", (tmp_path / "sources.list", d))


def test_mirror_from_deb822_sources(monkeypatch, tmp_path):
    sources(monkeypatch, tmp_path, {"debian.sources": DEB822})
    assert mta_roots.host_mirror("bookworm") == "http://mirror.invalid/debian"


def test_mirror_from_one_line_sources_skips_disabled_and_other_suites(monkeypatch, tmp_path):
    text = (
        "# deb http://commented.invalid/debian bookworm main\n"
        "deb-src http://src.invalid/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/k.gpg] http://old.invalid/debian bullseye main\n"
        "deb [arch=amd64] http://one.invalid/debian bookworm main contrib\n"
    )
    disabled = DEB822.replace("Types: deb\nURIs", "Enabled: no\nTypes: deb\nURIs", 1)
    sources(monkeypatch, tmp_path, {"a.list": text, "b.sources": disabled})
    assert mta_roots.host_mirror("bookworm") == "http://one.invalid/debian"


def test_no_mirror_is_an_error(monkeypatch, tmp_path):
    sources(monkeypatch, tmp_path, {"x.list": "deb http://a.invalid/debian bullseye main\n"})
    with pytest.raises(HarnessError, match="bookworm"):
        mta_roots.host_mirror("bookworm")


def test_seal_leaves_only_files_for_host_names(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/resolv.conf").write_text("nameserver 192.0.2.53\n")
    (tmp_path / "etc/nsswitch.conf").write_text("passwd: files\nhosts:   files mdns4 dns\n")
    mta_roots.seal(tmp_path)
    assert (tmp_path / "etc/resolv.conf").read_text() == ""
    nss = (tmp_path / "etc/nsswitch.conf").read_text()
    assert "passwd: files" in nss
    assert [line.split() for line in nss.splitlines() if line.startswith("hosts:")] == [
        ["hosts:", "files"]
    ]


def test_each_generator_owns_only_its_files():
    postfix = own_file("postfix")
    assert postfix.match("failure-postfix-rcpt-rejected.eml")
    assert not postfix.match("failure-exim-rcpt-rejected.eml")
    assert not postfix.match("failure-postfix-rcpt-rejected.eml.orig")
