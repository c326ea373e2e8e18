"""The packages that register problems, claims, experiments, algorithms and families.

Each shipped design-problem package has a ``plugin`` module whose import registers its
problems (:func:`solver.problems.register_problem`) and claims
(:func:`solver.claims.register_claim`); :data:`PLUGIN_MODULES` lists them.

User code is loaded the same way, by import, from two places (:func:`load_user_plugins`):

* installed packages declaring an entry point in the group :data:`ENTRY_POINT_GROUP`
  (``solver.plugins``), e.g. in their ``pyproject.toml``::

      [project.entry-points."solver.plugins"]
      mine = "mine.solver_plugin"

  (the entry point names a module, imported, or a callable, called with no argument);
* the modules named in the environment variable :data:`ENV_VAR` (``SOLVER_PLUGINS``,
  comma-separated, importable from ``PYTHONPATH``), or given to :func:`import_user_module`.

Such a module registers whatever it brings at import time: experiments
(:func:`solver.sweep.experiment`), benchmark algorithms and families
(:func:`solver.bench.register_algorithm`, :func:`solver.bench.register_family`), problems.
A plugin that fails to load is reported with a warning naming it; the others still load.
"""

from __future__ import annotations

import importlib
import os
import warnings

PLUGIN_MODULES: tuple[str, ...] = (
    "solver.sampling.plugin",
    "solver.pricing.plugin",
    "solver.ironing.plugin",
    "solver.sharing.plugin",
    "solver.privacy.plugin",
)
#: Entry-point group of installed packages' plugins.
ENTRY_POINT_GROUP = "solver.plugins"
#: Environment variable naming user plugin modules (comma-separated).
ENV_VAR = "SOLVER_PLUGINS"

_loaded = False
_user_loaded = False


def load_plugins() -> None:
    """Import every shipped plugin module once, then the user plugins."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for mod in PLUGIN_MODULES:
        importlib.import_module(mod)
    load_user_plugins()


def import_user_module(name: str) -> object:
    """Import the user module ``name`` (dotted, on ``sys.path``), which registers its code.

    Parameters
    ----------
    name
        A module name, e.g. ``"mine.algorithms"``.

    Returns
    -------
    module
        The imported module.
    """
    return importlib.import_module(name)


def load_user_plugins() -> None:
    """Load the ``solver.plugins`` entry points and the ``SOLVER_PLUGINS`` modules, once."""
    global _user_loaded
    if _user_loaded:
        return
    _user_loaded = True
    try:
        from importlib.metadata import entry_points

        eps = list(entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # pragma: no cover - broken metadata must not stop the CLI
        eps = []
    for ep in eps:
        try:
            obj = ep.load()
            if callable(obj):
                obj()
        except Exception as exc:
            warnings.warn(f"plugin {ep.name} ({ep.value}) failed to load: "
                          f"{type(exc).__name__}: {exc}", stacklevel=2)
    for name in filter(None, (s.strip() for s in os.environ.get(ENV_VAR, "").split(","))):
        try:
            import_user_module(name)
        except Exception as exc:
            warnings.warn(f"plugin module {name} ({ENV_VAR}) failed to load: "
                          f"{type(exc).__name__}: {exc}", stacklevel=2)
