"""The ``solver`` command: solve, reproduce, verify, list (and sweep, report).

Contract (``solver solve FILE --json``): one JSON object with at least ``problem``,
``status``, ``objective``, ``backend``, ``seconds`` plus the problem's own fields.  Exit
code 0 for a certified result (status ``optimal``, or ``approximate`` when a heuristic was
asked for by name), 1 for a solver failure or an uncertified result (time limit,
infeasible, error), 2 for bad input (one line on stderr naming the field and the rule).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from . import io
from .errors import InstanceError, SolverError
from .problems import SolveOptions

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Optimisation-backed mechanism solver for data markets and privacy "
                       "pricing.")
# When printing to a pipe or a CI log, use a wide page so claim ids are not cut.
console = Console() if sys.stdout.isatty() else Console(width=180)
err_console = Console(stderr=True)

EXIT_OK, EXIT_SOLVER, EXIT_INPUT = 0, 1, 2


def _fail_input(exc: InstanceError) -> None:
    err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_INPUT)


def solve_file(path: str | Path, backend: str = "auto", time_limit: float | None = None,
               method: str | None = None, seed: int = 0) -> dict[str, Any]:
    """Load, validate and solve an instance file; return the result dict (CLI contract)."""
    spec, inst = io.load_instance(path)
    t0 = time.perf_counter()
    res = spec.solve(inst, SolveOptions(backend=backend, time_limit=time_limit, method=method,
                                        seed=seed))
    out = {"problem": spec.name}
    out.update(res)
    out.setdefault("seconds", time.perf_counter() - t0)
    for key in ("status", "objective", "backend"):
        if key not in out:  # a plugin bug, not the user's
            raise SolverError(f"problem {spec.name!r} returned no {key!r}")
    return out


@app.command()
def solve(
    file: Annotated[Path, typer.Argument(
        help="Instance file (JSON or YAML) with a 'problem' field.")],
    backend: Annotated[str, typer.Option(
        help="Backend name, or 'auto'. See `solver list`.")] = "auto",
    time_limit: Annotated[float | None, typer.Option(help="Seconds; a stopped MILP reports "
                                                          "status time_limit.")] = None,
    method: Annotated[str | None, typer.Option(help="Problem-specific method.")] = None,
    seed: Annotated[int, typer.Option(help="Seed for randomised methods.")] = 0,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Solve one instance file and print the certified result."""
    try:
        out = solve_file(file, backend, time_limit, method, seed)
    except InstanceError as exc:
        _fail_input(exc)
    except SolverError as exc:
        err_console.print(f"solver error: {exc}", markup=False, highlight=False)
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
