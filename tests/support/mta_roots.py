"""Debian roots with one MTA each, for making test mail with software the host cannot hold at once.

Postfix, Sendmail, OpenSMTPD, Courier and Exim all provide `mail-transport-agent` and conflict
with each other, so each gets its own `debootstrap --variant=minbase` root of the host's Debian
release. A root is built once (a few minutes, most of it downloading) and reused; it lives
outside the repository (ROOTS_DIR) and nothing in CI needs it: the mail the roots write is
committed under tests/data/mta/ by tests/mta/make_root_mail.py.

Nothing starts on install (a policy-rc.d that answers 101) and nothing runs as a service: each
program is started by the generator, chrooted, on a loopback port. A chroot shares the host's
network, so the root's MTA and the host's Exim talk over 127.0.0.1 like two machines would.

The mirror is the host's own, read from /etc/apt/sources.list* at run time, so no mirror name is
written into the repository.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.procs import HarnessError

ROOTS_DIR = Path(os.environ.get("NDRGUARD_ROOTS", "/var/tmp/ndrguard-roots"))
SOURCES = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))
POLICY_RC_D = "#!/bin/sh\n# ndrguard test root: never start a service on install\nexit 101\n"


@dataclass(frozen=True, slots=True)
class RootSpec:
    """One root: its directory name and the packages installed into it."""

    name: str
    packages: tuple[str, ...]


# The packages that write the mail; the version actually installed is read back from dpkg.
ROOT_SPECS: dict[str, RootSpec] = {
    spec.name: spec
    for spec in (
        RootSpec("postfix", ("postfix",)),
        RootSpec("opensmtpd", ("opensmtpd",)),
        RootSpec("sendmail", ("sendmail-bin", "sendmail-cf", "m4", "make")),
        # Courier resolves names itself (MTA-STS before each delivery): chroot_mta.Courier
        # points it at an NXDOMAIN-only server on loopback and captures its syslog.
        RootSpec("courier", ("courier-mta",)),
        # amavisd-new is a content filter, not an MTA: it takes mail by SMTP from a loopback
        # port and sends its notices by SMTP to another. SpamAssassin is what it asks for spam.
        RootSpec("amavis", ("amavisd-new", "spamassassin")),
        # List managers: not MTAs, but they write notices to posters (held, rejected) and
        # to subscribers (bounce probes). mlmmj is fed by mlmmj-receive and sends by SMTP to
        # a relay host; Mailman 3 takes mail by LMTP and sends by SMTP (sqlite database).
        RootSpec("mlmmj", ("mlmmj",)),
        RootSpec("mailman", ("mailman3",)),
        # Programs without an SMTP server of their own that pass everything to a smarthost
        # (here the host's Exim) and write their own notice when it refuses.
        RootSpec("nullmailer", ("nullmailer",)),
        RootSpec("dma", ("dma",)),
        # Auto-responders a user runs from a delivery filter; they hand their answer to
        # /usr/sbin/sendmail, which dma (smarthost: the host's Exim) provides in this root.
        RootSpec("responders", ("dma", "vacation", "maildrop")),
    )
}


def host_release() -> str:
    """The host's Debian codename (bookworm): roots match the host so versions are known."""
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("VERSION_CODENAME="):
            return line.split("=", 1)[1].strip().strip('"')
    raise HarnessError("no VERSION_CODENAME in /etc/os-release")


def _source_entries() -> Iterator[tuple[list[str], list[str], list[str]]]:
    """(uris, suites, components) of every enabled apt source, one-line and deb822 alike."""
    files: list[Path] = []
    for place in SOURCES:
        if place.is_file():
            files.append(place)
        elif place.is_dir():
            files += sorted(place.glob("*.list")) + sorted(place.glob("*.sources"))
    for path in files:
        text = path.read_text(errors="replace")
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields: dict[str, str] = {}
                for line in stanza.splitlines():
                    if line.startswith("#") or ":" not in line:
                        continue
                    key, value = line.split(":", 1)
                    fields[key.strip().lower()] = value.strip()
                if "deb" not in fields.get("types", "").split():
                    continue
                if fields.get("enabled", "yes").lower() == "no":
                    continue
                yield (
                    fields.get("uris", "").split(),
                    fields.get("suites", "").split(),
                    fields.get("components", "").split(),
                )
        else:
            for line in text.splitlines():
                words = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
                if len(words) >= 3 and words[0] == "deb":
                    yield [words[1]], [words[2]], words[3:]


def host_mirror(release: str) -> str:
    """The URI the host itself installs `release` main from."""
    for uris, suites, components in _source_entries():
        if release in suites and "main" in components and uris:
            return uris[0]
    raise HarnessError(f"no apt source for {release} main in /etc/apt/sources.list*")


def run(cmd: Sequence[str], *, timeout: float = 1800, env: dict[str, str] | None = None) -> str:
    """Run a command, fail loudly with its output."""
    proc = subprocess.run(
        list(cmd), capture_output=True, text=True, timeout=timeout, check=False, env=env
    )
    if proc.returncode != 0:
        raise HarnessError(
            f"{' '.join(cmd)} exited {proc.returncode}\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}"
        )
    return proc.stdout


def chroot_env() -> dict[str, str]:
    """A plain environment for commands inside a root: no host paths, no prompts."""
    return {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "HOME": "/root",
        "DEBIAN_FRONTEND": "noninteractive",
    }


def in_root(root: Path, *cmd: str, timeout: float = 600) -> str:
    """Run `cmd` chrooted into `root`."""
    return run(["chroot", str(root), *cmd], timeout=timeout, env=chroot_env())


@contextlib.contextmanager
def proc_mounted(root: Path) -> Iterator[None]:
    """/proc inside the root for the duration (maintainer scripts and some daemons need it)."""
    target = root / "proc"
    mounted = False
    if not os.path.ismount(target):
        run(["mount", "-t", "proc", "proc", str(target)])
        mounted = True
    try:
        yield
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(target)], check=False)


def ensure_debootstrap() -> str:
    """Path of debootstrap, installing the Debian package when it is missing."""
    found = shutil.which("debootstrap")
    if found:
        return found
    run(["apt-get", "install", "-y", "-q", "debootstrap"], env={**os.environ, **chroot_env()})
    found = shutil.which("debootstrap")
    if not found:
        raise HarnessError("debootstrap still missing after apt-get install")
    return found


def base_root() -> Path:
    """The shared minbase root every MTA root is copied from (built once)."""
    base = ROOTS_DIR / "base"
    if (base / ".ndrguard-ready").exists():
        return base
    if base.exists():
        shutil.rmtree(base)
    release = host_release()
    mirror = host_mirror(release)
    ROOTS_DIR.mkdir(parents=True, exist_ok=True)
    run([ensure_debootstrap(), "--variant=minbase", release, str(base), mirror], timeout=3600)
    (base / "usr/sbin/policy-rc.d").write_text(POLICY_RC_D)
    (base / "usr/sbin/policy-rc.d").chmod(0o755)
    (base / ".ndrguard-ready").write_text(f"{release} {mirror}\n")
    return base


def mta_root(name: str) -> Path:
    """The root for ROOT_SPECS[name], built from the base on first use and reused after."""
    spec = ROOT_SPECS[name]
    root = ROOTS_DIR / name
    if (root / ".ndrguard-ready").exists():
        return root
    base = base_root()
    if root.exists():
        shutil.rmtree(root)
    run(["cp", "-a", str(base), str(root)])
    (root / ".ndrguard-ready").unlink()
    shutil.copyfile("/etc/resolv.conf", root / "etc/resolv.conf")
    with proc_mounted(root):
        in_root(root, "apt-get", "update", "-q")
        in_root(
            root,
            "apt-get",
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
            *spec.packages,
            timeout=1800,
        )
        in_root(root, "apt-get", "clean")
    seal(root)
    (root / ".ndrguard-ready").write_text(" ".join(spec.packages) + "\n")
    return root


def seal(root: Path) -> None:
    """Cut the root off from name service: its MTAs route by static tables and must never ask
    DNS (the only network here is loopback), so an unknown domain is "not found" at once."""
    (root / "etc/resolv.conf").write_text("")
    nss = root / "etc/nsswitch.conf"
    nss.write_text(re.sub(r"(?m)^hosts:.*$", "hosts:          files", nss.read_text()))


def package_version(root: Path, package: str) -> str:
    """The exact Debian version of `package` installed in `root` (for the manifest)."""
    out = in_root(root, "dpkg-query", "-W", "-f=${Version}", package)
    return out.strip()


def build_all(names: Sequence[str]) -> dict[str, float]:
    """Build (or reuse) the named roots; return seconds each took (0-ish when reused)."""
    took: dict[str, float] = {}
    start = time.monotonic()
    base_root()
    took["base"] = time.monotonic() - start
    for name in names:
        start = time.monotonic()
        mta_root(name)
        took[name] = time.monotonic() - start
    return took
