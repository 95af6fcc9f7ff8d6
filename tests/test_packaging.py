"""The distribution installs as users get it: one `ndrguard` name, service and UI inside it.

Builds the wheel from this checkout, installs it into a fresh venv (no network: dependencies
are left out, only the import of our own modules is checked) and looks at what landed.
"""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)]
    subprocess.run(
        [*build, str(ROOT)],
        check=True,
        capture_output=True,
    )
    (whl,) = out.glob("ndrguard-*.whl")
    return whl


def test_wheel_holds_only_the_ndrguard_name(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names}
    assert top == {"ndrguard", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    assert "ndrguard/service/cli/main.py" in names
    assert "ndrguard/ui/__init__.py" in names
    # The tray's German translation, compiled (ui/translations loads it from beside itself).
    assert "ndrguard/ui/translations/ndrguard_de.qm" in names
    assert not any(n.startswith(("service/", "ui/", "tests/")) for n in names)


def test_wheel_imports_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    py = env_dir / "bin" / "python"
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    code = (
        "import ndrguard, ndrguard.service.cli.sources, ndrguard.service.demo.mail;"
        "import importlib.util as u;"
        "assert u.find_spec('service') is None and u.find_spec('ui') is None;"
        "r = ndrguard.recognise_bytes(b'From: a@example.org\\nSubject: hi\\n\\nhello\\n');"
        "print(r.kind)"
    )
    out = subprocess.run([py, "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert out.stdout.strip() == "other"


def test_editable_install_maps_service_and_ui() -> None:
    """The venv the suite runs in is an editable install: same names as the wheel."""
    code = (
        "import ndrguard.service, ndrguard.ui, importlib.util as u;"
        "print(u.find_spec('service') is None, ndrguard.service.__file__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert out.returncode == 0, out.stderr
    no_top_level, path = out.stdout.split()
    assert no_top_level == "True"
    assert Path(path) == ROOT / "service" / "__init__.py"
