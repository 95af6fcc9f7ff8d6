"""The host-only mail lab, used the way a user uses ndrguard: every message's final folder.

Real Exim relay (BATV + DKIM) and remote Exim on loopback make real bounces, delay warnings,
success DSNs and vacation replies for mail the user sent, and the same kinds for spam that
forged the user's addresses; dnsmasq serves the DKIM key; everything is delivered into a real
Dovecot (self-signed certificate) by dovecot-lda, with the Sent folder holding what the user's
mail client saved. ndrguard is then set up with `account add --ca-file` and an identity file
(docs/identity.md), and `scan --dry-run --json`, `scan --json`, `classify` and `run` (with a
burst of mail arriving while it runs) are held to one truth: mail the user sent is answered in
the INBOX, forged answers are in the quarantine. A placement table is printed for each test.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lab.mailnet import ALIAS, BATV_KEYS, USER, Lab, LabNet, age_round, send_round
from tests.service.imap_util import (
    add_account,
    client,
    digest,
    ndrguard,
    running,
    service_env,
    wait_state,
)
from tests.support.dnsmasq import dnsmasq_missing_reason
from tests.support.dovecot import Account, Dovecot, dovecot_missing_reason
from tests.support.exim import exim_missing_reason

pytestmark = pytest.mark.lab

QUARANTINE = "Backscatter"
REAL_VERDICTS = {"legit", "not-a-bounce"}
FORGED_VERDICTS = {"batv": {"backscatter"}, "evidence": {"backscatter", "undecided"}}


def require() -> None:
    missing = exim_missing_reason() or dovecot_missing_reason() or dnsmasq_missing_reason()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the host mail lab cannot run in CI: {missing}")
        pytest.skip(missing)


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    require()
    with LabNet(tmp_path) as made:
        yield made


@pytest.fixture
def mailbox(tls_certificate) -> Iterator[tuple[Dovecot, Account]]:
    server = Dovecot({USER: "alice-lab-secret"}, certificate=tls_certificate)
    try:
        server.start()
        yield server, server.accounts[0]
    finally:
        server.close()


def deliver_round(lab: Lab, server: Dovecot, login: Account, already: int = 0) -> int:
    """Make one round of mail, save the Sent copies, hand the relay's deliveries to the LDA."""
    for raw in send_round(lab):
        server.append(login.user, raw, mailbox="Sent")
    age_round(lab)
    delivered = lab.delivered()
    for raw in delivered[already:]:
        server.deliver(login.user, raw)
    return len(delivered)


def identity_file(home: Path) -> Path:
    keys = home / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    lines = [
        f'addresses = ["{USER}", "{ALIAS}"]',
        'relays = ["relay.example.test"]',
        'dkim_domains = ["example.test"]',
        "",
        "[batv]",
        "lifetime_days = 7",
    ]
    for number, secret in BATV_KEYS.items():
        secret_file = keys / f"batv-{number}"
        secret_file.write_text(secret + "\n")
        secret_file.chmod(0o600)  # docs/identity.md: a key file others can read is refused
        lines += ["", "[[batv.keys]]", f"number = {number}", f'secret_file = "keys/batv-{number}"']
    path = home / "identity.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def set_up(lab: Lab, server: Dovecot, login: Account, home: Path, policy: str) -> dict[str, str]:
    env = {**service_env(home), "NDRGUARD_DNS_RESOLVER": lab.resolver}
    add_account(env, "lab", server, login, policy, "--identity", str(identity_file(home)))
    return env


def fetch(server: Dovecot, login: Account, folder: str) -> dict[int, bytes]:
    c = client(server, login)
    try:
        if not c.folder_exists(folder):
            return {}
        c.select_folder(folder, readonly=True)
        uids = c.search(["NOT", "DELETED"])
        return {u: d[b"BODY[]"] for u, d in c.fetch(uids, [b"BODY.PEEK[]"]).items()} if uids else {}
    finally:
        c.logout()


def placements(
    lab: Lab, server: Dovecot, login: Account, policy: str, verdicts: dict[str, str]
) -> list[str]:
    """Check every message's folder (and verdict, where known) against the truth; print the
    placement table; return the wrong ones, each naming the message and the reason."""
    where = {digest(raw): (folder, raw) for folder in ("INBOX", QUARANTINE)
             for raw in fetch(server, login, folder).values()}  # fmt: skip
    table: Counter[tuple[str, bool]] = Counter()
    wrong: list[str] = []
    for key, (folder, raw) in sorted(where.items()):
        letter = lab.truth(raw)
        want = "INBOX" if letter.real else QUARANTINE
        verdict = verdicts.get(key)
        allowed = REAL_VERDICTS if letter.real else FORGED_VERDICTS[policy]
        ok = folder == want and (verdict is None or verdict in allowed)
        table[(letter.label, ok)] += 1
        if not ok:
            wrong.append(f"{letter.token} ({letter.label}): expected {want}, got {folder}, "
                         f"verdict {verdict}")  # fmt: skip
    labels = sorted({label for label, _ in table})
    print(f"\nplacement table, policy {policy}: {len(where)} messages")
    print(f"  {'kind':<45} right wrong")
    for label in labels:
        print(f"  {label:<45} {table[(label, True)]:>5} {table[(label, False)]:>5}")
    print(f"  {'total':<45} {sum(n for (_, ok), n in table.items() if ok):>5} {len(wrong):>5}")
    return wrong


def scan_json(env: dict[str, str], *args: str) -> list[dict]:
    done = ndrguard(env, "scan", "--json", *args)
    assert done.returncode == 0, done.stderr + done.stdout
    (account,) = json.loads(done.stdout)["accounts"]
    return account["messages"]


def classify(env: dict[str, str], home: Path, policy: str, inbox: dict[int, bytes],
             sent: dict[int, bytes]) -> dict[str, dict]:  # fmt: skip
    """`ndrguard classify --identity --sent` on the same bytes: digest -> its JSON line."""
    files, sent_dir = home / "inbox-copy", home / "sent-copy"
    for sub in ("cur", "new", "tmp"):
        (sent_dir / sub).mkdir(parents=True, exist_ok=True)
    files.mkdir()
    for uid, raw in inbox.items():
        (files / f"{uid}.eml").write_bytes(raw)
    for uid, raw in sent.items():
        (sent_dir / "cur" / f"{uid}.lab:2,S").write_bytes(raw)
    done = ndrguard(env, "classify", "--json", "--identity", str(home / "identity.toml"),
                    "--sent", str(sent_dir), "--policy", policy, str(files))  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    by_uid = {int(Path(line["file"]).stem): line for line in lines}
    return {digest(inbox[uid]): line for uid, line in by_uid.items()}


@pytest.mark.parametrize("policy", ["batv", "evidence"])
def test_scan_places_every_message_right_and_dry_run_and_classify_agree(
    lab: Lab, mailbox: tuple[Dovecot, Account], tmp_path: Path, policy: str
) -> None:
    server, login = mailbox
    deliver_round(lab, server, login)
    home = tmp_path / "home"
    env = set_up(lab, server, login, home, policy)
    inbox = fetch(server, login, "INBOX")
    told = classify(env, home, policy, inbox, fetch(server, login, "Sent"))

    dry = scan_json(env, "--dry-run")
    assert fetch(server, login, "INBOX") == inbox, "the dry run changed the mailbox"
    real = scan_json(env)
    decisions = {m["uid"]: (m["verdict"], m["action"]) for m in real}
    assert {m["uid"]: (m["verdict"], m["action"]) for m in dry} == decisions

    verdicts = {digest(inbox[uid]): verdict for uid, (verdict, _) in decisions.items()}
    wrong = placements(lab, server, login, policy, verdicts)
    assert not wrong, f"{len(wrong)} wrong placement(s):\n" + "\n".join(wrong)
    differ = [
        f"{lab.truth(inbox[uid]).token}: scan {decisions.get(uid)}, classify "
        f"{(told[digest(raw)]['verdict'], told[digest(raw)]['action'])}"
        for uid, raw in inbox.items()
        if decisions.get(uid, ("not-a-bounce", "keep"))
        != (told[digest(raw)]["verdict"], told[digest(raw)]["action"])
        and told[digest(raw)]["kind"] != "other"
    ]
    assert not differ, "scan and classify disagree:\n" + "\n".join(differ)


def test_run_judges_a_burst_that_arrives_while_it_runs(
    lab: Lab, mailbox: tuple[Dovecot, Account], tmp_path: Path
) -> None:
    server, login = mailbox
    first = deliver_round(lab, server, login)
    home = tmp_path / "home"
    env = set_up(lab, server, login, home, "evidence")
    with running(env, home) as proc:
        wait_state(home, "lab", "watching", timeout=60)
        total = first
        for _ in range(3):  # the burst: three more rounds through the MTAs, while it watches
            total = deliver_round(lab, server, login, already=total)
        forged = sum(1 for raw in lab.delivered() if not lab.truth(raw).real)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(fetch(server, login, QUARANTINE)) < forged:
            time.sleep(0.5)
        time.sleep(2)  # anything still moving now would be a move too many
        assert proc.poll() is None, (home / "run.out").read_text()
    wrong = placements(lab, server, login, "evidence", {})
    assert len(fetch(server, login, "INBOX")) + len(fetch(server, login, QUARANTINE)) == total
    assert not wrong, f"{len(wrong)} wrong placement(s):\n" + "\n".join(wrong)
