"""The package's lazily imported names stay what they say, whatever was imported before."""

from __future__ import annotations

import pkgutil

import ndrguard


def test_no_lazy_name_is_also_a_submodule() -> None:
    """Importing a submodule sets the package attribute of its name, shadowing a lazy export."""
    submodules = {m.name for m in pkgutil.iter_modules(ndrguard.__path__)}
    assert not submodules & set(ndrguard.__all__), sorted(submodules & set(ndrguard.__all__))


def test_each_lazy_name_resolves_to_its_object() -> None:
    for name in ndrguard.__all__:
        value = getattr(ndrguard, name)
        assert not isinstance(value, type(ndrguard)), f"ndrguard.{name} is a module"
