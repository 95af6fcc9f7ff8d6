"""`ndrguard batv sign|check` as a user runs it: keys from a file or an identity, exit codes."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ndrguard import batv
from ndrguard.service.cli import batv as batv_cli

EXAMPLE = "prvs=3730537f09=user@example.com"  # Exim 4.96: secret "secret", key 3, 2024-01-01


@pytest.fixture
def secret_file(tmp_path: Path) -> str:
    path = tmp_path / "batv-3"
    path.write_bytes(b"secret\n")
    path.chmod(0o600)
    return str(path)


@pytest.fixture
def identity(tmp_path: Path) -> str:
    keys = tmp_path / "keys"
    keys.mkdir()
    for number, value in ((3, b"secret"), (4, b"newer secret")):
        (keys / f"batv-{number}").write_bytes(value)
        (keys / f"batv-{number}").chmod(0o600)
    path = tmp_path / "identity.toml"
    path.write_text(
        'addresses = ["user@example.com"]\n'
        "[batv]\nlifetime_days = 7\ngrace_days = 3\n"
        '[[batv.keys]]\nnumber = 3\nsecret_file = "keys/batv-3"\n'
        '[[batv.keys]]\nnumber = 4\nsecret_file = "keys/batv-4"\n'
    )
    return str(path)


def main(argv: list[str]) -> int:
    """What service/cli/main.py does with the command: parse, then call the `func` it set.

    Kept apart from cli.main so that these tests stand on this module alone;
    test_the_ndrguard_command_has_batv checks the real entry point.
    """
    parser = argparse.ArgumentParser(prog="ndrguard")
    batv_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["batv", *args])
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run(capsys, "check", "--json", *args)
    return code, json.loads(out)


# --- sign ------------------------------------------------------------------------------------


def test_sign_prints_the_tagged_address(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    code, out, err = run(
        capsys,
        "sign",
        "user@example.com",
        "--secret-file",
        secret_file,
        "--key-number",
        "3",
        "--date",
        "2024-01-01",
    )
    assert (code, out, err) == (0, EXAMPLE + "\n", "")


def test_sign_json(capsys: pytest.CaptureFixture[str], secret_file: str) -> None:
    args = ("--secret-file", secret_file, "--key-number", "3", "--date", "2024-01-01")
    code, out, _ = run(capsys, "sign", "user@example.com", "--json", *args)
    assert code == 0
    assert json.loads(out) == {"address": "user@example.com", "tagged": EXAMPLE, "key": 3,
                               "day": "2024-01-01", "lifetime_days": batv.DEFAULT_LIFETIME}


def test_sign_defaults_to_key_0_and_today(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    before = datetime.now(UTC).date()
    code, out, _ = run(capsys, "sign", "user@example.com", "--secret-file", secret_file)
    after = datetime.now(UTC).date()
    assert code == 0
    assert out.strip() in {
        batv.sign("user@example.com", 0, b"secret", day) for day in (before, after)
    }


def test_sign_with_a_lifetime(capsys: pytest.CaptureFixture[str], secret_file: str) -> None:
    args = ("--secret-file", secret_file, "--date", "2024-01-01", "--lifetime", "30")
    code, out, _ = run(capsys, "sign", "u@example.com", *args)
    assert (code, out.strip()) == (0, batv.sign("u@example.com", 0, b"secret", 19723, 30))


def test_sign_with_an_identity(capsys: pytest.CaptureFixture[str], identity: str) -> None:
    code, out, _ = run(
        capsys,
        "sign",
        "user@example.com",
        "--identity",
        identity,
        "--key-number",
        "3",
        "--date",
        "2024-01-01",
    )
    assert (code, out.strip()) == (0, EXAMPLE)


def test_sign_asks_which_of_several_keys(capsys: pytest.CaptureFixture[str], identity: str) -> None:
    code, out, err = run(capsys, "sign", "user@example.com", "--identity", identity)
    assert (code, out) == (2, "")
    assert "holds keys 3, 4: choose one with --key-number" in err
    code, _, err = run(capsys, "sign", "u@example.com", "--identity", identity, "--key-number", "5")
    assert code == 2
    assert "no key number 5 (it holds: 3, 4)" in err


def test_sign_refuses_a_non_address(capsys: pytest.CaptureFixture[str], secret_file: str) -> None:
    code, out, err = run(capsys, "sign", "user.example.com", "--secret-file", secret_file)
    assert (code, out) == (2, "")
    assert err.startswith("ndrguard: Not valid: not an address"), err


# --- check -----------------------------------------------------------------------------------


def test_check_valid(capsys: pytest.CaptureFixture[str], secret_file: str) -> None:
    code, out, _ = run(
        capsys, "check", EXAMPLE, "--secret-file", secret_file, "--date", "2024-01-05"
    )
    assert code == 0
    assert out.startswith("valid: valid BATV tag made with key 3")


def test_check_json(capsys: pytest.CaptureFixture[str], secret_file: str) -> None:
    code, data = check_json(capsys, EXAMPLE, "--secret-file", secret_file, "--date", "2024-01-05")
    assert code == 0
    assert data["status"] == "valid"
    assert data["key_number"] == 3
    assert data["signed_on"] == "2024-01-01"
    assert data["expires_on"] == "2024-01-08"
    assert data["untagged"] == "user@example.com"
    assert "explanation" in data


@pytest.mark.parametrize(
    ("args", "status", "days_late"),
    [
        (("--date", "2024-01-10", "--grace", "3"), "late", 2),
        (("--date", "2024-01-10"), "expired", 2),
        (("--date", "2024-01-10", "--lifetime", "9"), "expired", 2),  # the tag says 01-08
        (("--date", "2024-01-05", "--key-number", "4"), "unknown-key", 0),
    ],
)
def test_check_verdicts_exit_1_unless_valid(
    capsys: pytest.CaptureFixture[str],
    secret_file: str,
    args: tuple[str, ...],
    status: str,
    days_late: int,
) -> None:
    code, data = check_json(capsys, EXAMPLE, "--secret-file", secret_file, *args)
    assert (data["status"], data["days_late"]) == (status, days_late)
    assert code == (0 if status == "valid" else 1)


def test_check_lifetime_bounds_how_far_ahead_the_expiry_may_be(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    long_lived = batv.sign("user@example.com", 3, b"secret", 19723, lifetime=30)
    args = (long_lived, "--secret-file", secret_file, "--date", "2024-01-01")
    assert check_json(capsys, *args)[1]["status"] == "expired"
    assert check_json(capsys, *args, "--lifetime", "30")[1]["status"] == "valid"


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("prvs=3730537f08=user@example.com", "forged"),
        ("user@example.com", "not-tagged"),
        ("prvs=joe=123ABCDEFG@example.com", "foreign"),
    ],
)
def test_check_other_verdicts(
    capsys: pytest.CaptureFixture[str], secret_file: str, address: str, status: str
) -> None:
    code, data = check_json(capsys, address, "--secret-file", secret_file, "--date", "2024-01-02")
    assert (code, data["status"]) == (1, status)


def test_one_secret_without_a_key_number_serves_any_number(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    tagged = batv.sign("user@example.com", 7, b"secret", 19723)
    code, data = check_json(capsys, tagged, "--secret-file", secret_file, "--date", "2024-01-01")
    assert (code, data["status"], data["key_number"]) == (0, "valid", 7)


def test_check_with_an_identity_uses_its_keys_and_grace(
    capsys: pytest.CaptureFixture[str], identity: str
) -> None:
    newer = batv.sign("user@example.com", 4, b"newer secret", 19723)
    assert check_json(capsys, newer, "--identity", identity, "--date", "2024-01-02")[0] == 0
    code, data = check_json(capsys, EXAMPLE, "--identity", identity, "--date", "2024-01-11")
    assert (code, data["status"], data["days_late"]) == (1, "late", 3)
    code, data = check_json(
        capsys, EXAMPLE, "--identity", identity, "--date", "2024-01-11", "--grace", "0"
    )
    assert data["status"] == "expired"
    code, data = check_json(
        capsys, EXAMPLE, "--identity", identity, "--date", "2024-01-02", "--key-number", "4"
    )
    assert data["status"] == "unknown-key"


def test_check_with_an_identity_settles_look_alikes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, identity: str
) -> None:
    # The user's own mailbox has a local part that also reads as a Cisco tag.
    path = Path(identity)
    path.write_text(path.read_text().replace("user@example.com", "ann=ABCDEFGHIJ@example.com"))
    forged = "prvs=3730000000=ann=ABCDEFGHIJ@example.com"
    _, data = check_json(capsys, forged, "--identity", identity, "--date", "2024-01-02")
    assert data["status"] == "forged"


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("check", EXAMPLE),  # no key source
        ("check", EXAMPLE, "--secret-file", "k", "--identity", "i"),  # two key sources
        ("check", EXAMPLE, "--secret-file", "k", "--date", "2024-13-01"),
        ("check", EXAMPLE, "--secret-file", "k", "--date", "1.1.2024"),
        ("check", EXAMPLE, "--secret-file", "k", "--key-number", "10"),
        ("check", EXAMPLE, "--secret-file", "k", "--lifetime", "0"),
        ("check", EXAMPLE, "--secret-file", "k", "--grace", "-1"),
        ("sign", "u@example.com", "--secret-file", "k", "--grace", "1"),  # check only
        ("frobnicate",),
        (),
    ],
)
def test_argument_errors_exit_2(capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["batv", *args])
    assert caught.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_bad_files_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, secret_file: str
) -> None:
    code, out, err = run(capsys, "check", EXAMPLE, "--secret-file", str(tmp_path / "none"))
    assert (code, out) == (2, "")
    assert "cannot read" in err
    Path(secret_file).chmod(0o644)
    code, _, err = run(capsys, "sign", "u@example.com", "--secret-file", secret_file)
    assert code == 2
    assert "chmod 600" in err
    broken = tmp_path / "broken.toml"
    broken.write_text("addresses = [")
    code, _, err = run(capsys, "check", EXAMPLE, "--identity", str(broken))
    assert code == 2
    assert f"{broken}: is not valid TOML" in err


def test_a_window_too_wide_for_the_day_count(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    code, _, err = run(
        capsys,
        "check",
        EXAMPLE,
        "--secret-file",
        secret_file,
        "--lifetime",
        "900",
        "--grace",
        "100",
    )
    assert code == 2
    assert "less than 1000" in err


def test_the_ndrguard_command_has_batv(
    capsys: pytest.CaptureFixture[str], secret_file: str
) -> None:
    from ndrguard.service.cli.main import main as ndrguard_main  # the installed entry point

    argv = ["batv", "sign", "user@example.com", "--secret-file", secret_file]
    code = ndrguard_main([*argv, "--key-number", "3", "--date", "2024-01-01"])
    assert (code, capsys.readouterr().out) == (0, EXAMPLE + "\n")


def test_add_parser_sets_func() -> None:
    parser = argparse.ArgumentParser(prog="ndrguard")
    batv_cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["batv", "check", EXAMPLE, "--secret-file", "k"])
    assert args.func is batv_cli.run_check
    args = parser.parse_args(["batv", "sign", "u@example.com", "--identity", "i"])
    assert args.func is batv_cli.run_sign
