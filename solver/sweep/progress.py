"""Progress of a sweep: a Rich bar (rate, ETA) on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class NullProgress:
    """No output."""

    def __init__(self, label: str = "", total: int = 0, skipped: int = 0) -> None:
        self.total, self.skipped = total, skipped
        self.done = self.errors = 0

    def update(self, rows: list[dict[str, Any]]) -> None:
        self.done += len(rows)
        self.errors += sum(r["status"] == "error" for r in rows)

    def close(self) -> None:
        pass


class LogProgress(NullProgress):
    """One line every ``every_s`` seconds (and a last one): done/total, errors, rate, ETA."""

    def __init__(self, label: str, total: int, skipped: int = 0, stream: TextIO | None = None,
                 every_s: float = 5.0) -> None:
        super().__init__(label, total, skipped)
        self.label = label
        self.stream = stream or sys.stderr
        self.every_s = every_s
        self.t0 = self.last = time.monotonic()
        self._print(f"{total} tasks to run ({skipped} already in the store)")

    def _print(self, msg: str) -> None:
        self.stream.write(f"[sweep {self.label}] {msg}\n")
        self.stream.flush()

    def _line(self) -> str:
        el = time.monotonic() - self.t0
        rate = self.done / el if el > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        return (f"{self.done}/{self.total} done, {self.errors} errors, {rate:.3g} tasks/s, "
                f"elapsed {el:.1f} s, ETA {eta:.0f} s")

    def update(self, rows: list[dict[str, Any]]) -> None:
        super().update(rows)
        now = time.monotonic()
        if now - self.last >= self.every_s and self.done < self.total:
            self.last = now
            self._print(self._line())

    def close(self) -> None:
        self._print(self._line())


class RichProgress(NullProgress):
    """A Rich progress bar on stderr with count, rate, elapsed time and ETA."""

    def __init__(self, label: str, total: int, skipped: int = 0) -> None:
        super().__init__(label, total, skipped)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                            MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                            TextColumn("[red]{task.fields[errs]}"), TimeElapsedColumn(),
                            TextColumn("ETA"), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=False)
        self.bar.start()
        extra = f" (+{skipped} done)" if skipped else ""
        self.task = self.bar.add_task(f"{label}{extra}", total=total, rate="", errs="")
        self.t0 = time.monotonic()

    def update(self, rows: list[dict[str, Any]]) -> None:
        super().update(rows)
        el = time.monotonic() - self.t0
        rate = f"{self.done / el:.3g}/s" if el > 0 else ""
        errs = f"{self.errors} errors" if self.errors else ""
        self.bar.update(self.task, advance=len(rows), rate=rate, errs=errs)

    def close(self) -> None:
        self.bar.stop()


def make_progress(label: str, total: int, skipped: int = 0,
                  enabled: bool | None = None) -> NullProgress:
    """Rich on a terminal, log lines otherwise, nothing with ``enabled=False``."""
    if enabled is False:
        return NullProgress(label, total, skipped)
    if sys.stderr.isatty():
        return RichProgress(label, total, skipped)
    return LogProgress(label, total, skipped)
