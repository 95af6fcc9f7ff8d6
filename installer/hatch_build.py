"""Editable installs that keep the wheel's names.

The wheel places `service/` at `ndrguard/service` and `ui/` at `ndrguard/ui`. Hatchling's exact
editable mode cannot rewrite a prefix like that (editables only maps top-level names), so for
editable builds this hook drops in a small import finder that serves the two subpackages from
the checkout; for wheels it copies them into place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

FINDER = '''"""Serves ndrguard.service and ndrguard.ui from a source checkout (editable install)."""
import importlib.machinery
import importlib.util
import sys

_ROOTS = {roots!r}


class _CheckoutFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        root = _ROOTS.get(fullname)
        if root is None:
            return None
        return importlib.util.spec_from_file_location(
            fullname, root + "/__init__.py", submodule_search_locations=[root]
        )


if not any(f is _CheckoutFinder for f in sys.meta_path):
    sys.meta_path.insert(0, _CheckoutFinder)
'''


class EditableSubpackages(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if version != "editable":
            for sub in ("service", "ui"):
                build_data["force_include"][str(root / sub)] = f"ndrguard/{sub}"
            return
        roots = {
            "ndrguard.service": str(root / "service"),
            "ndrguard.ui": str(root / "ui"),
        }
        out = Path(self.directory) / ".ndrguard-editable"
        out.mkdir(parents=True, exist_ok=True)
        (out / "_ndrguard_checkout.py").write_text(FINDER.format(roots=roots))
        (out / "_ndrguard_checkout.pth").write_text("import _ndrguard_checkout\n")
        build_data["force_include_editable"][str(out / "_ndrguard_checkout.py")] = (
            "_ndrguard_checkout.py"
        )
        build_data["force_include_editable"][str(out / "_ndrguard_checkout.pth")] = (
            "_ndrguard_checkout.pth"
        )
