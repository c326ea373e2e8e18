"""Memory and work estimates of the pricing methods, computed from sizes before building.

Every method of :mod:`solver.pricing` calls one of the ``check_*`` functions here with the
instance's sizes (buyer *types* ``B'`` after :func:`~solver.pricing.envy_free.
merge_identical_buyers`, sizes ``n = N + 1``, the price-grid ``epsilon``) before it allocates
anything large; they raise :class:`~solver.errors.SizeLimitError` (exit 2) through
:func:`solver.budget.check_memory` / :func:`solver.budget.check_work`, naming the field
``valuations``, the estimate and a method that scales.

The per-non-zero figures of the MILPs were measured as the growth of peak resident memory
(``ru_maxrss``, and the solver child's for CBC) over each stage of one solve of a 60 x 60
pairwise model (4.4e5 non-zeros), rounded up.  On the 100 x 100 file (2.0e6 non-zeros)
the estimates are 0.53 GiB for ``highs``, 0.55 for ``cvxpy:HIGHS``, 1.89 for ``pulp:CBC``
and 2.11 for ``portfolio`` (refused at the default 2 GiB unless ``--time-limit`` is below
20 s, when PuLP cannot finish building: 0.64 GiB at 5 s); the measured peak of the whole
``portfolio`` process tree at ``--time-limit 5`` was 0.32 GB, at 90 s 0.30 GB.
"""

from __future__ import annotations

import math

from ..budget import check_memory, check_work

#: Bytes per constraint-matrix non-zero in the calling process: this package's build (int32
#: indices, float64 data: 14 B measured), the equilibrated copy of :func:`solver.opt.solve`
#: (96 B measured) and, for an isolated or raced backend, the pickled model.
PARENT_BYTES_PER_NNZ = 130.0
#: Bytes per non-zero of HiGHS (scipy or highspy) on the model (106 B measured).
HIGHS_BYTES_PER_NNZ = 120.0
#: Bytes per non-zero of cvxpy's canonicalisation (114 B measured).
CVXPY_BYTES_PER_NNZ = 130.0
#: Bytes per non-zero of PuLP's Python model (226 B measured) ...
PULP_BYTES_PER_NNZ = 240.0
#: ... and of the CBC process it starts once the model is written (579 B measured).
CBC_BYTES_PER_NNZ = 600.0
#: Non-zeros per second PuLP builds at most (34e3 measured; 3x margin for faster machines):
#: under a time limit PuLP cannot hand a solver more than this many per second of it, so a
#: model it cannot finish building never reaches CBC.
PULP_BUILD_RATE = 1e5
#: Fixed overhead of a MILP solve (backend start-up, HiGHS workspace), bytes.
BACKEND_BASE_BYTES = 64.0 * 1024**2
#: Operations (in the units of :data:`solver.budget.DEFAULT_MAX_WORK`, about 1e8 a second)
#: per array entry each kernel touches, measured and doubled: the grid DP runs many small
#: numpy operations (5e7 entries/s measured on 30 x 30), ...
GRID_OPS_PER_ENTRY = 4.0
#: ... the local search and the K-types enumeration large vectorised ones (1e9 entries/s
#: measured on 300 x 300 for the local search), ...
LOCAL_OPS_PER_ENTRY = 0.2
KTYPES_OPS_PER_ENTRY = 0.5
#: ... and the batched Floyd-Warshall of the enumeration likewise.
BRUTE_OPS_PER_ENTRY = 0.2
#: Candidate prices per position of one local-search step (evenly spaced quantiles of the
#: indifference prices when there are more): keeps a step ``O(B)`` for any number of types.
LOCAL_CANDIDATES = 512
#: Bytes per entry of the grid DP's per-size transition tensor (masks, candidates, copy).
GRID_BYTES_PER_ENTRY = 24.0


def milp_nonzeros(formulation: str, types: int, n: int) -> float:
    """Constraint-matrix non-zeros of the ``pairwise`` or ``curve`` MILP (floats: no overflow).

    ``pairwise``: ``B' (B' - 1)`` EFB rows of ``2 N + 2`` entries, the IRB and assignment
    rows ``2 B' n``.  ``curve``: ``5 B' n + 2 n`` (rows C2, C3, C4 and assignment).
    """
    b, m = float(types), float(n)
    if formulation == "pairwise":
        return 2.0 * b * m + b * (b - 1.0) * (2.0 * m)
    return 5.0 * b * m + 2.0 * m


def milp_bytes(formulation: str, types: int, n: int, backend: str,
               time_limit: float | None = None) -> float:
    """Estimated peak memory of building and solving the MILP with ``backend`` (all the
    processes it starts together); see the constants above for the measured figures."""
    nnz = milp_nonzeros(formulation, types, n)
    b = backend.lower()
    pulp_nnz = nnz if time_limit is None else min(nnz, PULP_BUILD_RATE * time_limit)
    pulp_done = pulp_nnz >= nnz
    per = PARENT_BYTES_PER_NNZ * nnz
    if b.startswith("pulp") or b == "cbc":
        solver = HIGHS_BYTES_PER_NNZ if "highs" in b else CBC_BYTES_PER_NNZ
        per += PULP_BYTES_PER_NNZ * pulp_nnz + (solver * nnz if pulp_done else 0.0)
    elif b.startswith("portfolio"):
        per += (HIGHS_BYTES_PER_NNZ * nnz + PULP_BYTES_PER_NNZ * pulp_nnz
                + (CBC_BYTES_PER_NNZ * nnz if pulp_done else 0.0))
    elif b.startswith("cvxpy") or b == "clarabel":
        per += CVXPY_BYTES_PER_NNZ * nnz
    else:
        per += HIGHS_BYTES_PER_NNZ * nnz
    return per + BACKEND_BASE_BYTES


def check_milp(formulation: str, types: int, n: int, backend: str,
               time_limit: float | None = None) -> None:
    """Refuse a MILP whose estimated memory exceeds the budget (before it is built)."""
    nnz = milp_nonzeros(formulation, types, n)
    alt = ("--method curve (the compact exact MILP) or --method local"
           if formulation == "pairwise" else "--method local or --method grid")
    check_memory("valuations", milp_bytes(formulation, types, n, backend, time_limit),
                 f"the {formulation} MILP on {types} buyer types x {n - 1} sizes "
                 f"({nnz:.3g} non-zeros, backend {backend})", alt)


def grid_levels(epsilon: float) -> float:
    """Number of price levels ``floor(1 / epsilon) + 1`` of the grid (a float: no overflow)."""
    return math.floor(1.0 / epsilon + 1e-12) + 1.0


def check_grid(types: int, n: int, epsilon: float, repeats: float = 1.0) -> None:
    """Refuse the grid DP (3 buyer orders) whose estimated work or memory exceeds the budget.

    Work ``3 B' n (n + 1) / 2 L^2`` entries (``L`` price levels), memory ``n L^2`` entries of
    the per-size transition tensor plus ``B' n L`` back-pointers; ``repeats`` multiplies the
    work (Algorithm 1 runs the DP once per ``N``).
    """
    L = grid_levels(epsilon)
    work = repeats * 3.0 * types * n * (n + 1.0) / 2.0 * L * L * GRID_OPS_PER_ENTRY
    mem = n * L * L * GRID_BYTES_PER_ENTRY + types * n * L * 8.0
    what = f"the grid DP on {types} buyer types x {n - 1} sizes with {L:.3g} price levels"
    alt = "--method local or a larger epsilon"
    check_memory("valuations", mem, what, alt)
    check_work("valuations", work, what, alt)


def check_ktypes(types: int, n: int, epsilon: float, repeats: float = 1.0) -> None:
    """Refuse the K-types enumeration whose price vectors or work exceed the budget."""
    L = grid_levels(epsilon)
    K = float(types)
    # non-decreasing price vectors: C(L + K - 1, K); step right ends: C(N - 1, K - 1)
    log_price = math.lgamma(L + K) - math.lgamma(K + 1.0) - math.lgamma(L)
    log_size = (math.lgamma(max(n - 1.0, 1.0)) - math.lgamma(K) - math.lgamma(max(n - K, 1.0))
                if K > 1 else 0.0)
    n_price = math.exp(min(log_price, 700.0))
    n_size = math.exp(min(log_size, 700.0))
    mem = n_price * (K * 8.0 + 64.0 + 8.0 * K) + n_price * K * K * 8.0 * 3.0
    work = repeats * n_size * n_price * K * K * KTYPES_OPS_PER_ENTRY
    what = f"the K-types enumeration with {types} buyer types and {L:.3g} price levels"
    alt = "--method grid or --method local"
    check_memory("valuations", mem, what, alt)
    check_work("valuations", work, what, alt)


def local_work(types: int, n: int, sweeps: int) -> float:
    """Elementary operations of :func:`~solver.pricing.approx.local_search` (upper bound)."""
    b, m = float(types), float(n)
    c = min(b, LOCAL_CANDIDATES)
    return sweeps * m * b * (10.0 * m + 4.0 * c) * LOCAL_OPS_PER_ENTRY


def check_local(types: int, n: int, sweeps: int, repeats: float = 1.0) -> None:
    """Refuse the local search whose estimated work exceeds the budget."""
    check_work("valuations", repeats * local_work(types, n, sweeps),
               f"the local search on {types} buyer types x {n - 1} sizes")
