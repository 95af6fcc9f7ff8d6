"""The mail lab: a user's Exim relay (BATV + DKIM), a remote Exim, a DNS server and Dovecot.

Everything here is real software on loopback, wired the way a small installation is:

- `relay` (relay.example.test) is the user's outgoing relay and inbound MX. It tags the
  envelope sender of alice@example.test with BATV exactly as docs/batv.md tells users to (the
  recipe's main, transport and router blocks, pasted from the document), and DKIM-signs every
  message it sends out with Exim's own `dkim_*` transport options and a key this module makes.
  It does not refuse bad tags at RCPT (the recipe's optional ACL block is left out), so forged
  bounces reach the mailbox and ndrguard has to tell them apart.
- `remote` (mx.remote.test) refuses unknown users of strict.test at RCPT (the relay writes
  the bounce), accepts anything for remote.test and bounces unknown users afterwards (the
  remote writes the bounce to the tagged sender), greylists carl@ (451: the relay warns about
  the delay), answers vera@ with an Exim autoreply, and delivers bob@ (with a success DSN when
  asked for one).
- `dns` (dnsmasq) serves the DKIM public key; ndrguard reads it through NDRGUARD_DNS_RESOLVER.
- Mail the relay delivers to alice@ or sales@ is handed to Dovecot's dovecot-lda, as an Exim
  pipe transport to the LDA would do, so it arrives in the real Dovecot INBOX.

A `Letter` remembers what each piece of mail is (real or forged, and why), keyed by a token
in its Subject that every bounce, warning and auto-reply quotes back.
"""

from __future__ import annotations

import base64
import re
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.dnsmasq import Dnsmasq
from tests.support.exim import Exim, EximNet
from tests.support.procs import LOOPBACK_V4

DOCS = Path(__file__).resolve().parents[2] / "docs" / "batv.md"
RECIPE_BLOCK = re.compile(r"<!-- exim-recipe: (\w+) -->\n```exim\n(.*?)```", re.DOTALL)
BATV_KEYS = {4: "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}
SELECTOR = "lab"
USER = "alice@example.test"
ALIAS = "sales@example.test"  # the user's second address: not BATV-tagged, DKIM-signed
TOKEN = re.compile(rb"lab-[0-9a-f]{12}")


class LabRelay(Exim):
    """The harness's Exim with docs/batv.md's recipe (no RCPT check) and DKIM signing."""

    def __init__(self, *args: Any, dkim_key: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys_file = self.workdir / "batv-keys"
        self.keys_file.write_text("".join(f"{n}: {s}\n" for n, s in BATV_KEYS.items()))
        self.dkim_key = self.workdir / "dkim.pem"
        self.dkim_key.write_bytes(dkim_key.read_bytes())

    def render_config(self) -> str:
        blocks = dict(RECIPE_BLOCK.findall(DOCS.read_text(encoding="utf-8")))
        blocks = {
            name: text.replace("/etc/exim4/batv-keys", str(self.keys_file))
            .replace("*@example.org", USER)
            .replace("example.org", "example.test")
            for name, text in blocks.items()
        }
        dkim = (
            "  dkim_domain = example.test\n"
            f"  dkim_selector = {SELECTOR}\n"
            f"  dkim_private_key = {self.dkim_key}\n"
            "  dkim_canon = relaxed\n"
        )
        # Tagged local parts are the user's too; the batv_untag router delivers them.
        accept_tagged = "  accept  domains = +local_domains\n          local_parts = ^prvs=\n"
        config = super().render_config()
        for anchor, block in (
            ("acl_smtp_rcpt = acl_check_rcpt\n", blocks["main"]),
            ("acl_check_rcpt:\n", accept_tagged),
            ("begin routers\n\n", blocks["router"] + "\n"),
            ("remote_smtp:\n  driver = smtp\n", blocks["transport"] + dkim),
        ):
            assert anchor in config, f"tests/support/exim.py no longer writes {anchor!r}"
            config = config.replace(anchor, anchor + block, 1)
        return config


def make_dkim_key(directory: Path) -> tuple[Path, str]:
    """A 1024-bit RSA key (PEM) and its DNS TXT record (short enough for one TXT string)."""
    key = directory / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "1024"], check=True,
                   capture_output=True)  # fmt: skip
    der = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout  # fmt: skip
    return key, f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"


@dataclass(frozen=True)
class Letter:
    """One piece of mail the lab made, and the truth about it."""

    token: str
    label: str  # what it is, for the placement table ("remote bounce, BATV tag")
    real: bool  # True: ordinary mail, or an answer to mail the user really sent


@dataclass
class Lab:
    relay: LabRelay
    remote: Exim
    net: EximNet
    dns: Dnsmasq
    letters: dict[str, Letter]

    @property
    def resolver(self) -> str:
        return f"{LOOPBACK_V4}:{self.dns.port}"

    def letter(self, label: str, *, real: bool) -> Letter:
        made = Letter(f"lab-{uuid.uuid4().hex[:12]}", label, real)
        self.letters[made.token] = made
        return made

    def message(self, sender: str, to: str, letter: Letter) -> bytes:
        return (
            f"From: {sender}\r\nTo: {to}\r\nSubject: {letter.token} {letter.label}\r\n"
            f"Message-ID: <{letter.token}@{sender.rpartition('@')[2]}>\r\n"
            "Date: Thu, 03 Dec 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
            f"Hello, this is {letter.token}.\r\n"
        ).encode()

    def delivered(self) -> list[bytes]:
        """Everything the relay delivered to the user's addresses, oldest first."""
        found = self.relay.messages("alice") + self.relay.messages("sales")
        return [p.read_bytes() for p in sorted(found, key=lambda p: p.stat().st_mtime_ns)]

    def truth(self, raw: bytes) -> Letter:
        """The letter a delivered message is, or answers (its token is quoted back)."""
        tokens = {t.decode() for t in TOKEN.findall(raw)}
        known = [self.letters[t] for t in tokens if t in self.letters]
        if len(known) != 1:
            raise AssertionError(f"message names {sorted(tokens)}, not one letter:\n{raw[:600]!r}")
        return known[0]


def fake_dkim_signature(rng_hex: str) -> bytes:
    """A DKIM-Signature header claiming the user's domain, with a made-up signature."""
    b = base64.b64encode(bytes.fromhex(rng_hex * 8)).decode()
    return (
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test; "
        f"s={SELECTOR};\r\n\th=from:to:subject:message-id; bh={b[:44]};\r\n\tb={b}\r\n"
    ).encode()


def send_round(lab: Lab) -> list[bytes]:
    """One round of the user's real mail and of spam forging the user; returns the copies a
    mail client saved in the Sent folder. Call `lab.net.pump()` (and `age_round`) after."""
    relay, remote = lab.relay, lab.remote
    saved: list[bytes] = []

    def real(sender: str, to: str, label: str, *, keep_copy: bool, **dsn: str) -> None:
        raw = lab.message(sender, to, lab.letter(label, real=True))
        relay.send(sender, [to], raw, **dsn)
        if keep_copy:
            saved.append(raw)

    real(USER, "nobody@strict.test", "relay bounce: refused at RCPT", keep_copy=True)
    real(USER, "nobody@remote.test", "remote bounce: BATV+DKIM+Sent", keep_copy=True)
    real(USER, "gone@remote.test", "remote bounce: BATV+DKIM, no Sent copy", keep_copy=False)
    real(ALIAS, "nobody@remote.test", "remote bounce: DKIM only (untagged)", keep_copy=False)
    real(ALIAS, "gone@remote.test", "remote bounce: DKIM+Sent (untagged)", keep_copy=True)
    real(USER, "carl@remote.test", "relay delay warning", keep_copy=True)
    real(USER, "bob@remote.test", "success DSN", keep_copy=True, notify="SUCCESS,FAILURE")
    real(USER, "vera@remote.test", "vacation reply to real mail", keep_copy=True)
    ordinary = lab.letter("ordinary mail from bob", real=True)
    remote.inject("bob@remote.test", [USER], lab.message("bob@remote.test", USER, ordinary))

    def forged(sender: str, to: str, label: str, extra: bytes = b"") -> None:
        raw = lab.message(USER, to, lab.letter(label, real=False))
        remote.send(sender, [to], extra + raw)

    forged(USER, "nobody@remote.test", "forged: untagged, no DKIM")
    forged("prvs=4123abcdef=" + USER, "nobody@remote.test", "forged: made-up BATV tag")
    forged(USER, "gone@remote.test", "forged: fake DKIM signature",
           fake_dkim_signature(uuid.uuid4().hex))  # fmt: skip
    forged(ALIAS, "nobody@remote.test", "forged: untagged alias")
    forged(USER, "vera@remote.test", "forged: vacation reply to spam")
    return saved


def age_round(lab: Lab) -> None:
    """Let the greylisted mail wait long enough for the relay's delay warning, and pump."""
    lab.net.pump()
    lab.relay.age_queue(2 * 3600)
    lab.net.pump()


class LabNet:
    """Start the relay, the remote and the DNS server; stop them all on exit."""

    def __init__(self, workdir: Path) -> None:
        key, record = make_dkim_key(workdir)
        self.dns = Dnsmasq(txt=[(f"{SELECTOR}._domainkey.example.test", record)],
                              domains=["example.test"])  # fmt: skip
        self.remote = Exim("remote", "mx.remote.test", local_domains=["strict.test"],
                           lenient_domains=["remote.test"], mailboxes=["bob"],
                           tempfail=["carl"], vacation=["vera"], dsn_advertise=True)  # fmt: skip
        self.relay = LabRelay("relay", "relay.example.test", local_domains=["example.test"],
                              mailboxes=["alice", "sales"], relay_for_loopback=True,
                              dsn_advertise=True, delay_warning="1h", dkim_key=key,
                              routes={"remote.test": self.remote,
                                      "strict.test": self.remote})  # fmt: skip
        self.remote.routes["*"] = self.relay
        self.net = EximNet([self.relay, self.remote])

    def __enter__(self) -> Lab:
        self.dns.start()
        try:
            self.net.start()
        except BaseException:
            self.dns.close()
            raise
        return Lab(self.relay, self.remote, self.net, self.dns, {})

    def __exit__(self, *exc: object) -> None:
        self.net.close()
        self.dns.close()
