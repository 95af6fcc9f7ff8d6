"""The shared labelled corpus (../shared/corpus), when it is there.

It exists in CI and on the developers' machines but not in a user's clone, so every test that
reads it asks `corpus_or_skip()` first and is skipped with a reason that says where it looked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_BESIDE_CHECKOUT = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
CORPUS = Path(os.environ.get("NDRGUARD_CORPUS", _BESIDE_CHECKOUT))


@dataclass(frozen=True)
class Sample:
    file: str  # relative to the corpus root, as labels.jsonl names it
    kind: str
    family: str  # software family for bounces; "ordinary" for the rest
    path: Path

    def read(self) -> bytes:
        return self.path.read_bytes()


def corpus_or_skip() -> Path:
    if not (CORPUS / "labels.jsonl").is_file():
        pytest.skip(f"shared corpus not found at {CORPUS} (set NDRGUARD_CORPUS to use another)")
    return CORPUS


def samples() -> Iterator[Sample]:
    root = corpus_or_skip()
    with (root / "labels.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                yield Sample(
                    file=row["file"],
                    kind=row["kind"],
                    family=row.get("family") or row["file"].split("/")[0],
                    path=root / row["file"],
                )
