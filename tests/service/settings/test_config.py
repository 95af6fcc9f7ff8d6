"""The config file: the documented account table, errors that name the setting, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from ndrguard.service.settings.config import Account, ConfigError, Paths, parse
from ndrguard.service.settings.toml_edit import add_account, remove_account

ISSUE_EXAMPLE = """
[[accounts]]
name = "work"
host = "127.0.0.1"
port = 993
security = "tls"              # tls | starttls | plain
username = "user@example.org"
ca_file = "ca.pem"            # optional; relative to the config file
quarantine = "Backscatter"
policy = "batv"               # monitor | block-all | batv | evidence
identity = "identity.toml"    # the identity file of the verdicts issue, or an inline table
"""


def test_the_example_of_issue_4_parses(tmp_path: Path) -> None:
    config = parse(ISSUE_EXAMPLE, tmp_path / "config.toml")
    work = config.account("work")
    assert work.ca_file == tmp_path / "ca.pem"
    assert work.identity == tmp_path / "identity.toml"
    assert work.policy == "batv" and work.port == 993


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[[accounts]]\nname = "w"\nhost = "h"\nusername = "u"\npolicy = "nuke"\n', "policy"),
        ('[[accounts]]\nname = "w"\nhost = "h"\nusername = "u"\npasword = "x"\n', "pasword"),
        ('[[accounts]]\nname = "w"\n', "maildir"),
        ("[[accounts]\n", "TOML"),
    ],
)
def test_errors_name_the_setting(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        parse(text, tmp_path / "config.toml")


def test_account_round_trips_through_toml_and_removal(tmp_path: Path) -> None:
    a = Account(name="x", host="h", username="u@example.org", ca_file=Path("/ca.pem"))
    text = add_account(ISSUE_EXAMPLE, a.to_table())
    assert text.startswith(ISSUE_EXAMPLE)  # what was there stays as it was
    config = parse(text, tmp_path / "c.toml")
    assert config.account("x") == a
    left = parse(remove_account(config.text, "work"), tmp_path / "c.toml")
    assert [acc.name for acc in left.accounts] == ["x"]


def test_ndrguard_home_holds_everything(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NDRGUARD_HOME", str(tmp_path))
    p = Paths.resolve()
    assert {p.config_file.parent, p.state_file.parent, p.log_dir.parent} == {tmp_path}


def test_the_documented_example_config_parses_under_every_check(tmp_path: Path) -> None:
    """docs/config.example.toml is what users copy: it must pass the checks the service
    makes (no unknown key, every value in range), with its accounts as the comments say."""
    example = Path(__file__).resolve().parents[3] / "docs" / "config.example.toml"
    config = parse(example.read_text(encoding="utf-8"), tmp_path / "config.toml")
    assert [a.name for a in config.accounts] == ["work", "synced"]
    assert config.account("synced").is_maildir and config.account("work").security == "tls"
