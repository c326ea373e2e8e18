"""The result store: one SQLite database in WAL mode, one row per finished task.

Why SQLite (and not Parquet part files): it is in the standard library (no pyarrow), one
file holds the whole sweep, every finished task is committed in its own transaction so a
SIGKILL loses at most the tasks still running, the ``key`` primary key makes resume a set
look-up and makes duplicates impossible, and WAL mode lets ``solver report`` or
:func:`load` read while a sweep is writing.  Only the driver process writes (workers return
rows to it), so there is a single writer.  ``synchronous=NORMAL`` keeps a commit cheap
(tens of microseconds): a killed process loses nothing committed; only an OS crash or power
loss can drop the last commits, never corrupt the file.

An existing file is used only if it is a solver store (an SQLite database whose ``tasks``
table has :data:`COLUMNS`) that passes SQLite's ``quick_check``; anything else (an empty or
truncated file, another program's database, a text file) raises :class:`StoreError`
(``store: not a solver store: ...`` or ``store: damaged: ...``, exit 2) and is left as it
is.  A new store is created only where no file exists.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import InstanceError

COLUMNS = ("key", "experiment", "params", "seed", "version", "status", "error", "record",
           "started", "seconds", "host")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    key        TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    params     TEXT NOT NULL,
    seed       INTEGER NOT NULL,
    version    TEXT,
    status     TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error      TEXT,
    record     TEXT,
    started    REAL,
    seconds    REAL,
    host       TEXT
);
CREATE INDEX IF NOT EXISTS tasks_experiment ON tasks (experiment);
"""


#: The first 16 bytes of every SQLite 3 database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
#: Size of an SQLite database header: a shorter file is not a database.
SQLITE_HEADER_BYTES = 100


class StoreError(InstanceError):
    """The store path holds something that is not a usable solver store (field ``store``).

    Parameters
    ----------
    path
        The store's path.
    kind
        ``"not a solver store"`` (an empty or foreign file) or ``"damaged"`` (a solver
        store SQLite cannot read).
    why
        What was found.
    """

    def __init__(self, path: str | Path, kind: str, why: str) -> None:
        self.path = str(path)
        self.kind = kind
        super().__init__("store", f"{kind}: {path} ({' '.join(str(why).split())})")


def _check_header(path: Path) -> None:
    """Refuse a path that cannot be an SQLite database, before SQLite touches it."""
    if not path.is_file():
        raise StoreError(path, "not a solver store", "not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise StoreError(path, "not a solver store", "an empty file; a new store is only "
                                                     "created where no file exists")
    with path.open("rb") as f:
        head = f.read(SQLITE_HEADER_BYTES)
    if not head.startswith(SQLITE_MAGIC):
        raise StoreError(path, "not a solver store", "not an SQLite database")
    if len(head) < SQLITE_HEADER_BYTES:
        raise StoreError(path, "damaged", f"truncated to {size} bytes")


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a :class:`Store` method under its :meth:`Store._guard`."""
    @functools.wraps(fn)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        with self._guard():
            return fn(self, *args, **kwargs)
    return wrapper


class Store:
    """A sweep's SQLite store (created on first open unless ``readonly``).

    Parameters
    ----------
    path
        Database file.
    readonly
        Open an existing store for reading (``FileNotFoundError`` when it does not exist).
    """

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = Path(path)
        exists = self.path.exists()
        if readonly and not exists:
            raise FileNotFoundError(f"no sweep store at {self.path}")
        if exists:
            _check_header(self.path)
        try:
            if readonly:
                self._db = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro",
                                           uri=True, timeout=30)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(self.path, "damaged", f"cannot be opened: {exc}") from None
        try:
            with self._guard():
                if exists:
                    self._verify()
                if not readonly:
                    self._db.execute("PRAGMA journal_mode=WAL")
                    self._db.execute("PRAGMA synchronous=NORMAL")
                    if not exists:
                        self._db.executescript(_SCHEMA)
        except BaseException:
            self._db.close()
            raise

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite's own errors on this file as a :class:`StoreError` (``damaged``)."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise StoreError(self.path, "damaged", f"{type(exc).__name__}: {exc}") from None

    def _verify(self) -> None:
        """An existing file must pass ``quick_check`` and hold the ``tasks`` table."""
        result = [r[0] for r in self._db.execute("PRAGMA quick_check")]
        if result != ["ok"]:
            raise StoreError(self.path, "damaged",
                             "quick_check: " + "; ".join(map(str, result[:2])))
        cols = [r[1] for r in self._db.execute("PRAGMA table_info(tasks)")]
        if not cols:
            raise StoreError(self.path, "not a solver store", "an SQLite database without "
                                                              "the tasks table")
        if tuple(cols) != COLUMNS:
            raise StoreError(self.path, "not a solver store", "its tasks table has columns "
                                                              f"{', '.join(cols)}")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @_guarded
    def done_keys(self, experiment: str | None = None) -> set[str]:
        """Keys of finished tasks (ok or error)."""
        if experiment is None:
            cur = self._db.execute("SELECT key FROM tasks")
        else:
            cur = self._db.execute("SELECT key FROM tasks WHERE experiment = ?", (experiment,))
        return {r[0] for r in cur}

    @_guarded
    def add(self, rows: Iterable[Mapping[str, Any]], replace: bool = False) -> int:
        """Write finished tasks in one transaction; returns how many rows were new.

        Without ``replace`` a key already present is kept (``INSERT OR IGNORE``): a task
        finished twice (a retried Dask task, a resumed sweep) is stored once.
        """
        rows = list(rows)
        if not rows:
            return 0
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        sql = f"{verb} INTO tasks ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        cur = self._db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            before = self._db.total_changes
            cur.executemany(sql, [tuple(r[c] for c in COLUMNS) for r in rows])
            added = self._db.total_changes - before
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return added

    @_guarded
    def delete_errors(self, keys: Iterable[str]) -> int:
        """Forget errored tasks among ``keys`` (so that they run again)."""
        keys = list(keys)
        cur = self._db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        n = 0
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            cur.execute(f"DELETE FROM tasks WHERE status = 'error' AND key IN "
                        f"({', '.join('?' * len(part))})", part)
            n += cur.rowcount
        cur.execute("COMMIT")
        return n

    @_guarded
    def count(self, keys: Iterable[str] | None = None) -> dict[str, int]:
        """Tasks by status, over all rows or over ``keys``."""
        out = {"ok": 0, "error": 0}
        if keys is None:
            for st, n in self._db.execute("SELECT status, COUNT(*) FROM tasks GROUP BY status"):
                out[st] = n
            return out
        keys = list(keys)
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            for st, n in self._db.execute(
                    f"SELECT status, COUNT(*) FROM tasks WHERE key IN "
                    f"({', '.join('?' * len(part))}) GROUP BY status", part):
                out[st] += n
        return out

    def rows(self, experiment: str | None = None) -> Iterator[dict[str, Any]]:
        """Every stored row as a dict, params and record decoded, in insertion order."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM tasks"
        args: tuple[Any, ...] = ()
        if experiment is not None:
            sql += " WHERE experiment = ?"
            args = (experiment,)
        with self._guard():
            try:
                for r in self._db.execute(sql + " ORDER BY rowid", args):
                    row = dict(zip(COLUMNS, r, strict=True))
                    row["params"] = json.loads(row["params"])
                    row["record"] = json.loads(row["record"]) if row["record"] else {}
                    yield row
            except (json.JSONDecodeError, TypeError) as exc:
                raise StoreError(self.path, "damaged", f"a row that is not JSON: {exc}"
                                 ) from None


#: DataFrame names of the metadata columns (``status``/``seconds`` renamed so that a
#: record's own ``status`` and ``seconds`` keep their names).
META_COLUMNS = {"key": "key", "experiment": "experiment", "seed": "seed", "version": "version",
                "status": "task_status", "error": "error", "started": "started",
                "seconds": "task_seconds", "host": "host"}


def load(store: str | Path, experiment: str | None = None) -> Any:
    """The store as a pandas DataFrame, one row per finished task.

    Columns: the metadata (``key, experiment, seed, version, task_status, error, started,
    task_seconds, host``), then every parameter, then every record field, each as its own
    column.  A record field whose name is already taken (with another value) gets a
    ``record.`` prefix.  Rows
    from different experiments have NaN in the columns they lack.

    Parameters
    ----------
    store
        Path of the SQLite store.
    experiment
        Keep only this experiment's rows.
    """
    import pandas as pd

    rows = []
    with Store(store, readonly=True) as st:
        for r in st.rows(experiment):
            row = {META_COLUMNS[k]: r[k] for k in META_COLUMNS}
            for k, v in r["params"].items():
                row.setdefault(k, v)
            for k, v in r["record"].items():
                if k not in row:
                    row[k] = v
                elif row[k] != v:  # a record field named like a parameter or metadata
                    row["record." + k] = v
            rows.append(row)
    if not rows:
        return pd.DataFrame(columns=list(META_COLUMNS.values()))
    return pd.DataFrame(rows)
