"""Type check ``solver/`` with mypy against a recorded baseline that may only shrink.

``.ci/mypy-baseline.txt`` holds the number of mypy errors accepted today.  More errors fail
CI; fewer print a reminder to lower the baseline (``--update`` writes the new count).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"


def count() -> tuple[int, str]:
    r = subprocess.run([sys.executable, "-m", "mypy", "solver"], cwd=ROOT, capture_output=True,
                       text=True)
    out = r.stdout + r.stderr
    m = re.search(r"Found (\d+) errors?", out)
    if m:
        return int(m.group(1)), out
    if "Success" in out:
        return 0, out
    raise SystemExit(f"mypy did not run:\n{out}")


def main() -> int:
    n, out = count()
    if "--update" in sys.argv:
        BASELINE.write_text(f"{n}\n")
        print(f"mypy baseline set to {n}")
        return 0
    base = int(BASELINE.read_text().split()[0])
    if n > base:
        print(out[-4000:])
        print(f"mypy: {n} errors, more than the baseline of {base}")
        return 1
    note = f" (lower .ci/mypy-baseline.txt to {n})" if n < base else ""
    print(f"mypy: {n} errors, baseline {base}{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
