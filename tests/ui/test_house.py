"""The tray app's house rule: ui/ reaches the service through the API client and protocol only.

Stands for: a change to the service's insides (config, store, engine) must never break the
tray, and the tray must never read the service's files behind its back.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"
ALLOWED = {"ndrguard.service.api.client", "ndrguard.service.api.protocol"}


def test_ui_imports_only_the_api_client_and_protocol_of_the_service() -> None:
    found = []
    for path in sorted(UI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            found += [
                f"{path.name}: {n}"
                for n in names
                if n.startswith("ndrguard.service") and n not in ALLOWED
            ]
    assert found == []
