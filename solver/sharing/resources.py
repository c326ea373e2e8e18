"""Admissible ranges and resource estimates of the ``sharing`` problem, decided from sizes.

Units.  Leakage ``I_i(S) = Σ_{i,S}(Σ_SS + τI)^{-1}Σ_{S,i}`` is homogeneous of degree one in
``(Σ, τ)``: measuring the types in another unit multiplies ``Σ`` and ``τ`` by ``s`` (= the
unit factor squared) and every leakage, price, payoff and surplus by ``s``, while the privacy
values ``v`` (money per unit of leakage, the platform's own value being 1) and the profiles
are unchanged.  The solver therefore works on ``(Σ/s, τ/s)`` with ``s`` chosen so that the
largest one-user leakage is of order one (:func:`normalisation`) and multiplies the reported
quantities by ``s``; its tie and pruning tolerances are then relative to the data's scale.

Ranges.  Only the signal-to-noise ratio ``r = τ / max_i Σ_ii`` is a property of the model,
and it is bounded (exit 2 outside):

* ``τ >= NOISE_RATIO_MIN · λ_max(Σ)``: ``Σ_SS + τI`` stays numerically positive definite
  (Σ may have eigenvalues down to ``-PSD · λ_max``) with condition number at most ~1e8;
* ``τ <= NOISE_RATIO_MAX · max_i Σ_ii``: leakage is a difference ``Σ_ii - P_ii`` of posterior
  variances, which loses ``log10(r)`` digits (measured against exact rational arithmetic:
  relative error 1e-10 at r = 1e6, 2e-7 at 1e9, 1e-4 at 1e12).

Work.  The estimates are in the elementary operations of :mod:`solver.budget` (about 12 ns
each on the reference machine), calibrated on it: one profile of the Gray-code enumeration
costs ``n m / 2`` (m = 10 inner users), one direct evaluation ``EVAL_OPS + n³/250``, one
branch-and-bound node ``NODE_OPS + n³/50``.
"""

from __future__ import annotations

import numpy as np

from .. import budget
from ..errors import InstanceError

#: Smallest noise variance, relative to the largest eigenvalue of the covariance.
NOISE_RATIO_MIN = 1e-8
#: Largest noise variance, relative to the largest variance.
NOISE_RATIO_MAX = 1e6
#: Largest magnitude a reported payoff may reach (sums of leakages times values).
FLOAT_LIMIT = 1e307
#: Smallest positive scale of the covariance (largest variance) accepted.
VARIANCE_MIN = 1e-200
#: Operations per profile and per (user x inner user) of the Gray-code enumeration.
GRAY_OPS_PER_NM = 0.5
#: Inner (vectorised) users of the enumeration (``enumerate_gray``'s ``low_bits``).
GRAY_INNER = 10
#: Fixed cost of one direct evaluation / one branch-and-bound node (Python overhead).
EVAL_OPS = 7e3
NODE_OPS = 1.1e4
#: Operations per n³ of the eigenvalue check of the covariance (LAPACK is fast).
EIG_OPS_PER_N3 = 0.02
#: Bytes per covariance entry while it is validated (copies, transpose, differences).
VALIDATE_BYTES_PER_ENTRY = 48


def normalisation(var_max: float, noise: float) -> float:
    """The scale ``s`` with ``Σ/s``, ``τ/s`` of unit order: ``s = c min(1, c/τ)``, ``c = max Σ_ii``.

    For ``τ <= c`` the variances become at most 1; for ``τ > c`` the largest one-user
    leakage ``c²/(c + τ)`` becomes about one.  ``s = 1`` for a zero covariance.
    """
    if var_max <= 0:
        return 1.0
    return var_max * min(1.0, var_max / noise)


def check_instance(var: np.ndarray, lam_max: float, values: np.ndarray, noise: float) -> None:
    """Exit-2 rules on scale and signal-to-noise ratio (module docstring)."""
    c = float(var.max())
    if c == 0.0:
        return
    if c < VARIANCE_MIN:
        raise InstanceError("covariance", f"largest variance must be 0 or at least "
                                          f"{VARIANCE_MIN:g}, got {c:.6g} (rescale the data)")
    if noise < NOISE_RATIO_MIN * lam_max:
        raise InstanceError("noise_variance", f"must be at least {NOISE_RATIO_MIN:g} times the "
                                              f"largest eigenvalue of the covariance "
                                              f"({lam_max:.6g}), got {noise:.6g}; the noise "
                                              f"is in the data's units: scale it with the "
                                              f"covariance")
    if noise > NOISE_RATIO_MAX * c:
        raise InstanceError("noise_variance", f"must be at most {NOISE_RATIO_MAX:g} times the "
                                              f"largest variance ({c:.6g}), got {noise:.6g} "
                                              f"(leakage below 1e-6 of the variances is not "
                                              f"resolved); scale it with the covariance")
    s = normalisation(c, noise)
    with np.errstate(over="ignore"):
        money = float(np.sum((1.0 + values) * var))
        inner = float(np.sum((1.0 + values) * (var / s)))
    if not (money <= FLOAT_LIMIT and inner <= FLOAT_LIMIT):
        raise InstanceError("privacy_values", f"payoffs up to sum_i (1 + v_i) Σ_ii = "
                                              f"{money:.3g} exceed the float range "
                                              f"({FLOAT_LIMIT:g}); rescale the data")


def check_validation(n: int) -> None:
    """Memory and work of validating an ``n x n`` covariance (before the eigenvalues)."""
    budget.check_memory("covariance", VALIDATE_BYTES_PER_ENTRY * float(n) ** 2,
                        f"validating a {n} x {n} covariance")
    budget.check_work("covariance", EIG_OPS_PER_N3 * float(n) ** 3,
                      f"the eigenvalue check of a {n} x {n} covariance")


def eval_ops(n: int) -> float:
    """Operations of one direct evaluation of an objective at a profile."""
    return EVAL_OPS + float(n) ** 3 / 250.0


def node_ops(n: int) -> float:
    """Operations of one branch-and-bound node (two posteriors, two evaluations)."""
    return NODE_OPS + float(n) ** 3 / 50.0


def exhaustive_ops(n: int) -> float:
    """Operations of the Gray-code enumeration of all ``2^n`` profiles."""
    return GRAY_OPS_PER_NM * 2.0 ** n * n * min(n, GRAY_INNER)


def heuristic_evals(n: int, swaps: bool) -> float:
    """Evaluations of greedy (at most ``n`` rounds of ``n``) plus two local-search passes."""
    per_pass = n + (n * (n - 1) / 2 if swaps else 0)
    return float(n) * n + 2.0 * per_pass


def check_search(n: int, method: str, objectives: int = 2) -> None:
    """Refuse a search whose estimate exceeds the work or memory budget (exit 2)."""
    if method == "exhaustive":
        ops = objectives * exhaustive_ops(n) / 2
        budget.check_work("covariance", ops, f"exhaustive enumeration of 2^{n} profiles",
                          "method 'branch-and-bound' (exact, prunes) or 'greedy' (heuristic)")
        cols = float(1 << min(10, max(n - GRAY_INNER, 0))) * n * (min(n, GRAY_INNER) + 2)
        budget.check_memory("covariance", 3 * 8 * cols, "the enumeration's batch buffers")
    else:
        # greedy, and the incumbent of branch-and-bound (local search, swaps up to 40/60)
        swaps = n <= (60 if method == "greedy" else 40)
        ops = objectives * heuristic_evals(n, swaps) * eval_ops(n)
        what = "greedy and local search" if method == "greedy" else \
            "the local-search incumbent of branch-and-bound"
        budget.check_work("covariance", ops, f"{what} on {n} users")


def max_nodes(n: int) -> int:
    """Branch-and-bound nodes the work budget allows (the search stops there, ``time_limit``)."""
    return max(1, int(budget.current().max_work / node_ops(n)))
