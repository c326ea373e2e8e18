"""The design-problem packages that register problems and claims when imported.

Each package has a ``plugin`` module whose import registers its problems
(:func:`solver.problems.register_problem`) and claims (:func:`solver.claims.register`).
Adding a design problem means adding its module here, nothing else.
"""

from __future__ import annotations

import importlib

PLUGIN_MODULES: tuple[str, ...] = (
    "solver.sampling.plugin",
    "solver.pricing.plugin",
    "solver.ironing.plugin",
    "solver.sharing.plugin",
    "solver.privacy.plugin",
)

_loaded = False


def load_plugins() -> None:
    """Import every plugin module once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for mod in PLUGIN_MODULES:
        importlib.import_module(mod)
