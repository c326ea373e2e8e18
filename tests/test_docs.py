"""Documentation that cannot drift: every fenced code block in README.md and docs/ runs.

Block kinds (the fence's language):

``python``
    Executed from the repository root in a fresh namespace.  It must print nothing, unless
    the next block is a ``text`` block: then what it prints must be exactly that text.
``pycon``
    A doctest session (``>>>`` prompts with their output), checked by :mod:`doctest`.
``bash``
    Each line is a command run in a temporary directory holding a copy of ``data/``, with
    this interpreter's ``solver`` first on ``PATH``; each must exit 0.  A block right after
    the HTML comment ``<!-- run by .ci/run -->`` is the quick start, which CI runs verbatim
    instead.
``console``
    ``$ command`` lines, each followed by its exact expected output (stdout and stderr);
    run in a temporary directory holding a copy of ``data/``.
``text``, ``yaml``, ``json``, ``math``
    Not code (an expected output, or an instance file shown whole): ``json`` and ``yaml``
    blocks must parse.

Any other language, or none, is an error: every block says what it is.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([A-Za-z0-9_-]*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
CI_MARK = "<!-- run by .ci/run -->"
KNOWN = {"python", "pycon", "bash", "console", "text", "yaml", "json", "math"}


def blocks(page: Path) -> list[tuple[str, str, int, bool]]:
    """(language, body, line number, marked as CI's) of every fenced block of ``page``."""
    text = page.read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        before = text[: m.start()].rstrip().splitlines()[-1:] or [""]
        out.append((m.group(1), m.group(2), line, before[0].strip() == CI_MARK))
    return out


def _cases() -> list[tuple[Path, int]]:
    return [(p, i) for p in PAGES for i in range(len(blocks(p)))]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("COLUMNS", "100")
    return env


def _run(cmd: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, shell=True, cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("page, index", _cases(),
                         ids=[f"{p.relative_to(ROOT)}:{i}" for p, i in _cases()])
def test_block(page: Path, index: int, tmp_path: Path) -> None:
    allb = blocks(page)
    lang, body, line, ci = allb[index]
    where = f"{page.relative_to(ROOT)}:{line}"
    assert lang in KNOWN, f"{where}: a fenced block needs a language from {sorted(KNOWN)}"
    if lang == "python":
        want = allb[index + 1][1] if index + 1 < len(allb) and allb[index + 1][0] == "text" \
            else ""
        buf = io.StringIO()
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            with contextlib.redirect_stdout(buf):
                exec(compile(body, where, "exec"), {"__name__": "__doc_block__"})  # noqa: S102
        finally:
            os.chdir(cwd)
        assert buf.getvalue().strip() == want.strip(), f"{where}: printed output differs"
    elif lang == "pycon":
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            parser = doctest.DocTestParser()
            test = parser.get_doctest(body, {}, where, str(page), line)
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS
                                           | doctest.NORMALIZE_WHITESPACE)
            out = io.StringIO()
            runner.run(test, out=out.write)
            assert runner.failures == 0, f"{where}:\n{out.getvalue()}"
        finally:
            os.chdir(cwd)
    elif lang == "bash":
        if ci:
            pytest.skip("the quick start: .ci/run runs it verbatim")
        shutil.copytree(ROOT / "data", tmp_path / "data")
        for cmd in body.splitlines():
            cmd = cmd.split(" #", 1)[0].strip()
            if not cmd or cmd.startswith("#"):
                continue
            r = _run(cmd, tmp_path)
            assert r.returncode == 0, f"{where}: `{cmd}` exited {r.returncode}: {r.stderr[-800:]}"
    elif lang == "console":
        shutil.copytree(ROOT / "data", tmp_path / "data")
        cmds: list[tuple[str, list[str]]] = []
        for ln in body.splitlines():
            if ln.startswith("$ "):
                cmds.append((ln[2:], []))
            elif cmds:
                cmds[-1][1].append(ln)
        assert cmds, f"{where}: a console block needs `$ command` lines"
        for cmd, expect in cmds:
            r = _run(cmd, tmp_path)
            got = (r.stdout + r.stderr).strip()
            assert got == "\n".join(expect).strip(), f"{where}: `{cmd}` printed:\n{got}"
    elif lang == "json":
        json.loads(body)
    elif lang == "yaml":
        yaml.safe_load(body)


def _imports(path: Path) -> set[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    mod = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    pkg = mod.rsplit(".", 1)[0] if path.name != "__init__.py" else mod.removesuffix(".__init__")
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = pkg.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)
    return out


def test_no_module_under_solver_imports_the_cli() -> None:
    """Only the console entry point may import ``solver.cli`` (issue #12), even in a function."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "solver").rglob("*.py")
                 if p != ROOT / "solver" / "cli.py" and "solver.cli" in _imports(p)]
    assert offenders == [], offenders
