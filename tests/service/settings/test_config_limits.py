"""A config that cannot crash the service: limits before tomllib, every value checked, errors
with file and line and a "did you mean", and a broken reload that keeps the running config."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from ndrguard.service.settings import config_checks
from ndrguard.service.settings.config import Config, ConfigError, parse
from ndrguard.service.settings.reload import ConfigWatcher

GOOD = '[[accounts]]\nname = "w"\nhost = "h"\nusername = "u"\n'


def bad(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse(text, tmp_path / "config.toml")
    return caught.value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "levels deep"),
        ("a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n", "levels deep"),
        ("x." * 20_000 + "y = 1\n", "dotted parts"),
        ("[" + "t." * 20_000 + "u]\n", "dotted parts"),
        ("\n".join(f"k{i}=1" for i in range(12_000)), "more than"),
        ("# " + "x" * 300_000 + "\n", "bytes"),
    ],
    ids=["arrays", "inline-tables", "dotted-key", "dotted-header", "many-keys", "size"],
)
def test_hostile_shapes_are_refused_before_tomllib_quickly_and_cheaply(
    tmp_path: Path, text: str, words: str
) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    err = bad(tmp_path, text)
    assert words in str(err) and str(tmp_path / "config.toml") in str(err)
    assert time.perf_counter() - began < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB


def test_strings_and_comments_do_not_count_as_nesting(tmp_path: Path) -> None:
    brackets = "[" * 40
    text = GOOD + f"identity = {{ note = '''\n{'{' * 40}\n''' }}\n"
    text += f'sent = "{brackets} \\" {brackets}"\n# {brackets} and x.y.z.{"a." * 40}\n'
    assert config_checks.measure(text) is None
    sent = parse(text, tmp_path / "config.toml").account("w").sent
    assert sent is not None and sent.startswith(brackets)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("timeout_seconds = nan", "timeout_seconds must be a number of seconds"),
        ("timeout_seconds = inf", "timeout_seconds must be a number of seconds"),
        ("poll_seconds = -inf", "poll_seconds must be a number of seconds"),
        ("timeout_seconds = 0", "timeout_seconds must be"),
        ("timeout_seconds = 1e9", "timeout_seconds must be"),
        ("timeout_seconds = true", "timeout_seconds must be"),
        ('quarantine = "inbox"', "cannot be a watched folder or the INBOX"),
        ('quarantine = "INBOX"', "cannot be a watched folder or the INBOX"),
        ('folders = ["INBOX", "Lists"]\nquarantine = "Lists"', "cannot be a watched folder"),
        ('name = "a\\u0000b"', "name must be printable"),
        ('name = "a\\nb"', "name must be printable"),
        ('name = "\\u001b[31mred"', "name must be printable"),
        ('sent = "S\\r\\nA1 LOGOUT"', "sent must be printable"),
        ('folders = ["IN\\u0000BOX"]', "folders must be"),
        ('timout_seconds = 5', "did you mean 'timeout_seconds'"),
        ('policy = "evidense"', "did you mean 'evidence'"),
    ],
)
def test_every_value_is_type_and_range_checked(tmp_path: Path, line: str, words: str) -> None:
    text = GOOD.replace('name = "w"\n', "") if line.startswith("name") else GOOD
    err = bad(tmp_path, text + line + "\n")
    assert words in str(err), str(err)


def test_errors_name_the_file_and_the_line(tmp_path: Path) -> None:
    text = GOOD + "\n[[accounts]]\nname = \"two\"\nhost = \"h\"\nusername = \"u\"\n"
    text += "timeout_seconds = nan\n"
    err = bad(tmp_path, text)
    assert err.line == 10 and err.setting == "timeout_seconds"
    assert f"{tmp_path / 'config.toml'}, line 10: account 'two'" in str(err)
    err = bad(tmp_path, GOOD + "x = [1,\n")
    assert err.line is not None and "is not valid TOML" in str(err)


def test_a_broken_reload_keeps_the_old_config_and_reports_it(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD)
    current = parse(GOOD, path)
    applied: list[Config] = []
    broken: list[ConfigError] = []
    watcher = ConfigWatcher(current, applied.append, broken.append)
    for text in ("a = " + "[" * 50_000 + "]" * 50_000, "x." * 10_000 + "y = 1"):
        path.write_text(text)
        watcher.check()  # what the debounce timer runs; it must return, not raise
    assert applied == [] and len(broken) == 2
    assert all(isinstance(e, ConfigError) for e in broken)
    assert watcher.current is current
    path.write_text(GOOD)
    watcher.check()
    assert applied == [current]  # the good file back: the reported error is cleared


def test_a_reload_whose_apply_fails_is_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD)
    broken: list[ConfigError] = []

    def apply(_config: object) -> None:
        raise RuntimeError("a worker would not start")

    watcher = ConfigWatcher(parse(GOOD, path), apply, broken.append)
    path.write_text(GOOD + "policy = \"batv\"\n")
    watcher.check()
    assert len(broken) == 1 and "a worker would not start" in str(broken[0])


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[[account]]\nname = "w"\n', 1, "unknown setting 'account'; did you mean 'accounts'?"),
        (GOOD + '\n[acounts.extra]\na = 1\n', 6, "did you mean 'accounts'?"),
        ('log_level = "debug"\n' + GOOD, 1, "unknown setting 'log_level'"),
    ],
    ids=["account-singular", "misspelt-table", "unknown-key"],
)
def test_an_unknown_top_level_key_is_refused_not_ignored(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    """`[[account]]` used to parse as a config of no accounts: a service watching nothing."""
    err = bad(tmp_path, text)
    assert words in str(err) and err.line == line, str(err)
    assert f"{tmp_path / 'config.toml'}, line {line}:" in str(err)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("addresses = " + "[" * 50_000 + "]" * 50_000 + "\n", "levels deep"),
        ("x." * 20_000 + "y = 1\n", "dotted parts"),
        ("# " + "x" * 300_000 + "\n", "bytes"),
    ],
    ids=["deep", "dotted", "size"],
)
def test_the_identity_file_has_the_same_limits(tmp_path: Path, text: str, words: str) -> None:
    """The worker reads the identity file on every start: a hostile one must be an error
    that names it, not a RecursionError that ends the worker."""
    from ndrguard.service.settings.identity_file import IdentityFileError, load_identity

    path = tmp_path / "identity.toml"
    path.write_text(text)
    began = time.perf_counter()
    with pytest.raises(IdentityFileError) as caught:
        load_identity(path, lambda _s, _n: None)
    assert words in str(caught.value) and str(path) in str(caught.value)
    assert time.perf_counter() - began < 1.0


def test_the_quarantine_cannot_be_the_sent_folder(tmp_path: Path) -> None:
    err = bad(tmp_path, GOOD + 'sent = "Sent"\nquarantine = "Sent"\n')
    assert "cannot be the Sent folder" in str(err) and err.setting == "quarantine"


def test_a_fifo_or_a_folder_in_place_of_the_config_is_an_error_not_a_hang(tmp_path: Path) -> None:
    """A reload must not block in open() on a FIFO nobody writes to (its thread would hang
    for good), nor take a folder for a file."""
    import os
    import threading

    from ndrguard.service.settings.config import load

    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(outcome, lambda: load(fifo)), daemon=True)
    reader.start()
    reader.join(5)
    assert not reader.is_alive(), "load() hung on a FIFO"
    assert outcome and "is not a regular file" in str(outcome[0]), outcome
    from ndrguard.service.settings.identity_file import IdentityFileError, load_identity

    with pytest.raises(IdentityFileError, match="is not a regular file"):
        load_identity(fifo, lambda _s, _n: None)  # the worker reads it on every start
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="is not a regular file"):
        load(folder)


def _catch(into: list[BaseException], call) -> None:
    try:
        call()
    except BaseException as err:  # the test looks at what it was
        into.append(err)


def test_a_deleted_config_keeps_the_running_one_an_emptied_one_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD)
    current = parse(GOOD, path)
    applied: list[Config] = []
    broken: list[ConfigError] = []
    watcher = ConfigWatcher(current, applied.append, broken.append)
    path.unlink()
    watcher.check()
    assert applied == [] and "the config file is gone" in str(broken[0])
    assert watcher.current is current
    path.write_text(GOOD)
    watcher.check()
    assert applied == [current]  # back as it was: the error cleared
    path.write_text("")
    watcher.check()
    assert [c.accounts for c in applied] == [current.accounts, ()]  # the user's own choice
