"""Synthetic problem, claim and experiments for the sweep tests (no dependency on the
papers' packages).  Importing this module registers the experiment; the problem and the
claim are registered only while the sweep tests run (``tests/sweep/conftest.py``), so that
they never show up in other packages' tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from solver.claims import ClaimResult
from solver.problems import SolveOptions
from solver.sweep import experiment
from solver.validate import as_array, reject_unknown, require

TOY_PROBLEM = "sweeptest.sum"


def parse_toy(raw: Mapping[str, Any]) -> tuple[float, ...]:
    reject_unknown(raw, ("problem", "values"))
    return tuple(as_array(require(raw, "values"), "values").tolist())


def solve_toy(inst: tuple[float, ...], opts: SolveOptions) -> dict[str, Any]:
    return {"status": "optimal", "objective": float(sum(inst)), "backend": "exact:sum",
            "seconds": 0.0, "n": len(inst)}


@experiment("sweeptest.ratio", description="synthetic ratios with a known scaling slope")
def toy_ratio(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """ratio = 1 + U(0, 0.5) (greedy) or 1 + U(0, 1) (random); seconds = 1e-6 size^1.5."""
    rng = np.random.default_rng([seed, int(params["size"])])
    spread = 0.5 if params["algorithm"] == "greedy" else 1.0
    values = rng.integers(0, 10, int(params["size"])).tolist()
    return {"algorithm": params["algorithm"], "ratio": 1.0 + spread * float(rng.random()),
            "size": int(params["size"]), "seconds": 1e-6 * float(params["size"]) ** 1.5,
            "instance": {"problem": TOY_PROBLEM, "values": values}}


TOY_CLAIM = "sweeptest.toy-claim"


def toy_claim(ctx: Any) -> ClaimResult:
    x = float(ctx.rng().random())
    return ClaimResult(ok=True, computed=x, worst_case={
        "summary": f"x = {x:.3f}", "x": x, "instance": {"problem": TOY_PROBLEM, "values": [x]}})
