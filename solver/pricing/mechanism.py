"""The strategic-contributor mechanism and a seeded simulator [CCK25, Section 5].

[CCK25, Algorithm 2, eq. (13)-(15)].  Given Algorithm 1's ``N^+``, sizes ``m_j^+`` and
prices ``q_j^+``:

* instructions (13): ``N_1^* = N^+ - 1``, ``N_2^* = 1``, others 0;
* ``d_i = c_i (N_i^*)^2 / sigma^2``, ``W = sum_j q_j^+ - c_1 (N^+ - 1) - c_2``;
* buyer price (14) and contributor payment (15) depend on the reported datasets through the
  indicator ``|Y_i| = N_i^*`` and the squared gap of the two reported means.

Reading choices (documented because the paper leaves them open):

* the mechanism needs ``N^+ >= 2`` (otherwise ``N_1^* = 0`` and ``sigma^2 / N_{-2}^*`` is a
  division by zero), so :func:`build_mechanism` runs Algorithm 1's search over ``N >= 2``;
* the mean of an empty report is taken to be 0 (the infimum over ``mu`` then makes any
  strategy that reports nothing, or fabricates from nothing, worth ``-inf`` in expectation);
* costs are sorted, so contributor 1 is the cheapest and 2 the second cheapest (they are
  costs per data point, ``>= 0``, given in any order).

Expected utilities under a deviation of one contributor while the other is truthful are
closed forms (proof of Lemmas 7-9): with ``K_i = W N_i^*/N^+ + c_i N_i^* + d_i sigma^2 /
N_{-i}^* + d_i sigma^2 / N_i^*``,
``u_i = 1{|Y_i| = N_i^*} K_i - d_i (MSE_i + sigma^2 / N_{-i}^*) - c_i n_i``, where
``MSE_i = sup_mu E[(mu_hat(Y_i) - mu)^2]`` of the reported mean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InstanceError
from .envy_free import as_valuations, ef_revenue, purchases
from .profit import algorithm1


@dataclass(frozen=True)
class Mechanism:
    """``M^*`` of Algorithm 2 (two active contributors)."""

    N_plus: int
    sizes: tuple[int, ...]
    q_plus: tuple[float, ...]
    costs: tuple[float, ...]
    sigma: float

    @property
    def B(self) -> int:
        """Number of buyers."""
        return len(self.q_plus)

    @property
    def N_star(self) -> tuple[int, int]:
        """``(N_1^*, N_2^*)`` (eq. 13)."""
        return (self.N_plus - 1, 1)

    @property
    def d(self) -> tuple[float, float]:
        """``d_i = c_i (N_i^*)^2 / sigma^2``."""
        c, n, s2 = self.costs, self.N_star, self.sigma ** 2
        return (c[0] * n[0] ** 2 / s2, c[1] * n[1] ** 2 / s2)

    @property
    def W(self) -> float:
        """``W = sum_j q_j^+ - c_1 (N^+ - 1) - c_2``: the expected profit."""
        return float(sum(self.q_plus)) - self.costs[0] * (self.N_plus - 1) - self.costs[1]

    def K(self, i: int) -> float:
        """The constant part of contributor ``i``'s payment (15) when ``|Y_i| = N_i^*``."""
        Ns, d, s2 = self.N_star, self.d, self.sigma ** 2
        return (self.W * Ns[i] / self.N_plus + self.costs[i] * Ns[i] + d[i] * s2 / Ns[1 - i]
                + d[i] * s2 / Ns[i])

    def prices(self, sizes_ok: tuple[bool, bool], means: tuple[float, float]) -> np.ndarray:
        """Buyer prices ``p_j^*`` (eq. 14) for one realisation of the reports."""
        Ns, d, s2, B = self.N_star, self.d, self.sigma ** 2, self.B
        q = np.asarray(self.q_plus)
        gap2 = (means[0] - means[1]) ** 2
        p = np.zeros(B)
        for i in (0, 1):
            if sizes_ok[i]:
                p += q * Ns[i] / self.N_plus + d[i] / B * s2 / Ns[1 - i] + d[i] / B * s2 / Ns[i]
            p -= d[i] / B * gap2
        return p

    def payments(self, sizes_ok: tuple[bool, bool], means: tuple[float, float]) -> np.ndarray:
        """Contributor payments ``pi_i^*`` (eq. 15); contributors 3, 4, ... get 0."""
        gap2 = (means[0] - means[1]) ** 2
        out = np.zeros(len(self.costs))
        for i in (0, 1):
            out[i] = (self.K(i) if sizes_ok[i] else 0.0) - self.d[i] * gap2
        return out


def build_mechanism(V: np.ndarray, costs: ArrayLike, sigma: float,
                    A: Callable[..., np.ndarray] | None = None) -> Mechanism:
    """Algorithm 2, lines 1-4: run Algorithm 1 (over ``N >= 2``) and fix ``M^*``.

    Parameters
    ----------
    V
        Valuations with rows ``v_j(0..N)`` and ``v_j(0) = 0`` (validated by
        :func:`~solver.pricing.envy_free.as_valuations`).
    costs
        At least two costs per data point, ``>= 0``, in any order (sorted here).
    sigma
        Standard deviation of the data, ``> 0``.
    A
        An ordered-item pricing algorithm ``A(V_N) -> q``; default the exact MILP.

    Returns
    -------
    Mechanism
        ``M^*`` with ``N^+ >= 2`` (module docstring).
    """
    c = np.asarray(costs, dtype=float).reshape(-1)
    if c.shape[0] < 2 or not np.all(np.isfinite(c)) or np.any(c < 0):
        raise InstanceError("costs", "Algorithm 2 needs at least two finite costs per data "
                            f"point >= 0, got {list(c)}")
    if isinstance(sigma, bool) or not np.isfinite(sigma) or not sigma > 0:
        raise InstanceError("sigma", f"must be finite and > 0, got {sigma!r}")
    costs = tuple(sorted(float(x) for x in c))
    if A is None:
        def A(Vn):
            return ef_revenue(Vn).curve
    V = as_valuations(V)
    res = algorithm1(V, costs[0], A)
    profits = {N: p for N, p in res["profits"].items() if N >= 2}
    if not profits:
        raise ValueError("Algorithm 1's range holds no N >= 2; Algorithm 2 is undefined")
    N = max(profits, key=lambda k: (profits[k], k))
    if N != res["N"]:  # best N >= 2 differs from Algorithm 1's N^+ (which was 1)
        q = np.asarray(A(V[:, :N + 1]), dtype=float)
        m = purchases(V[:, :N + 1], q)
        res = {"N": N, "sizes": m, "prices": q[m]}
    return Mechanism(N, tuple(int(m) for m in res["sizes"]),
                     tuple(float(p) for p in res["prices"]), costs, float(sigma))


# ----------------------------------------------------------------------------- strategies
@dataclass(frozen=True)
class Strategy:
    """A contributor strategy ``(n_i, f_i)`` from the deviation families.

    ``kind``:
    ``truthful``  collect ``n``, submit all of it;
    ``fabricate`` collect ``n <= N^*``, add ``N^* - n`` points drawn from ``N(xbar + delta,
                  sigma^2)`` (fitted mean, or ``N(delta, sigma^2)`` when ``n = 0``);
    ``pad_mean``  collect ``n <= N^*``, add ``N^* - n`` copies of ``xbar`` (``f_b`` of Lemma 8);
    ``duplicate`` collect ``n <= N^*``, repeat the points cyclically up to ``N^*``;
    ``shift``     collect ``n``, submit them shifted by ``delta``;
    ``drop``      collect ``n``, submit the first ``n - k`` (``k = param``);
    ``subsample`` collect ``n >= N^*``, submit the first ``N^*``.
    """

    kind: str
    n: int
    param: float = 0.0

    def submit(self, X: np.ndarray, Nstar: int, sigma: float,
               rng: np.random.Generator) -> np.ndarray:
        """``Y_i = f_i(X_i)`` for one dataset."""
        n = len(X)
        if self.kind == "truthful":
            return X
        if self.kind == "fabricate":
            centre = (X.mean() if n else 0.0) + self.param
            return np.concatenate([X, rng.normal(centre, sigma, max(0, Nstar - n))])
        if self.kind == "pad_mean":
            centre = X.mean() if n else 0.0
            return np.concatenate([X, np.full(max(0, Nstar - n), centre)])
        if self.kind == "duplicate":
            return X[np.arange(Nstar) % n] if n else X
        if self.kind == "shift":
            return X + self.param
        if self.kind == "drop":
            return X[:max(0, n - int(self.param))]
        if self.kind == "subsample":
            return X[:Nstar]
        raise ValueError(f"unknown strategy {self.kind!r}")

    def report_stats(self, Nstar: int, sigma: float) -> tuple[int, float]:
        """``(|Y_i|, sup_mu MSE of mu_hat(Y_i))`` in closed form (``inf`` if unbounded)."""
        n, s2, k = self.n, sigma ** 2, self.kind
        if k == "truthful":
            return n, (s2 / n if n else np.inf)
        if k in ("fabricate", "pad_mean", "duplicate") and n > Nstar:
            raise ValueError(f"{k} needs n <= N*")
        if k == "fabricate":
            if n == 0:
                return Nstar, np.inf
            rho = (Nstar - n) / Nstar
            extra = rho ** 2 * (self.param ** 2 + s2 / (Nstar - n)) if n < Nstar else 0.0
            return Nstar, s2 / n + extra
        if k == "pad_mean":
            return Nstar, (s2 / n if n else np.inf)
        if k == "duplicate":
            if n == 0:
                return 0, np.inf
            w = np.bincount(np.arange(Nstar) % n, minlength=n) / Nstar
            return Nstar, s2 * float(np.sum(w ** 2))
        if k == "shift":
            return n, (s2 / n + self.param ** 2 if n else np.inf)
        if k == "drop":
            size = max(0, n - int(self.param))
            return size, (s2 / size if size else np.inf)
        if k == "subsample":
            if n < Nstar:
                raise ValueError("subsample needs n >= N*")
            return Nstar, s2 / Nstar
        raise ValueError(f"unknown strategy {k!r}")


def honest(mech: Mechanism, i: int) -> Strategy:
    """``s_i^* = (N_i^*, I)``."""
    return Strategy("truthful", mech.N_star[i])


def expected_utility(mech: Mechanism, i: int, s: Strategy) -> float:
    """``u_i^c(M^*, (s, s_{-i}^*))`` (eq. 7) in closed form (others truthful)."""
    Ns = mech.N_star
    size, mse = s.report_stats(Ns[i], mech.sigma)
    if not np.isfinite(mse):
        return -np.inf
    ind = size == Ns[i]
    return ((mech.K(i) if ind else 0.0) - mech.d[i] * (mse + mech.sigma ** 2 / Ns[1 - i])
            - mech.costs[i] * s.n)


def deviation_family(Nstar: int, sigma: float, quick: bool = False) -> list[Strategy]:
    """The deviations checked for ICC: collect ``n != N^*``, fabricate, drop, duplicate."""
    ns = range(0, 2 * Nstar + 4)
    deltas = (0.0, 0.5 * sigma, sigma) if not quick else (0.0, sigma)
    out = [Strategy("truthful", n) for n in ns]
    for n in range(0, Nstar):  # n = N* would be the honest report
        out += [Strategy("fabricate", n, dl) for dl in deltas]
        out += [Strategy("pad_mean", n), Strategy("duplicate", n)]
    out += [Strategy("shift", Nstar, dl) for dl in (0.1 * sigma, sigma)]
    out += [Strategy("drop", Nstar, k) for k in range(1, min(Nstar, 3) + 1)]
    out += [Strategy("subsample", n) for n in range(Nstar + 1, Nstar + 4)]
    return out


def best_deviation(mech: Mechanism, i: int, quick: bool = False) -> tuple[Strategy, float]:
    """The deviation (other than ``s_i^*``) with the largest gain ``u_i(dev) - u_i(s^*)``.

    Closed form; a negative gain means every deviation in the family is strictly worse.
    """
    base = expected_utility(mech, i, honest(mech, i))
    h = honest(mech, i)
    best: Strategy | None = None
    gain = -np.inf
    for s in deviation_family(mech.N_star[i], mech.sigma, quick):
        if s == h:
            continue
        g = expected_utility(mech, i, s) - base
        if best is None or g > gain:
            best, gain = s, g
    assert best is not None                       # the family always holds n = 0
    return best, float(gain)


# ----------------------------------------------------------------------------- simulator
@dataclass
class Simulation:
    """Monte Carlo outcome of ``reps`` realisations."""

    prices: np.ndarray        # (reps, B)
    payments: np.ndarray      # (reps, C)
    utilities: np.ndarray     # (reps, C) contributor ex-post utilities
    imbalance: np.ndarray     # (reps,) sum payments - sum prices (BB residual)

    def mean_ci(self, x: np.ndarray, z: float = 3.0) -> tuple[float, float]:
        """Mean and a ``z``-sigma half-width."""
        x = np.asarray(x, dtype=float)
        return float(x.mean()), float(z * x.std(ddof=1) / np.sqrt(len(x)))


def simulate(mech: Mechanism, strategies: tuple[Strategy, Strategy] | None = None,
             mu: float = 0.0, reps: int = 2000, seed: int = 0) -> Simulation:
    """Run Algorithm 2 (lines 5-13) ``reps`` times with seeded normal data.

    Contributors 1 and 2 follow ``strategies`` (default ``s^*``); the others collect nothing.
    Buyers' allocations do not affect prices or payments, so they are not drawn.
    """
    rng = np.random.default_rng(seed)
    if strategies is None:
        strategies = (honest(mech, 0), honest(mech, 1))
    C = len(mech.costs)
    P = np.zeros((reps, mech.B))
    Pi = np.zeros((reps, C))
    Ut = np.zeros((reps, C))
    for r in range(reps):
        oks: list[bool] = []
        means: list[float] = []
        for i in (0, 1):
            s = strategies[i]
            X = rng.normal(mu, mech.sigma, s.n)
            Y = s.submit(X, mech.N_star[i], mech.sigma, rng)
            oks.append(len(Y) == mech.N_star[i])
            means.append(float(Y.mean()) if len(Y) else 0.0)
        ok2, mean2 = (oks[0], oks[1]), (means[0], means[1])
        P[r] = mech.prices(ok2, mean2)
        Pi[r] = mech.payments(ok2, mean2)
        Ut[r] = Pi[r]
        Ut[r, 0] -= mech.costs[0] * strategies[0].n
        Ut[r, 1] -= mech.costs[1] * strategies[1].n
    return Simulation(P, Pi, Ut, Pi.sum(axis=1) - P.sum(axis=1))
