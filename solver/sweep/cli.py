"""``solver sweep`` and ``solver report`` (attached to the main app by :func:`register`).

Importing this module is cheap: the engine, pandas, matplotlib and Dask load only when a
command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


def _err(msg: str, code: int) -> typer.Exit:
    from rich.console import Console

    Console(stderr=True).print(msg, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def sweep(
    experiment: Annotated[str, typer.Argument(help="Experiment name (`solver sweep --list`).")
                          ] = "",
    grid: Annotated[str | None, typer.Option(help="Grid: JSON/YAML file (or inline text) "
                                                  "with an object of lists (cartesian "
                                                  "product) or a list of parameter objects."
                                             )] = None,
    instances: Annotated[Path | None, typer.Option(help="Directory of instance files, one "
                                                        "task per file and seed.")] = None,
    seeds: Annotated[int, typer.Option(help="Seeds 0..N-1 for every parameter set.")] = 1,
    store: Annotated[Path, typer.Option(help="SQLite result store (created if missing).")
                     ] = Path("sweep.sqlite"),
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler, tcp://HOST:PORT "
                                                       "(needs solver[dask]).")] = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes (default: all "
                                                     "cores; 0 = in this process).")] = None,
    resume: Annotated[bool, typer.Option("--resume/--no-resume", help="Skip tasks already in "
                                         "the store (default) or run them again.")] = True,
    retry_errors: Annotated[bool, typer.Option(help="Run again the tasks stored as errors.")
                            ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress output.")] = False,
    list_only: Annotated[bool, typer.Option("--list", help="List the experiments and exit.")
                         ] = False,
) -> None:
    """Run an experiment over a grid or an instance directory × seeds into a resumable store.

    Exit code 0 when every task of the sweep is ok, 1 when some raised (they are in the
    store with their error), 2 for bad input (nothing is run or stored).
    """
    from rich.console import Console
    from rich.table import Table

    from ..errors import InstanceError
    from .experiments import experiments

    if list_only or not experiment:
        t = Table(title="Experiments")
        t.add_column("experiment")
        t.add_column("description")
        for name, e in experiments().items():
            t.add_row(name, e.description)
        Console().print(t)
        raise typer.Exit(EXIT_OK if list_only else EXIT_INPUT)
    if experiment not in experiments():
        raise _err(f"error: experiment: unknown {experiment!r}; known: "
                   f"{', '.join(experiments())}", EXIT_INPUT)
    from .engine import run_sweep
    from .executors import SweepError

    try:
        s = run_sweep(experiment, grid, instances=instances, seeds=seeds, store=store,
                      workers=workers, scheduler=scheduler, resume=resume,
                      retry_errors=retry_errors, progress=False if quiet else None)
    except InstanceError as exc:
        raise _err(f"error: {exc}", EXIT_INPUT) from None
    except SweepError as exc:  # no distributed, or no scheduler there: input, as verify
        raise _err(f"error: scheduler: {exc}", EXIT_INPUT) from None
    Console(stderr=True).print(
        f"{s.experiment}: {s.planned} tasks ({s.skipped} already stored, {s.ran} run on "
        f"{s.executor} × {s.workers}) in {s.seconds:.1f} s: {s.ok} ok, {s.errors} errors "
        f"-> {s.store}", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_OK if s.errors == 0 else EXIT_FAIL)


def report(
    store: Annotated[Path, typer.Argument(help="SQLite store written by `solver sweep` or by "
                                               "`solver bench --store`.")],
    out: Annotated[Path | None, typer.Option(help="Output directory (default: "
                                                  "STORE-report next to the store).")] = None,
    by: Annotated[list[str] | None, typer.Option(
        "--by", help="Size parameter(s) the ratio tables and plots are per (repeatable or "
                     "comma-separated; default: a bench store's varying numeric parameters, "
                     "a sweep's record `size`).")] = None,
    top: Annotated[int, typer.Option(help="Worst cases listed per algorithm.")] = 3,
) -> None:
    """Write report.md with tables and PNG figures (and worst-case instance files).

    A bench store gets, per algorithm × size parameter, the ratio's count, median, p95 and
    max over proven rows with the unproven / infeasible / error counts, box plots, ALG and
    OPT seconds against the parameter, and its worst cases as `solver bench --rerun` files.
    """
    if not store.is_file():
        raise _err(f"error: {store}: no such sweep store", EXIT_INPUT)
    from ..errors import InstanceError
    from .report import write_report

    names = [n.strip() for b in by or () for n in b.split(",") if n.strip()] or None
    out = out or store.with_name(store.stem + "-report")
    try:
        path = write_report(store, out, by=names, top=top)
    except InstanceError as exc:  # a damaged or foreign store (StoreError), a bad --by
        raise _err(f"error: {exc}", EXIT_INPUT) from None
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add the ``sweep`` and ``report`` commands to the ``solver`` app."""
    app.command("sweep")(sweep)
    app.command("report")(report)
