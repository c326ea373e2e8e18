"""The ``solver`` command: solve, reproduce, verify, list (and sweep, report).

Contract (``solver solve FILE --json``): one JSON object with at least ``problem``,
``status``, ``objective``, ``backend``, ``seconds`` plus the problem's own fields.  Exit
code 0 for a certified result (status ``optimal``, or ``approximate`` when a heuristic was
asked for by name), 1 for a solver failure or an uncertified result (time limit,
infeasible, error), 2 for bad input (one line on stderr naming the field and the rule).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
import time
import traceback
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

try:  # typer >= 0.2x vendors click; its exceptions are not the installed click's
    from typer._click.exceptions import ClickException, UsageError
except ImportError:  # pragma: no cover - an older typer on the real click
    from click.exceptions import ClickException, UsageError

from . import budget, io
from .errors import InstanceError, SolverError, TimeLimitReached
from .problems import SolveOptions

EXIT_OK, EXIT_SOLVER, EXIT_INPUT = 0, 1, 2

#: Longest one-line error message printed (a longer one is cut, never wrapped).
MAX_MESSAGE_CHARS = 2000
#: The flag that shows the traceback of an internal error (anywhere on the command line).
DEBUG_FLAG = "--debug"
_DEBUG_KEY = "solver.debug"


def _one_line(text: str) -> str:
    """``text`` on one line (newlines and runs of blanks collapsed), cut if very long."""
    line = " ".join(str(text).split())
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 3] + "..."


def _echo_err(text: str) -> None:
    typer.echo(_one_line(text), err=True)


class GuardedGroup(TyperGroup):
    """The ``solver`` command group, with the error contract's top-level guard.

    Whatever a command raises becomes one stderr line and an exit code:
    :class:`~solver.errors.InstanceError` (bad input, including a size limit and an unknown
    backend) ``error: FIELD: RULE`` and exit 2; :class:`~solver.errors.SolverError`
    ``solver error: ...`` and exit 1; a command-line usage error ``error: PARAM: ...`` and
    exit 2; anything else ``internal error: TYPE: MESSAGE (please report this; ...)`` and
    exit 1, with the traceback above it only under ``--debug``.  The guard sits in
    :meth:`invoke`, so in-process runners (``typer.testing.CliRunner``) see it too.
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        """Take ``--debug`` out wherever it stands (before a ``--``) and remember it."""
        cut = args.index("--") if "--" in args else len(args)
        if DEBUG_FLAG in args[:cut]:
            ctx.meta[_DEBUG_KEY] = True
            args = [a for a in args[:cut] if a != DEBUG_FLAG] + args[cut:]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except UsageError as exc:
            param = getattr(exc, "param", None)
            field = getattr(param, "name", None) or "command line"
            _echo_err(f"error: {field}: {exc.format_message()}")
            raise typer.Exit(EXIT_INPUT) from None
        except ClickException:
            raise
        except InstanceError as exc:
            _echo_err(f"error: {exc}")
            raise typer.Exit(EXIT_INPUT) from None
        except SolverError as exc:
            _echo_err(f"solver error: {exc}")
            raise typer.Exit(EXIT_SOLVER) from None
        except Exception as exc:
            if ctx.meta.get(_DEBUG_KEY):
                traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
            what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            _echo_err(f"internal error: {what} (please report this; rerun with --debug for "
                      "the traceback)")
            raise typer.Exit(EXIT_SOLVER) from None


app = typer.Typer(add_completion=False, no_args_is_help=True, cls=GuardedGroup,
                  help="Optimisation-backed mechanism solver for data markets and privacy "
                       "pricing.")
# When printing to a pipe or a CI log, use a wide page so claim ids are not cut.
console = Console() if sys.stdout.isatty() else Console(width=180)
err_console = Console(stderr=True)


@app.callback()
def _main_options(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option(DEBUG_FLAG, help="Show the traceback of an internal "
                                                        "error (also accepted after the "
                                                        "command).")] = False,
) -> None:
    """Optimisation-backed mechanism solver for data markets and privacy pricing."""
    if debug:
        ctx.meta[_DEBUG_KEY] = True


def _fail_input(exc: InstanceError) -> None:
    _echo_err(f"error: {exc}")
    raise typer.Exit(EXIT_INPUT)


_BYTE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_BYTES_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([KMGT]?)(?:I?B)?\s*$",
                       re.IGNORECASE)


def parse_bytes(text: str | float | None, field: str = "max_memory") -> float | None:
    """A memory size: a number of bytes, or one with a binary suffix (``512M``, ``2G``).

    ``K``, ``M``, ``G``, ``T`` (optionally followed by ``B`` or ``iB``, any case) are powers
    of 1024.  ``None`` stays ``None``; anything else that is not a positive finite size is an
    :class:`~solver.errors.InstanceError` on ``field``.
    """
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        return budget.validate_max_memory(float(text), field)
    m = _BYTES_RE.match(str(text))
    if not m:
        raise InstanceError(field, f"must be a number of bytes, optionally with a suffix K, M, "
                                   f"G or T (powers of 1024), got {text!r}")
    return budget.validate_max_memory(float(m.group(1)) * _BYTE_UNITS[m.group(2).upper()],
                                      field)


def _plain_number(x: float | None) -> float | int | None:
    """``-1.0`` as ``-1`` (for the message of a rejected option), other values unchanged."""
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _dedupe_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    """``Category: message`` per distinct warning, in order, ``(xN)`` when repeated."""
    counts: dict[str, int] = {}
    for w in caught:
        text = _one_line(f"{w.category.__name__}: {w.message}")
        counts[text] = counts.get(text, 0) + 1
    return [t if n == 1 else f"{t} (x{n})" for t, n in counts.items()]


def _is_finite_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def solve_file(path: str | Path, backend: str = "auto", time_limit: float | None = None,
               method: str | None = None, seed: int = 0,
               max_memory: float | str | None = None) -> dict[str, Any]:
    """Load, validate and solve an instance file; return the result dict (CLI contract).

    Parameters
    ----------
    path
        Instance file (JSON or YAML).
    backend, method, seed
        Passed to the problem's solve as :class:`~solver.problems.SolveOptions`.
    time_limit
        Seconds, positive and finite (``None``: none).  The deadline covers loading and
        model building as well as solving; a problem that runs out of it before it has a
        result gives status ``time_limit`` with no objective.
    max_memory
        Memory budget in bytes (or a size such as ``"2G"``, see :func:`parse_bytes`);
        ``None``: :data:`solver.budget.DEFAULT_MAX_MEMORY`.

    Returns
    -------
    dict
        ``problem``, ``status``, ``objective``, ``backend``, ``seconds`` and the problem's
        fields; ``notes`` lists the Python warnings raised during the solve (never printed).

    Raises
    ------
    InstanceError
        Bad input, a bad ``time_limit``/``max_memory``, or an instance over the budget.
    SolverError
        A backend failed, or the problem returned a malformed result.
    """
    tl = budget.validate_time_limit(_plain_number(time_limit))
    mm = parse_bytes(max_memory)
    t0 = time.perf_counter()
    with budget.limits(time_limit=tl, max_memory=mm), \
            warnings.catch_warnings(record=True) as caught:
        spec, inst = io.load_instance(path)
        t0 = time.perf_counter()
        try:
            res = spec.solve(inst, SolveOptions(backend=backend, time_limit=tl, method=method,
                                                seed=seed))
        except TimeLimitReached as exc:
            res = {"status": "time_limit", "objective": None, "bound": None, "gap": None,
                   "backend": "none", "seconds": time.perf_counter() - t0,
                   "message": str(exc)}
    if not isinstance(res, Mapping):  # a plugin bug, not the user's
        raise SolverError(f"problem {spec.name!r} returned {type(res).__name__}, not a dict")
    out: dict[str, Any] = {"problem": spec.name}
    out.update(res)
    out.setdefault("seconds", time.perf_counter() - t0)
    for key in ("status", "objective", "backend"):
        if key not in out:  # a plugin bug, not the user's
            raise SolverError(f"problem {spec.name!r} returned no {key!r}")
    if out["status"] in ("optimal", "approximate") and not _is_finite_number(
            io.to_jsonable(out["objective"])):
        out["message"] = (f"reported {out['status']} without a finite objective "
                          f"({out['objective']!r})")
        out["status"] = "error"
    notes = _dedupe_warnings(list(caught))
    if notes:
        old = out.get("notes")
        out["notes"] = ([*old] if isinstance(old, list | tuple) else
                        [] if old is None else [str(old)]) + notes
    return out


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send all output meant for standard output to standard error while the block runs.

    Both levels: ``sys.stdout`` (Python prints) and file descriptor 1 (C libraries such as
    HiGHS print their banner there, and child solver processes inherit it).  C stdio
    buffers are flushed before descriptor 1 is restored, so nothing written inside reaches
    the real standard output afterwards.
    """
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    saved: int | None = None
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
    except OSError:  # no descriptor 1 or 2 (a closed stream): nothing to redirect
        if saved is not None:
            os.close(saved)
        saved = None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        _flush_c_stdio()
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


def _flush_c_stdio() -> None:
    """``fflush(NULL)``: empty the C library's stdio buffers (best effort)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).fflush(None)


@app.command()
def solve(
    file: Annotated[Path, typer.Argument(
        help="Instance file (JSON or YAML) with a 'problem' field.")],
    backend: Annotated[str, typer.Option(
        help="Backend name, or 'auto'. See `solver list`.")] = "auto",
    time_limit: Annotated[float | None, typer.Option(
        help="Seconds (positive, finite); covers loading and model building as well as "
             "solving. A stopped solve reports status time_limit.")] = None,
    max_memory: Annotated[str | None, typer.Option(
        help="Memory budget: bytes, or with a suffix K/M/G/T (powers of 1024), e.g. 512M. "
             "An instance whose estimate exceeds it is refused (exit 2). Default 2G.")] = None,
    method: Annotated[str | None, typer.Option(help="Problem-specific method.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for randomised methods.")] = 0,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Solve one instance file and print the certified result."""
    try:
        with stdout_to_stderr():
            out = solve_file(file, backend, time_limit, method, seed, max_memory=max_memory)
    except InstanceError as exc:
        _fail_input(exc)
    except SolverError as exc:
        _echo_err(f"solver error: {exc}")
        raise typer.Exit(EXIT_SOLVER) from None
    if json_out:
        sys.stdout.write(io.dumps(out) + "\n")
    else:
        t = Table(show_header=False)
        for k, v in io.to_jsonable(out).items():
            s = str(v)
            t.add_row(k, s if len(s) < 200 else s[:197] + "...")
        console.print(t)
    # "approximate" only ever answers a heuristic asked for by name (--method or the file's
    # method field): it is the requested result (exit 0), and it is never labelled optimal.
    raise typer.Exit(EXIT_OK if out["status"] in ("optimal", "approximate") else EXIT_SOLVER)


def _short(value: Any, width: int = 48) -> str:
    """A compact one-line rendering of a claim value for the table."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    text = value if isinstance(value, str) else io.dumps(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _claim_table(rows: list[dict[str, Any]], title: str, example: bool) -> Table:
    t = Table(title=title)
    t.add_column("claim", no_wrap=True)
    t.add_column("section")
    if example:
        t.add_column("paper value")
    t.add_column("computed")
    if not example:
        t.add_column("worst case")
    t.add_column("status")
    for r in rows:
        comp = _short(r.get("computed"))
        st = r["status"]
        style = {"ok": "green", "refuted": "magenta", "FAIL": "bold red",
                 "error": "bold red"}.get(st, "yellow")
        cells = [r["claim"], r["section"]]
        if example:
            cells.append(_short(r.get("paper_value")))
        cells.append(comp)
        if not example:
            wc = r.get("worst_case") or {}
            cells.append(_short(wc.get("summary", "") if isinstance(wc, dict) else wc, 60))
        cells.append(f"[{style}]{st}[/{style}]")
        t.add_row(*cells)
    return t


def _run_claims(ids: list[str] | None, kinds: tuple[str, ...], quick: bool, seed: int,
                json_out: bool, title: str) -> None:
    from .claims import CheckContext, select

    try:
        claims = select(ids or None, kinds)
    except KeyError as exc:
        err_console.print(f"error: {exc.args[0]}", markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    ctx = CheckContext(seed=seed, quick=quick)
    rows = []
    with stdout_to_stderr():  # a backend's banner must not precede the table or the JSON
        for c in claims:
            if not json_out and sys.stderr.isatty():
                err_console.print(f"[dim]{c.id} ...[/dim]")
            rows.append(c.run(ctx))
    if json_out:
        sys.stdout.write(io.dumps(rows, indent=2) + "\n")
    else:
        console.print(_claim_table(rows, title, example=kinds == ("example",)))
        for r in rows:
            if r["status"] in ("FAIL", "error", "refuted"):
                console.print(f"[red]{r['claim']}[/red] ({r['status']}): "
                              f"{r.get('message', '')}", markup=True, highlight=False)
    bad = [r for r in rows if r["status"] in ("FAIL", "error")]
    raise typer.Exit(EXIT_SOLVER if bad else EXIT_OK)


@app.command()
def reproduce(
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON list of rows.")] = False,
    seed: Annotated[int, typer.Option(help="Seed for any randomised example.")] = 0,
) -> None:
    """Run every registered paper example: paper's value beside the computed one."""
    _run_claims(None, ("example",), False, seed, json_out, "Paper examples")


@app.command()
def verify(
    claims: Annotated[list[str] | None, typer.Argument(help="Claim ids or prefixes "
                                                           "(default: all).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON list of rows.")] = False,
    quick: Annotated[bool, typer.Option(help="Small families only (seconds per claim).")] = False,
    seed: Annotated[int, typer.Option(help="Seed for the random instances.")] = 0,
    list_only: Annotated[bool, typer.Option("--list", help="List the claims and exit.")] = False,
) -> None:
    """Run the registered theorem checks and report the worst case found for each."""
    if list_only:
        from .claims import all_claims

        t = Table(title="Registered claims")
        for col in ("claim", "kind", "paper", "section", "statement"):
            t.add_column(col)
        for c in all_claims().values():
            t.add_row(c.id, c.kind, c.paper, c.section, c.statement)
        console.print(t)
        raise typer.Exit(EXIT_OK)
    _run_claims(claims, ("theorem", "unchecked"), quick, seed, json_out, "Theorem checks")


@app.command("list")
def list_cmd() -> None:
    """List registered problems and installed backends."""
    from .opt import available_backends
    from .problems import problems

    t = Table(title="Problems")
    t.add_column("problem")
    t.add_column("description")
    for name, spec in sorted(problems().items()):
        t.add_row(name, spec.description)
    console.print(t)
    console.print("Backends installed: " + ", ".join(available_backends()))


def _register_extensions() -> None:
    """Attach commands owned by other modules (sweep, report) when they exist."""
    try:
        from .sweep.cli import register
    except ImportError:
        return
    register(app)


_register_extensions()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
