"""`ndrguard status`, `summary`, `restore` and `mark-legitimate`, with a service and without.

With a service running, the commands must go through its API: the restore is then made by the
service's worker, and a mailbox opened by the command itself is a failure (it is what raced
the worker's Maildir numbering). Without one, the same commands work on the state file and a
mailbox of their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from ndrguard.service.cli import main as cli
from ndrguard.service.cli.demo import lay_out
from ndrguard.service.demo import mailbox as demo_mailbox
from ndrguard.service.engine import daemon
from ndrguard.service.mailboxes.base import Mailbox
from tests.ui.service_process import ServiceProcess, wait_for


def ndrguard(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def summary(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    code, out, err = ndrguard(capsys, "summary", "--json")
    assert code == 0, err
    return json.loads(out)["verdicts"]


@pytest.fixture
def running(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServiceProcess]:
    proc = ServiceProcess(burst=0)
    proc.start()
    proc.wait_ready()
    monkeypatch.setenv("NDRGUARD_HOME", str(proc.home))

    def beside_the_service(*_args: object) -> Mailbox:
        raise AssertionError("the command opened the mailbox beside the running service")

    monkeypatch.setattr(daemon, "open_mailbox", beside_the_service)
    yield proc
    proc.close()


def test_with_a_service_the_commands_go_through_it(running, capsys):
    code, out, _ = ndrguard(capsys, "status")
    assert code == 0 and "demo: watching" in out and "INBOX: read up to UID" in out, out
    assert "file events" in out, out
    status = json.loads(ndrguard(capsys, "status", "--json")[1])
    assert status["running"] and status["accounts"]["demo"]["service"]["state"] == "watching"

    verdicts = summary(capsys)
    first, second = [v for v in verdicts if v["state"] == "quarantined"][:2]
    code, out, err = ndrguard(capsys, "restore", str(first["id"]))
    assert code == 0 and out == f"restored message {first['id']} to demo/INBOX\n", err
    code, _, err = ndrguard(capsys, "restore", str(first["id"]))
    assert code == 1 and "not in quarantine" in err
    code, out, err = ndrguard(capsys, "mark-legitimate", str(second["id"]))
    assert code == 0 and "moved back to demo/INBOX" in out, err
    after = {v["id"]: v for v in summary(capsys)}
    assert after[second["id"]]["verdict"] == "legit"
    assert {after[i]["state"] for i in (first["id"], second["id"])} == {"restored"}


def test_with_a_service_status_shows_a_broken_config_and_the_running_accounts(running, capsys):
    config = running.home / "config.toml"
    good = config.read_text()
    config.write_text("[[accounts]\nbroken")
    try:
        wait_for(lambda: running.client().call("status")["config_error"], what="config error")
        code, out, err = ndrguard(capsys, "status")
        assert code == 1 and out.startswith("The config file has an error"), out
        assert "demo: watching" in out and "runs on the last good one" in err
    finally:
        config.write_text(good)


def test_without_a_service_the_commands_work_on_the_files(tmp_path, monkeypatch, capsys):
    lay_out(tmp_path, demo_mailbox.build(burst=0))
    monkeypatch.setenv("NDRGUARD_HOME", str(tmp_path))
    assert ndrguard(capsys, "scan")[0] == 0
    code, out, err = ndrguard(capsys, "status")
    assert out.startswith("The service is not running") and "demo: not watched" in out
    assert code == 1 and err == "ndrguard: the service is not running\n"
    assert not (tmp_path / "api.key").exists(), "asking for a service must not make a key"

    verdicts = summary(capsys)
    first, second = [v for v in verdicts if v["state"] == "quarantined"][:2]
    code, out, err = ndrguard(capsys, "restore", str(first["id"]))
    assert code == 0 and out == f"restored message {first['id']} to demo/INBOX\n", err
    code, out, err = ndrguard(capsys, "mark-legitimate", str(second["id"]))
    assert code == 0 and "moved back to demo/INBOX" in out, err
    code, _, err = ndrguard(capsys, "restore", "999999")
    assert code == 1 and "no message with id 999999" in err
    quarantine = tmp_path / "Mail" / ".Backscatter"
    left = sum(len(list((quarantine / sub).iterdir())) for sub in ("new", "cur"))
    assert left == sum(v["state"] == "quarantined" for v in verdicts) - 2


def test_summary_pages_through_more_than_one_api_page(tmp_path, monkeypatch, capsys):
    lay_out(tmp_path, demo_mailbox.build(burst=0))
    monkeypatch.setenv("NDRGUARD_HOME", str(tmp_path))
    monkeypatch.setattr("ndrguard.service.cli.status.PAGE", 7)
    assert ndrguard(capsys, "scan")[0] == 0
    ids = [v["id"] for v in summary(capsys)]
    assert len(ids) > 7 and ids == sorted(set(ids), reverse=True)


def test_restore_several_ids_and_a_campaign_with_a_summary_line(tmp_path, monkeypatch, capsys):
    lay_out(tmp_path, demo_mailbox.build(burst=20))
    monkeypatch.setenv("NDRGUARD_HOME", str(tmp_path))
    assert ndrguard(capsys, "scan")[0] == 0
    quarantined = [v["id"] for v in summary(capsys) if v["state"] == "quarantined"]
    a, b, c = quarantined[:3]
    code, out, err = ndrguard(capsys, "restore", str(a), str(b), "999999")
    assert code == 1 and "no message with id 999999" in err and out == "", "nothing may move"
    code, out, err = ndrguard(capsys, "restore", str(a), str(b))
    assert code == 0, err
    assert out.splitlines() == [
        f"restored message {a} to demo/INBOX",
        f"restored message {b} to demo/INBOX",
        "2 of 2 message(s) restored (2 to demo/INBOX)",
    ]
    code, out, err = ndrguard(capsys, "restore", str(c), str(a))
    assert code == 1 and f"message {a} was not restored: " in err and "not in quarantine" in err
    assert out.splitlines()[-1] == "1 of 2 message(s) restored (1 to demo/INBOX); 1 not restored"
    journal = {v["id"]: v["state"] for v in summary(capsys)}
    assert journal[a] == journal[b] == journal[c] == "restored"

    # A campaign by one of its messages: all of the campaign comes back, nothing else.
    code, out, err = ndrguard(capsys, "restore", "--campaign", str(quarantined[3]), "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert quarantined[3] in answer["restored"] and not answer["failed"]
    after = {v["id"]: v for v in summary(capsys)}
    assert {after[i]["state"] for i in answer["restored"]} == {"restored"}
    left = [v for v in after.values() if v["state"] == "quarantined"]
    assert left, "the demo's burst is more than one campaign"
    assert not set(answer["restored"]) & {v["id"] for v in left}
    code, _, err = ndrguard(capsys, "restore", "--campaign", "no such subject at all")
    assert code == 1 and "0 campaigns match 'no such subject at all'" in err


def test_account_list_says_when_there_are_none_and_lists_as_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NDRGUARD_HOME", str(tmp_path))
    (tmp_path / "config.toml").write_text("")
    code, out, _ = ndrguard(capsys, "account", "list")
    assert code == 0 and out.startswith(f"No accounts in {tmp_path / 'config.toml'}; add one")
    lay_out(tmp_path, demo_mailbox.build(burst=0))
    code, out, _ = ndrguard(capsys, "account", "list", "--json")
    (account,) = json.loads(out)["accounts"]
    assert code == 0 and account["name"] == "demo" and account["maildir"].endswith("Mail")


def test_status_exits_1_and_names_a_failing_account(running, capsys):
    config = running.home / "config.toml"
    config.write_text(
        config.read_text()
        + '\n[[accounts]]\nname = "broken"\nhost = "127.0.0.1"\nport = 9\n'
        'security = "plain"\nusername = "u"\nquarantine = "Backscatter"\n'
    )
    wait_for(
        lambda: any(a["account"] == "broken" and a["state"] not in ("starting", "connecting")
                    for a in running.client().call("status")["accounts"]),
        what="the broken account to fail",
    )
    code, out, err = ndrguard(capsys, "status")
    assert code == 1 and "demo: watching" in out, out
    assert err.startswith("ndrguard: account broken is failing: "), err
    broken = out[out.index("broken: ") :]
    assert "  faults since the service started: " in broken, out
    assert "faults since" not in out[: out.index("broken: ")], out  # demo has had none
    status = json.loads(ndrguard(capsys, "status", "--json")[1])
    assert status["failing"] == ["broken"]
