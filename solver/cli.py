"""The ``solver`` command: solve, reproduce, verify, list (and sweep, report).

Contract (``solver solve FILE --json``): one JSON object, the
:meth:`solver.result.Result.to_dict` of the solve (:func:`solver.problems.solve_file`):
``problem``, the certificate (``status``, ``objective``, ``bound``, ``gap``, ``backend``,
``seconds``), ``message`` when there is one, then the problem's own fields.  Exit code 0 for
a certified result (a status of :data:`solver.opt.result.EXIT_OK_STATUSES`: ``optimal``, or
``approximate`` when a heuristic was asked for by name), 1 for a solver failure or an
uncertified result (time limit, infeasible, error), 2 for bad input (one line on stderr
naming the field and the rule; an unknown ``--method`` or ``--backend`` included).

``solver --version`` prints the package's version, ``solver list --json`` the problems with
their methods and the backends with their capabilities (:func:`catalogue`).  This module is
the console entry point only: nothing else under ``solver/`` imports it (``solve_file`` and
``parse_bytes`` are re-exported here for older callers).
"""

from __future__ import annotations

import contextlib
import os
import sys
import textwrap
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

try:  # typer >= 0.2x vendors click; its exceptions are not the installed click's
    from typer._click.exceptions import ClickException, UsageError
except ImportError:  # pragma: no cover - an older typer on the real click
    from click.exceptions import (  # type: ignore[assignment]
        ClickException,
        UsageError,
    )

if TYPE_CHECKING:  # pragma: no cover - the context type click's methods are declared with
    from typer._click.core import Context as ClickContext

from . import io
from .errors import InstanceError, SolverError
from .problems import solve_file
from .validate import parse_bytes

__all__ = ["EXIT_INPUT", "EXIT_OK", "EXIT_SOLVER", "app", "catalogue", "main", "methods_help",
           "parse_bytes", "solve_file", "stdout_to_stderr", "version"]

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

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        """Take ``--debug`` out wherever it stands (before a ``--``) and remember it."""
        cut = args.index("--") if "--" in args else len(args)
        if DEBUG_FLAG in args[:cut]:
            ctx.meta[_DEBUG_KEY] = True
            args = [a for a in args[:cut] if a != DEBUG_FLAG] + args[cut:]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: ClickContext) -> Any:
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


def version() -> str:
    """``solver.__version__`` (the installed package's metadata)."""
    import solver

    v = getattr(solver, "__version__", None)
    if v is None:  # an editable install made before solver/__init__.py existed sees a
        # namespace package, which never runs __init__: read the metadata directly
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as _metadata_version

        try:
            v = _metadata_version("solver")
        except PackageNotFoundError:  # pragma: no cover - a source tree not installed
            v = "0.0.0+unknown"
    return str(v)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"solver {version()}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main_options(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option(DEBUG_FLAG, help="Show the traceback of an internal "
                                                        "error (also accepted after the "
                                                        "command).")] = False,
    show_version: Annotated[bool, typer.Option("--version", callback=_show_version,
                                               is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    """Optimisation-backed mechanism solver for data markets and privacy pricing."""
    if debug:
        ctx.meta[_DEBUG_KEY] = True


def _fail_input(exc: InstanceError) -> None:
    _echo_err(f"error: {exc}")
    raise typer.Exit(EXIT_INPUT)


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


#: Width of the method list in ``solver solve --help`` (fits an 80-column terminal).
HELP_WIDTH = 76


def methods_help(width: int = HELP_WIDTH) -> str:
    """The registered problems and their ``--method`` names, one wrapped entry per problem.

    The first method of each problem is its default; a problem with a single method shows
    ``(single method)``, one that did not declare its methods ``(see its documentation)``.
    """
    from .problems import problems

    lines = ["Methods by problem (--method; the first is the default):"]
    for name, spec in sorted(problems().items()):
        if spec.methods is None:
            names = "(see its documentation)"
        elif not spec.methods:
            names = "(single method)"
        else:
            names = ", ".join(spec.methods)
        lines.extend(textwrap.wrap(f"{name}: {names}", width=width,
                                   subsequent_indent="    ", break_on_hyphens=False))
    return "\n".join(lines)


class SolveCommand(TyperCommand):
    """``solver solve``, whose help ends with each problem's methods.

    The list is read from the registry when the help is shown (not when the app is built),
    so that ``solver`` starts without importing every design problem.
    """

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if not self.epilog:
            try:
                text = methods_help()
            except Exception as exc:  # a broken plugin must not take the help down
                text = f"(the problem registry could not be loaded: {type(exc).__name__})"
            # \b keeps the lines as they are in click's plain formatter; rich markup escaped
            self.epilog = escape(text) if self.rich_markup_mode == "rich" else "\b\n" + text
        super().format_help(ctx, formatter)


@app.command(cls=SolveCommand)
def solve(
    file: Annotated[Path, typer.Argument(
        help="Instance file (JSON or YAML) with a 'problem' field.")],
    backend: Annotated[str, typer.Option(
        help="Backend name, or 'auto'. See `solver list`. An unknown or unsuitable backend "
             "is refused (exit 2) with the list of those that would work.")] = "auto",
    time_limit: Annotated[float | None, typer.Option(
        help="Seconds (positive, finite); covers loading and model building as well as "
             "solving. A stopped solve reports status time_limit.")] = None,
    max_memory: Annotated[str | None, typer.Option(
        help="Memory budget: bytes, or with a suffix K/M/G/T (powers of 1024), e.g. 512M. "
             "An instance whose estimate exceeds it is refused (exit 2). Default 2G.")] = None,
    method: Annotated[str | None, typer.Option(
        help="The problem's method (default: its first); listed below and by "
             "`solver list`.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for randomised methods.")] = 0,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Solve one instance file and print the certified result.

    Exit code 0: a proven optimum (or the answer of a heuristic asked for by name);
    1: an uncertified result or a solver failure; 2: bad input (one line on stderr).
    """
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
    from .opt.result import EXIT_OK_STATUSES  # here: importing solver.opt costs ~1 s

    raise typer.Exit(EXIT_OK if out["status"] in EXIT_OK_STATUSES else EXIT_SOLVER)


def _short(value: Any, width: int = 48) -> str:
    """A compact one-line rendering of a claim value for the table."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    text = value if isinstance(value, str) else io.dumps(value)
    return text if len(text) <= width else text[: width - 1] + "…"


#: Columns of the claim table, in the order they are dropped when the page is too narrow.
_DROPPABLE = ("worst case", "section", "paper value")
#: Width a kept value column needs at least (a number, or the start of a structure).
_MIN_VALUE_WIDTH = 12
#: Characters a Rich table spends per column on borders and padding.
_COLUMN_CHROME = 3


def _claim_columns(rows: list[dict[str, Any]], example: bool, width: int) -> list[str]:
    """The columns that fit on ``width`` characters; claim ids are never cut.

    ``claim``, ``computed`` and ``status`` always stay; ``worst case``, ``section`` and
    ``paper value`` are dropped in that order until the claim column gets its full width.
    """
    cols = ["claim", "section"] + (["paper value"] if example else []) + ["computed"]
    cols += [] if example else ["worst case"]
    cols.append("status")
    claim_w = max([len("claim"), *(len(r["claim"]) for r in rows)])
    status_w = max([len("status"), *(len(r["status"]) for r in rows)])

    def need(cs: list[str]) -> int:
        fixed = claim_w + status_w
        others = len(cs) - 2
        return fixed + others * _MIN_VALUE_WIDTH + len(cs) * _COLUMN_CHROME + 1

    for drop in _DROPPABLE:
        if need(cols) <= width:
            break
        if drop in cols:
            cols.remove(drop)
    return cols


def _claim_table(rows: list[dict[str, Any]], title: str, example: bool,
                 width: int | None = None) -> Table:
    """The claims as a Rich table that fits ``width`` (default: the console's)."""
    width = console.width if width is None else width
    cols = _claim_columns(rows, example, width)
    claim_w = max([len("claim"), *(len(r["claim"]) for r in rows)])
    t = Table(title=title)
    for col in cols:
        if col == "claim":
            t.add_column(col, no_wrap=True, min_width=claim_w)
        elif col == "status":
            t.add_column(col, no_wrap=True)
        else:
            t.add_column(col, overflow="fold")
    for r in rows:
        st = r["status"]
        style = {"ok": "green", "refuted": "magenta", "FAIL": "bold red",
                 "error": "bold red"}.get(st, "yellow")
        wc = r.get("worst_case") or {}
        cells = {"claim": r["claim"], "section": r.get("section", ""),
                 "paper value": _short(r.get("paper_value")),
                 "computed": _short(r.get("computed")),
                 "worst case": _short(wc.get("summary", "") if isinstance(wc, dict) else wc,
                                      60),
                 "status": f"[{style}]{st}[/{style}]"}
        t.add_row(*(cells[c] if c == "status" else escape(cells[c]) for c in cols))
    return t


class _ClaimProgress:
    """A Rich bar (done/total, ETA) on a terminal's stderr, nothing elsewhere.

    The bar (and its refresh thread) starts at the first finished claim, after the worker
    processes are forked.
    """

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total > 0 and sys.stderr.isatty()
        self.bar: Any = None

    def update(self, row: dict[str, Any]) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from .sweep.progress import RichProgress

            self.bar = RichProgress("claims", self.total)
        self.bar.update([row])

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _line_writer() -> Any:
    """A text stream on the real standard output, valid inside :func:`stdout_to_stderr`."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # an in-process runner's buffer
        return sys.stdout
    return os.fdopen(os.dup(fd), "w", buffering=1, encoding="utf-8")


def _check_scheduler(scheduler: str | None, workers: int | None) -> None:
    """``--scheduler`` excludes ``--workers`` (exit 2, before anything runs)."""
    if scheduler is not None and workers is not None:
        raise InstanceError("scheduler", "give --scheduler or --workers, not both (the "
                                         "cluster's workers run the tasks)")


def _run_claims(ids: list[str] | None, kinds: tuple[str, ...], quick: bool, seed: int,
                json_out: bool, title: str, workers: int | None = None,
                json_lines: bool = False, scheduler: str | None = None) -> None:
    from .claims import CheckContext, select
    from .claims.runner import run_claims

    if json_out and json_lines:
        err_console.print("error: --json-lines: give --json or --json-lines, not both",
                          markup=False)
        raise typer.Exit(EXIT_INPUT)
    _check_scheduler(scheduler, workers)
    if workers is not None and workers < 0:
        err_console.print(f"error: --workers: must be >= 0 (0 = in this process), got "
                          f"{workers}", markup=False)
        raise typer.Exit(EXIT_INPUT)
    try:
        claims = select(ids or None, kinds)
    except KeyError as exc:
        err_console.print(f"error: {exc.args[0]}", markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    ctx = CheckContext(seed=seed, quick=quick)
    bar = _ClaimProgress(len(claims), enabled=not json_lines)
    out = _line_writer() if json_lines else None

    def on_row(_: int, row: dict[str, Any]) -> None:
        bar.update(row)
        if out is not None:  # written around stdout_to_stderr, straight to the real stdout
            out.write(io.dumps(row) + "\n")
            out.flush()

    try:
        with stdout_to_stderr():  # a backend's banner must not precede the table or the JSON
            try:
                rows = run_claims(claims, ctx, workers=workers, on_row=on_row,
                                  scheduler=scheduler)
            finally:  # inside: Rich's live display restores the sys.stdout it started with
                bar.close()
    finally:
        if out is not None and out is not sys.stdout:
            out.close()
    if json_out:
        sys.stdout.write(io.dumps(rows, indent=2) + "\n")
    elif not json_lines:
        console.print(_claim_table(rows, title, example=kinds == ("example",)))
        for r in rows:
            if r["status"] in ("FAIL", "error", "refuted"):
                console.print(f"[red]{r['claim']}[/red] ({r['status']}): "
                              f"{escape(str(r.get('message', '')))}", markup=True,
                              highlight=False)
    bad = [r for r in rows if r["status"] in ("FAIL", "error")]
    raise typer.Exit(EXIT_SOLVER if bad else EXIT_OK)


_WORKERS_HELP = "Worker processes (default: every core; 0 = in this process, one by one)."
_JSON_LINES_HELP = "Print one JSON object per claim as it finishes (completion order)."
_SCHEDULER_HELP = ("Run the tasks on a Dask cluster: its scheduler, tcp://HOST:PORT (needs "
                   "the optional packages dask and distributed; not with --workers).")


@app.command()
def reproduce(
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON list of rows.")] = False,
    seed: Annotated[int, typer.Option(help="Seed for any randomised example.")] = 0,
    workers: Annotated[int | None, typer.Option(help=_WORKERS_HELP)] = None,
    json_lines: Annotated[bool, typer.Option("--json-lines", help=_JSON_LINES_HELP)] = False,
    scheduler: Annotated[str | None, typer.Option(help=_SCHEDULER_HELP)] = None,
) -> None:
    """Run every registered paper example: paper's value beside the computed one."""
    _run_claims(None, ("example",), False, seed, json_out, "Paper examples", workers,
                json_lines, scheduler)


@app.command()
def verify(
    claims: Annotated[list[str] | None, typer.Argument(help="Claim ids or prefixes "
                                                           "(default: all).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON list of rows.")] = False,
    quick: Annotated[bool, typer.Option(help="Small families only (seconds per claim).")] = False,
    seed: Annotated[int, typer.Option(help="Seed for the random instances.")] = 0,
    list_only: Annotated[bool, typer.Option("--list", help="List the claims and exit.")] = False,
    workers: Annotated[int | None, typer.Option(help=_WORKERS_HELP)] = None,
    json_lines: Annotated[bool, typer.Option("--json-lines", help=_JSON_LINES_HELP)] = False,
    scheduler: Annotated[str | None, typer.Option(help=_SCHEDULER_HELP)] = None,
) -> None:
    """Run the registered theorem checks and report the worst case found for each.

    Claims run in parallel worker processes (``--workers``) or on a Dask cluster
    (``--scheduler``); the table and ``--json`` list them in registry order,
    ``--json-lines`` streams them as they finish.  On a terminal a progress bar
    (done/total, ETA) shows on stderr.
    """
    if list_only:
        from .claims import all_claims

        listed = [{"claim": c.id, "kind": c.kind, "paper": c.paper, "section": c.section,
                   "statement": c.statement} for c in all_claims().values()]
        if json_out or json_lines:
            if json_lines:
                sys.stdout.write(_rows_json(listed))
            else:
                sys.stdout.write(io.dumps(listed) + "\n")
            raise typer.Exit(EXIT_OK)
        t = Table(title="Registered claims")
        t.add_column("claim", no_wrap=True, min_width=max(len(r["claim"]) for r in listed))
        t.add_column("kind", no_wrap=True)
        if console.width >= 100:
            for col in ("paper", "section", "statement"):
                t.add_column(col, overflow="fold")
        for r in listed:
            cells = [r["claim"], r["kind"]]
            if console.width >= 100:
                cells += [r["paper"], r["section"], r["statement"]]
            t.add_row(*(escape(c) for c in cells))
        console.print(t)
        raise typer.Exit(EXIT_OK)
    _run_claims(claims, ("theorem", "unchecked"), quick, seed, json_out, "Theorem checks",
                workers, json_lines, scheduler)


def _bench_table(df: Any, title: str) -> Table:
    t = Table(title=title)
    for col in ("algorithm", "params", "seed", "ALG", "OPT", "ratio", "status"):
        t.add_column(col, no_wrap=col == "algorithm")
    for r in df.to_dict("records"):
        if r["status"] == "unproven":
            ratio = f"[{r['ratio_lo']:.4g}, {r['ratio_hi']:.4g}]"
        else:
            ratio = "" if r["ratio"] != r["ratio"] else f"{r['ratio']:.6g}"
        t.add_row(str(r["algorithm"]), io.dumps(r["params"]), str(r["seed"]),
                  f"{r['alg']:.6g}", f"{r['opt']:.6g}", ratio, str(r["status"]))
    return t


def _summary_table(df: Any, title: str) -> Table:
    """Per algorithm x varying parameter: count, median, p95, max over proven rows."""
    from .bench import summary

    sm = summary(df)
    t = Table(title=title)
    for col in sm.columns:
        if col != "sense":
            t.add_column(col, no_wrap=col == "algorithm")
    for r in sm.to_dict("records"):
        t.add_row(*[f"{v:.6g}" if isinstance(v, float) else str(v)
                    for k, v in r.items() if k != "sense"])
    return t


def _rows_json(rows: list[dict[str, Any]]) -> str:
    return "\n".join(io.dumps(r) for r in rows) + ("\n" if rows else "")


@app.command()
def bench(
    problem: Annotated[str | None, typer.Argument(help="The problem (solver list: evaluators).")
                       ] = None,
    algorithm: Annotated[list[str] | None, typer.Option(
        "--algorithm", help="A registered name or package.module:function (repeatable).")
    ] = None,
    family: Annotated[str | None, typer.Option(help="A registered instance family.")] = None,
    grid: Annotated[str | None, typer.Option(help="JSON object: parameter -> values.")
                    ] = None,
    seeds: Annotated[int, typer.Option(help="Seeds 0..K-1 per parameter set.")] = 1,
    store: Annotated[Path | None, typer.Option(help="SQLite file for the rows.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default 1).")
                       ] = None,
    scheduler: Annotated[str | None, typer.Option(help=_SCHEDULER_HELP)] = None,
    time_limit: Annotated[float | None, typer.Option(help="Seconds per OPT solve.")] = None,
    rerun_file: Annotated[Path | None, typer.Option(
        "--rerun", help="Replay a worst-case file (solver worst --out): ALG, OPT, ratio.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per row.")
                        ] = False,
) -> None:
    """Benchmark algorithms on an instance family against the certified OPT."""
    from . import bench as B

    if rerun_file is not None:
        with stdout_to_stderr():
            row = B.rerun(rerun_file, algorithm[0] if algorithm else None, time_limit)
        if json_out:
            sys.stdout.write(io.dumps(row) + "\n")
        else:
            print(f"algorithm: {row['algorithm']}\nALG: {row['alg']:.12g}\n"
                  f"OPT: {row['opt']:.12g} ({row['opt_status']})\n"
                  f"ratio ({row['sense']}): {row['ratio']:.12g}\nstatus: {row['status']}")
        raise typer.Exit(EXIT_OK if row["status"] in ("ok", "unproven") else EXIT_SOLVER)
    if problem is None or not algorithm or family is None:
        raise InstanceError("command line", "give PROBLEM, --algorithm and --family "
                                            "(or --rerun FILE)")
    _check_scheduler(scheduler, workers)
    with stdout_to_stderr():
        df = B.run(problem, algorithm, family, grid, seeds, store=store, workers=workers,
                   scheduler=scheduler, time_limit=time_limit)
    sense = B.get_evaluator(problem).sense
    if json_out:
        sys.stdout.write(_rows_json(df.drop(columns=[c for c in df.columns
                                                     if c.startswith("param.")])
                                    .to_dict("records")))
    else:
        console.print(_bench_table(df, f"{problem} on {family}: ratio {sense}"))
        if len(df) > 1:
            console.print(_summary_table(df, f"summary: ratio {sense} over proven rows "
                                             f"(unproven rows never enter)"))
    raise typer.Exit(EXIT_SOLVER if (df["status"] == "error").any() else EXIT_OK)


@app.command()
def worst(
    problem: Annotated[str, typer.Argument(help="The problem (solver list: evaluators).")],
    algorithm: Annotated[str, typer.Option(help="A registered name or module:function.")],
    family: Annotated[str, typer.Option(help="A searchable instance family.")],
    restarts: Annotated[int, typer.Option(help="Random restarts.")] = 3,
    steps: Annotated[int, typer.Option(help="Hill-climbing moves per restart.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the search.")] = 0,
    store: Annotated[Path | None, typer.Option(help="SQLite file for improvements.")] = None,
    out: Annotated[Path | None, typer.Option(help="JSON file for the worst instance "
                                                  "(solver bench --rerun FILE).")] = None,
    time_limit: Annotated[float | None, typer.Option(help="Seconds per OPT solve.")] = None,
    budget: Annotated[float | None, typer.Option(help="Seconds for the whole search.")
                      ] = None,
    target: Annotated[float | None, typer.Option(help="Stop once this ratio is reached.")
                      ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Search a family for the instance with the algorithm's largest ratio."""
    from . import bench as B

    with stdout_to_stderr():
        res = B.worst(problem, algorithm, family, restarts=restarts, steps=steps, seed=seed,
                      store=store, out=out, time_limit=time_limit, budget_seconds=budget,
                      target=target)
    sense = B.get_evaluator(problem).sense
    obj = {"problem": problem, "algorithm": algorithm, "family": family, "sense": sense,
           "ratio": res.ratio, "params": res.params, "evaluations": res.evaluations,
           "improvements": len(res.improvements),
           "file": str(res.path) if res.path else None}
    if json_out:
        sys.stdout.write(io.dumps(obj) + "\n")
    else:
        print(f"worst ratio ({sense}): {res.ratio:.12g} after {res.evaluations} instances "
              f"({len(res.improvements)} improvements)\nparams: {io.dumps(res.params)}"
              + (f"\nsaved: {res.path} (solver bench --rerun {res.path})" if res.path else ""))
    raise typer.Exit(EXIT_OK)


#: Backend names that are generic aliases of another entry (left out of ``solver list``).
BACKEND_ALIASES: tuple[str, ...] = ("cvxpy", "pulp")


def catalogue() -> dict[str, Any]:
    """What ``solver list --json`` prints: the version, the problems and the backends.

    Returns
    -------
    dict
        ``version``; ``problems``: ``name``, ``description``, ``methods`` (the default
        first) and ``default_method`` of each registered problem; ``backends``: ``name``,
        ``installed`` and the capabilities ``integer``, ``quadratic``, ``gives_bound``,
        ``honours_time_limit``, ``lazy_rows``, ``cutting_planes`` of every known backend
        (installed or not, generic aliases left out), in the order ``--backend auto``
        prefers them; ``families``: the benchmark instance families (``name``,
        ``problem``, ``description``, ``parameters`` with their defaults, ``searchable``
        by ``solver worst``);
        ``evaluators``: the problems ``solver bench`` takes (``problem``, ratio ``sense``,
        ``objective``, the shipped ``algorithms``).
    """
    from .opt.backends import all_backends
    from .problems import problems

    probs = [{"name": name, "description": spec.description,
              "methods": list(spec.methods or ()), "default_method": spec.default_method}
             for name, spec in sorted(problems().items())]
    backs = []
    for name, b in all_backends().items():
        if name in BACKEND_ALIASES:
            continue
        try:
            installed = bool(b.is_installed())
        except Exception:  # a broken optional package is "not installed", not a crash
            installed = False
        backs.append({"name": name, "installed": installed,
                      "integer": bool(b.supports_integer),
                      "quadratic": bool(b.supports_quadratic),
                      "gives_bound": bool(b.gives_bound),
                      "honours_time_limit": bool(b.honours_time_limit),
                      "lazy_rows": bool(b.supports_lazy_rows),
                      "cutting_planes": bool(b.supports_cutting_planes)})
    from .bench import families

    fams = [{"name": f.name, "problem": f.problem, "description": f.description,
             "parameters": dict(f.defaults), "searchable": f.neighbour is not None}
            for f in sorted(families().values(), key=lambda f: f.name)]
    from .bench import algorithms, evaluators

    benches = [{"problem": ev.problem, "sense": ev.sense, "objective": ev.objective,
                "algorithms": sorted(algorithms(ev.problem))}
               for ev in sorted(evaluators().values(), key=lambda e: e.problem)]
    return {"version": version(), "problems": probs, "backends": backs, "families": fams,
            "evaluators": benches}


@app.command("list")
def list_cmd(
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object: version, "
                                                          "problems with their methods, "
                                                          "backends with capabilities.")
                        ] = False,
) -> None:
    """List registered problems (with their methods) and backends (with capabilities)."""
    with stdout_to_stderr():  # importing a backend must not print before the JSON
        cat = catalogue()
    if json_out:
        sys.stdout.write(io.dumps(cat) + "\n")
        raise typer.Exit(EXIT_OK)
    t = Table(title=f"Problems (solver {cat['version']})")
    t.add_column("problem", no_wrap=True)
    t.add_column("methods (default first)")
    t.add_column("description")
    for p in cat["problems"]:
        t.add_row(p["name"], ", ".join(p["methods"]) or "-", p["description"])
    console.print(t)
    t = Table(title="Backends")
    for col in ("backend", "installed", "integer", "quadratic", "gives bound",
                "honours time limit"):
        t.add_column(col, no_wrap=col == "backend")
    for b in cat["backends"]:
        t.add_row(b["name"], *("yes" if b[k] else "no" for k in
                               ("installed", "integer", "quadratic", "gives_bound",
                                "honours_time_limit")))
    console.print(t)
    installed = [b["name"] for b in cat["backends"] if b["installed"]]
    console.print("Backends installed: " + ", ".join(installed))


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
