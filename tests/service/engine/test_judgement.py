"""The service judges with all the evidence, and never on evidence it failed to read (issue 8).

Against a real Dovecot, with `ndrguard scan` run as a user runs it: the user's DKIM key is
served by a real DNS server on loopback (dnsmasq) and read by the lookup the service uses;
a DNS server that does not answer and a misnamed Sent folder hold bounces instead of letting
them pass for unproven; the dry run says message by message what the real scan then does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.core.evidence import factory
from tests.service.imap_util import (
    add_account,
    append_all,
    client,
    digest,
    folder_view,
    ndrguard,
    running,
    service_env,
    status,
    wait_state,
)
from tests.support.dnsmasq import Dnsmasq, dnsmasq_missing_reason, silent_udp_port

pytestmark = pytest.mark.imap

IDENTITY = """\
addresses = ["alice@example.org"]
domains = ["example.org"]
dkim_domains = ["example.org"]
"""


def _home(tmp_path: Path, dovecot, login, policy: str = "evidence") -> tuple[dict, Path]:
    home = tmp_path / "home"
    env = service_env(home)
    identity = tmp_path / "identity.toml"
    identity.write_text(IDENTITY)
    add_account(env, "work", dovecot, login, policy, "--identity", str(identity))
    return env, home


def _set_sent(home: Path, folder: str) -> None:
    """`sent = "..."` in the account's table of the config, as a user would write it."""
    config = home / "config.toml"
    text = re.sub(r'(?m)^sent = ".*"\n', "", config.read_text())
    config.write_text(text.replace('name = "work"\n', f'name = "work"\nsent = "{folder}"\n', 1))


def _scan(env: dict, *args: str) -> tuple[int, dict]:
    done = ndrguard(env, "scan", "--account", "work", "--json", *args)
    return done.returncode, json.loads(done.stdout)["accounts"][0]


def _bounce(message_id: str, *, signed: bool = False) -> bytes:
    original = factory.original(message_id=message_id, subject=f"About {message_id}")
    return factory.dsn(factory.dkim_signed(original) if signed else original)


def _dns_record() -> tuple[str, str]:
    name = (factory.SELECTOR + b"._domainkey." + factory.DOMAIN.encode()).decode()
    return name, factory.dkim_key()[1].decode()


@pytest.mark.skipif(dnsmasq_missing_reason() is not None, reason=str(dnsmasq_missing_reason()))
def test_the_users_dkim_signature_keeps_a_bounce_and_dns_down_holds_it(
    dovecot, imap_account, tmp_path: Path
) -> None:
    signed = _bounce("<signed-1@example.org>", signed=True)
    forged = _bounce("<forged-1@example.org>")
    append_all(dovecot, imap_account, [signed, forged])
    env, _ = _home(tmp_path, dovecot, imap_account)

    # DNS does not answer: the signature cannot be checked, which is no sign of forgery.
    silent, port = silent_udp_port()
    try:
        code, down = _scan({**env, "NDRGUARD_DNS_RESOLVER": f"127.0.0.1:{port}"})
    finally:
        silent.close()
    verdicts = sorted((m["verdict"], m["action"]) for m in down["messages"])
    assert verdicts == [("pending", "hold"), ("undecided", "quarantine")], down
    assert code == 1 and down["unreadable"], down
    assert "could not be read" in " ".join(m["reason"] for m in down["messages"])
    assert sorted(h for h, _ in folder_view(dovecot, imap_account, "INBOX")) == [digest(signed)]

    # The key is served: the held bounce is judged again and proved real by the signature.
    with Dnsmasq(txt=[_dns_record()], domains=[factory.DOMAIN]) as dns:
        code, up = _scan({**env, "NDRGUARD_DNS_RESOLVER": f"127.0.0.1:{dns.port}"})
    assert code == 0, up
    (again,) = up["messages"]
    assert again["verdict"] == "legit" and again["action"] == "keep", again
    assert "valid DKIM signature of example.org" in again["reason"]
    assert [h for h, _ in folder_view(dovecot, imap_account, "INBOX")] == [digest(signed)]
    assert [h for h, _ in folder_view(dovecot, imap_account, "Backscatter")] == [digest(forged)]


def test_a_misnamed_sent_folder_holds_bounces_and_the_account_says_so(
    dovecot, imap_account, tmp_path: Path
) -> None:
    real_id, forged_id = "<real-7@example.org>", "<forged-7@example.org>"
    real, forged = _bounce(real_id), _bounce(forged_id)
    append_all(dovecot, imap_account, [real, forged])
    append_all(dovecot, imap_account, [factory.original(message_id=real_id)], folder="Sent")
    env, home = _home(tmp_path, dovecot, imap_account)
    _set_sent(home, "Sentt")

    code, scanned = _scan(env)
    assert code == 1
    problem = " ".join(scanned["unreadable"])
    assert "Sent folder 'Sentt' does not exist; folders are: " in problem, problem
    assert "Sent" in problem.split("folders are: ")[1].split(", ")
    assert {m["verdict"] for m in scanned["messages"]} == {"pending"}, scanned
    assert sorted(h for h, _ in folder_view(dovecot, imap_account, "INBOX")) == sorted(
        [digest(real), digest(forged)]
    ), "a bounce was quarantined while the evidence that could save it was unreadable"

    shown = ndrguard(env, "status")
    assert shown.returncode != 0
    assert "Sent folder 'Sentt' does not exist" in shown.stdout + shown.stderr

    tested = ndrguard(env, "account", "test", "work")
    assert tested.returncode == 1 and "'Sentt' does not exist" in tested.stdout, tested.stdout

    # The API (and so the tray) shows the account's error while the service runs.
    with running(env, home):
        wait_state(home, "work", "evidence-unreadable", timeout=60)
        live = status(home)
        assert live["attention"] is True
        assert "Sent folder 'Sentt' does not exist" in live["accounts"]["work"]["detail"]

    # Named right, the evidence is read and the held bounces are judged again.
    _set_sent(home, "Sent")
    code, fixed = _scan(env)
    assert code == 0, fixed
    assert sorted(m["verdict"] for m in fixed["messages"]) == ["legit", "undecided"], fixed
    assert [h for h, _ in folder_view(dovecot, imap_account, "INBOX")] == [digest(real)]
    assert [h for h, _ in folder_view(dovecot, imap_account, "Backscatter")] == [digest(forged)]
    tested = ndrguard(env, "account", "test", "work")
    assert tested.returncode == 0 and "Sent folder: Sent (named in the config)" in tested.stdout


def test_without_a_named_sent_folder_account_test_names_the_flagged_one(
    dovecot, imap_account, tmp_path: Path
) -> None:
    env, _ = _home(tmp_path, dovecot, imap_account)
    tested = ndrguard(env, "account", "test", "work")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "Sent folder: Sent (marked \\Sent by the server)" in tested.stdout


def test_dry_run_says_message_by_message_what_the_scan_then_does(
    dovecot, imap_account, tmp_path: Path
) -> None:
    # Real bounces proved by the Sent folder, forged ones, a delay warning, ordinary mail.
    sent_ids = [f"<sent-{i}@example.org>" for i in range(4)]
    mail = [_bounce(i) for i in sent_ids]
    mail += [_bounce(f"<forged-{i}@example.org>") for i in range(5)]
    mail += [factory.dsn(factory.original(message_id="<late@example.org>"), action="delayed")]
    mail += [factory.original(message_id=f"<hello-{i}@example.net>") for i in range(3)]
    append_all(dovecot, imap_account, mail)
    append_all(dovecot, imap_account, [factory.original(message_id=i) for i in sent_ids],
               folder="Sent")  # fmt: skip
    env, _ = _home(tmp_path, dovecot, imap_account)

    code, planned = _scan(env, "--dry-run")
    assert code == 0
    assert len(folder_view(dovecot, imap_account, "INBOX")) == len(mail), "the dry run moved mail"
    code, done = _scan(env)
    assert code == 0

    def decisions(report: dict) -> list[tuple]:
        keys = ("folder", "uid", "subject", "from", "kind", "verdict", "reason", "action")
        return sorted(tuple(m[k] for k in keys) for m in report["messages"])

    assert decisions(planned) == decisions(done)
    actions = [m["action"] for m in done["messages"]]
    assert planned["tally"] == {
        "quarantine": actions.count("quarantine"), "keep": actions.count("keep"), "hold": 0
    }  # fmt: skip
    assert planned["tally"]["keep"] == len(sent_ids)  # the Sent folder was read by the dry run
    assert done["done"]["quarantined"] == planned["tally"]["quarantine"] == 6
    kept = {m["subject"] for m in planned["messages"] if m["action"] == "keep"}
    assert kept == {"Undelivered Mail Returned to Sender"}
    c = client(dovecot, imap_account)
    try:
        assert c.select_folder("Backscatter")[b"EXISTS"] == 6
    finally:
        c.logout()


def _set_policy(home: Path, policy: str) -> None:
    config = home / "config.toml"
    config.write_text(re.sub(r'(?m)^policy = ".*"$', f'policy = "{policy}"', config.read_text()))


def test_rejudge_applies_a_new_policy_to_monitored_mail_and_every_move_is_restorable(
    dovecot, imap_account, tmp_path: Path
) -> None:
    real_id = "<real-9@example.org>"
    forged = [_bounce(f"<forged-9-{i}@example.org>") for i in range(3)]
    real = _bounce(real_id)
    append_all(dovecot, imap_account, [real, *forged])
    append_all(dovecot, imap_account, [factory.original(message_id=real_id)], folder="Sent")
    env, home = _home(tmp_path, dovecot, imap_account, policy="monitor")
    code, first = _scan(env)
    assert code == 0 and {m["action"] for m in first["messages"]} == {"keep"}, first
    assert len(folder_view(dovecot, imap_account, "INBOX")) == 4

    _set_policy(home, "evidence")
    shown = ndrguard(env, "status", "--json")
    assert json.loads(shown.stdout)["accounts"]["work"]["rejudge"] == 4, shown.stdout
    assert "ndrguard rejudge --account work" in ndrguard(env, "status").stdout
    # A scan judges only new mail: the policy change alone moves nothing.
    code, again = _scan(env)
    assert code == 0 and again["messages"] == [], again

    done = ndrguard(env, "rejudge", "--account", "work", "--json")
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["accounts"]
    assert report["done"]["quarantined"] == 3 and report["done"]["kept"] == 1, report
    assert [h for h, _ in folder_view(dovecot, imap_account, "INBOX")] == [digest(real)]
    assert sorted(h for h, _ in folder_view(dovecot, imap_account, "Backscatter")) == sorted(
        digest(m) for m in forged
    )
    assert json.loads(ndrguard(env, "status", "--json").stdout)["accounts"]["work"]["rejudge"] == 0

    # Each move is in the journal and can be undone.
    summary = json.loads(ndrguard(env, "summary", "--json").stdout)["verdicts"]
    moved = [v for v in summary if v["state"] == "quarantined"]
    assert len(moved) == 3 and all(v["policy"] == "evidence" for v in moved)
    back = ndrguard(env, "restore", str(moved[0]["id"]))
    assert back.returncode == 0, back.stderr
    assert len(folder_view(dovecot, imap_account, "INBOX")) == 2

    # An identical copy delivered again is a message of its own: judged, not skipped.
    append_all(dovecot, imap_account, [forged[1]])
    code, copy = _scan(env)
    assert code == 0 and [m["action"] for m in copy["messages"]] == ["quarantine"], copy
    assert len(folder_view(dovecot, imap_account, "Backscatter")) == 3
