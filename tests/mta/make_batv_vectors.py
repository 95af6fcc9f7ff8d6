"""Regenerate tests/data/batv/exim_vectors.json from what the real Exim signs.

Run from the repository root: `.venv/bin/python -m tests.mta.make_batv_vectors`. It needs the
Exim binary and faketime (scripts/setup --test installs both). The vectors are then checked
by tests/core/test_batv.py on every run, with no Exim needed.

Also home of EximExpander, which test_batv_exim.py uses for its cross-check: it runs Exim's
expansion test mode (`exim -be`), which reads one expansion per line from stdin and needs no
daemon, spool or network. Exim's prvs items read the clock, so each batch runs under faketime.
faketime works by LD_PRELOAD, which the loader ignores for set-uid programs unless the caller is
root already; the expander therefore runs a private, non-set-uid copy of the binary, which
works the same for root and for an ordinary user.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType

from tests.support.exim import find_exim

VECTORS = Path(__file__).resolve().parents[1] / "data" / "batv" / "exim_vectors.json"
SEED = 20240101
COUNT = 30

# Characters that mean something to Exim's expander ($ { } \) stay out of generated values.
LOCAL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_+=/!#%&'*?^`|~"
UTF8_CHARS = "äöüßéñçøåłж日本"
SECRET_CHARS = LOCAL_CHARS + ' "(),:;<>@[]'


class ExpansionError(RuntimeError):
    """Exim's expansion test mode did not give the answers asked for."""


def tools_missing() -> str | None:
    """Why the expander cannot run here, or None when it can."""
    if find_exim() is None:
        return "Exim is not installed (scripts/setup --test installs exim4-daemon-light)"
    if shutil.which("faketime") is None:
        return "faketime is not installed (scripts/setup --test installs it)"
    return None


class EximExpander:
    """Runs batches of Exim expansions as if on a given day (12:00 UTC)."""

    def __init__(self) -> None:
        exim = find_exim()
        faketime = shutil.which("faketime")
        if exim is None or faketime is None:
            raise ExpansionError(tools_missing() or "Exim or faketime missing")
        self._faketime = faketime
        self._dir = Path(tempfile.mkdtemp(prefix="ndrguard-exim-be-"))
        self._exim = self._dir / "exim"
        shutil.copyfile(exim, self._exim)
        self._exim.chmod(0o755)  # no set-uid bit, so LD_PRELOAD (faketime) reaches it
        # Without a primary_hostname Exim resolves its own host name at start-up, which asks
        # the DNS (and stalls 5 s when the resolver drops the query): keep it off the network.
        self._config = self._dir / "exim.conf"
        self._config.write_text("primary_hostname = batv.test\n")
        self.version = subprocess.run(
            [str(self._exim), "-C", str(self._config), "-bV"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        ).stdout.splitlines()[0]

    def __enter__(self) -> EximExpander:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def expand(self, day: date, expansions: Sequence[str]) -> list[str]:
        """Exim's result for each expansion, evaluated on `day`; one Exim run for the batch."""
        for line in expansions:
            if "\n" in line or line.endswith("\\"):
                raise ValueError(f"one expansion per line, no continuation: {line!r}")
        # The first line proves faketime reached Exim: otherwise every answer would be for the
        # real date and the comparison would fail in confusing ways.
        lines = ["$tod_logfile", *expansions]
        clock = f"{day.isoformat()} 12:00:00"
        done = subprocess.run(
            [self._faketime, clock, str(self._exim), "-C", str(self._config), "-be"],
            input="".join(f"{line}\n" for line in lines).encode(),
            capture_output=True,
            check=False,
            timeout=60,
            env={**os.environ, "TZ": "UTC"},
        )
        out = [
            line.removeprefix("> ")
            for line in done.stdout.decode("utf-8", "surrogateescape").split("\n")
            if line.startswith(">")
        ]
        if done.returncode != 0 or len(out) < len(lines):
            raise ExpansionError(
                f"exim -be failed (exit {done.returncode}): {done.stderr.decode(errors='replace')}"
            )
        if out[0] != day.strftime("%Y%m%d"):
            raise ExpansionError(f"faketime did not reach Exim: asked {day}, Exim says {out[0]}")
        return out[1 : len(lines)]


def random_address(rng: random.Random) -> str:
    """An address with the odd characters real local parts have, sometimes in UTF-8."""
    chars = LOCAL_CHARS + (UTF8_CHARS if rng.random() < 0.2 else "")
    local = "".join(rng.choice(chars) for _ in range(rng.randint(1, 24)))
    labels = [
        "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
            for _ in range(rng.randint(1, 12))
        )
        for _ in range(rng.randint(1, 3))
    ]
    if rng.random() < 0.1:
        labels[0] += rng.choice(UTF8_CHARS)
    return f"{local}@{'.'.join([*labels, rng.choice(['org', 'com', 'test', 'DE'])])}"


def random_secret(rng: random.Random) -> str:
    """A secret of 1 to 64 bytes: Exim refuses longer ones ("hmac-sha1 conversion failed")."""
    chars = SECRET_CHARS + (UTF8_CHARS if rng.random() < 0.2 else "")
    while True:
        secret = "".join(rng.choice(chars) for _ in range(rng.randint(1, 64)))
        if len(secret.encode()) <= 64:
            return secret


def random_day(rng: random.Random) -> date:
    """A day from 1971 to 2099, one time in three next to the wrap of DDD from 999 to 000."""
    day = rng.randint(365, 47_000)
    if rng.random() < 1 / 3:
        day = day - day % 1000 + rng.choice([990, 991, 992, 993, 994, 995, 996, 999, 1000, 1001])
    return date(1970, 1, 1) + timedelta(days=day)


def prvs_expansion(address: str, secret: str, key_number: int) -> str:
    return f"${{prvs {{{address}}}{{{secret}}}{{{key_number}}}}}"


def make_vectors(expander: EximExpander, rng: random.Random) -> list[dict[str, object]]:
    """COUNT vectors: the draft's example first, then fixed edge cases, then random ones."""
    cases: list[tuple[str, int, str, date]] = [
        ("user@example.com", 3, "secret", date(2024, 1, 1)),
        ("User.Name@Example.COM", 0, "secret", date(2024, 1, 1)),
        ("joe=bloggs@example.org", 9, "k", date(2024, 9, 20)),
        ("dept/sales@example.org", 5, "a" * 64, date(2024, 9, 27)),
        ("1234567890@example.net", 1, "phone numbers look like tags", date(1999, 12, 31)),
        ("jürgen@bücher.example", 2, "schlüssel", date(2038, 1, 19)),
    ]
    while len(cases) < COUNT:
        cases.append((random_address(rng), rng.randint(0, 9), random_secret(rng), random_day(rng)))
    vectors = []
    for address, key_number, secret, day in cases:
        (tagged,) = expander.expand(day, [prvs_expansion(address, secret, key_number)])
        if not tagged.startswith("prvs="):
            raise ExpansionError(f"Exim did not sign {address!r}: {tagged}")
        vectors.append(
            {
                "address": address,
                "key_number": key_number,
                "secret": secret,
                "signed_on": day.isoformat(),
                "tagged": tagged,
            }
        )
    return vectors


def main() -> int:
    missing = tools_missing()
    if missing:
        print(f"make_batv_vectors: {missing}", file=sys.stderr)
        return 2
    with EximExpander() as expander:
        vectors = make_vectors(expander, random.Random(SEED))
        document = {
            "about": "BATV prvs tags as signed by the real Exim; secrets are used as UTF-8 bytes",
            "generator": "python -m tests.mta.make_batv_vectors",
            "exim": expander.version,
            "vectors": vectors,
        }
    VECTORS.parent.mkdir(parents=True, exist_ok=True)
    VECTORS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(vectors)} vectors to {VECTORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
