"""Shell completion and the man page, both made from the argparse definitions: run in the real
shells (bash; zsh through bashcompinit; fish's own `complete -C`), and the shipped
docs/ndrguard.1 checked against what the commands make today and read by man."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ndrguard.service.cli.main import COMMANDS
from ndrguard.service.cli.parser_tree import tree, walk

NDRGUARD = Path(sys.executable).parent / "ndrguard"
ROOT = Path(__file__).resolve().parents[3]


def _script(shell: str, tmp_path: Path) -> Path:
    out = tmp_path / f"ndrguard.{shell}"
    done = subprocess.run([str(NDRGUARD), "completion", shell], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out.write_text(done.stdout)
    return out


def bash_complete(script: Path, line: str) -> list[str]:
    """What bash offers for `line` (the cursor at its end), by the script's own function."""
    words = line.split(" ")
    quoted = " ".join(f"'{w}'" for w in words)
    program = (f"source {script}; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; "
               'COMP_LINE="$*"; _ndrguard; printf "%s\\n" "${COMPREPLY[@]}"')  # fmt: skip
    done = subprocess.run(
        ["bash", "-c", program], capture_output=True, text=True, cwd=script.parent
    )
    assert done.returncode == 0, done.stderr
    return [w for w in done.stdout.splitlines() if w]


CASES = [
    ("ndrguard ", set(COMMANDS)),
    ("ndrguard account ", {"add", "signin", "list", "remove", "test"}),
    ("ndrguard account add --pol", {"--policy"}),
    ("ndrguard account add --policy ", {"monitor", "block-all", "batv", "evidence"}),
    ("ndrguard autostart ", {"enable", "disable", "status", "desktop"}),
    ("ndrguard completion ", {"bash", "zsh", "fish"}),
    ("ndrguard restore --c", {"--campaign", "--config"}),
    ("ndrguard batv ", {"sign", "check"}),
]


@pytest.mark.parametrize(("line", "wanted"), CASES)
def test_bash_completes_commands_options_and_choices(tmp_path: Path, line: str, wanted: set[str]):
    assert set(bash_complete(_script("bash", tmp_path), line)) == wanted


def test_bash_completes_file_names_for_file_options(tmp_path: Path) -> None:
    (tmp_path / "identity.toml").write_text("")
    assert "identity.toml" in bash_complete(_script("bash", tmp_path), "ndrguard scan --config i")


def test_every_command_and_option_is_offered(tmp_path: Path) -> None:
    script = _script("bash", tmp_path)
    for cmd in walk(tree())[1:]:
        line = "ndrguard " + " ".join(cmd.words) + " --"
        offered = set(bash_complete(script, line))
        flags = {f for o in cmd.options for f in o.flags if f.startswith("--")}
        assert flags <= offered, f"{line!r}: {flags - offered} not offered"


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh not installed (scripts/setup --test)")
def test_zsh_runs_the_same_completion(tmp_path: Path) -> None:
    script = _script("zsh", tmp_path)
    assert script.read_text().startswith("#compdef ndrguard\n")
    program = (f"autoload -U compinit; compinit -u -d {tmp_path}/zcomp; source {script}; "
               "emulate -L sh; setopt kshglob noshglob braceexpand; "
               'COMP_WORDS=(ndrguard account ""); COMP_CWORD=2; _ndrguard; '
               'print -l -- "${COMPREPLY[@]}"')  # fmt: skip
    done = subprocess.run(["zsh", "-f", "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) == {"add", "signin", "list", "remove", "test"}


@pytest.mark.skipif(not shutil.which("fish"), reason="fish not installed (scripts/setup --test)")
def test_fish_completes_from_its_complete_lines(tmp_path: Path) -> None:
    script = _script("fish", tmp_path)

    def fish(line: str) -> set[str]:
        program = f"source {script}; complete -C '{line}'"
        done = subprocess.run(["fish", "--no-config", "-c", program], capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr
        return {row.split("\t")[0] for row in done.stdout.splitlines()}

    assert fish("ndrguard ") == set(COMMANDS)
    assert fish("ndrguard account ") == {"add", "signin", "list", "remove", "test"}
    assert fish("ndrguard account add --policy ") == {"monitor", "block-all", "batv", "evidence"}
    assert "--campaign" in fish("ndrguard restore --")


def test_the_shipped_man_page_is_current_and_lists_every_command() -> None:
    made = subprocess.run([str(NDRGUARD), "manpage"], capture_output=True, text=True).stdout
    shipped = (ROOT / "docs" / "ndrguard.1").read_text()
    assert shipped == made, "docs/ndrguard.1 is stale: run scripts/manpage"
    for cmd in walk(tree())[1:]:
        name = " ".join(cmd.words).replace("-", "\\-")
        assert f"\n.SS {name}\n" in shipped, f"{name} missing from docs/ndrguard.1"
    for flag in ("\\-\\-campaign", "\\-\\-json", "\\-\\-dry\\-run", "NDRGUARD_HOME"):
        assert flag in shipped
    if shutil.which("man"):
        env = {"MANWIDTH": "80", "PATH": "/usr/bin:/bin"}
        page = str(ROOT / "docs" / "ndrguard.1")
        shown = subprocess.run(["man", "-l", page], capture_output=True, text=True, env=env)
        assert shown.returncode == 0, shown.stderr
        assert "mark-legitimate" in shown.stdout and "restore" in shown.stdout
