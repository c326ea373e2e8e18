"""Plots of an ironing (needs the ``plot`` extra: matplotlib, imported lazily).

Left: the cost curve ``H(q) = q F^{-1}(q)`` and its lower convex hull ``G``; right: raw and
ironed virtual costs against the quantile; ironed intervals shaded in both.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .ironing import IronedCurve, iron_curve


def plot_ironing(curve_or_dist, path: str | Path | None = None, title: str = ""):
    """Draw ``H`` and ``G`` and the (ironed) virtual costs; save to ``path`` if given.

    Parameters
    ----------
    curve_or_dist
        An :class:`~solver.ironing.ironing.IronedCurve` or a distribution from
        :mod:`solver.ironing.distributions`.
    path
        Where to save the figure (format from the suffix); ``None`` to only return it.
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install 'solver[plot]'") from exc
    cur: IronedCurve
    if isinstance(curve_or_dist, IronedCurve):
        cur = curve_or_dist
    else:
        cc = curve_or_dist.cost_curve()
        cur = iron_curve(cc.q, cc.H)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    a1.plot(cur.q, cur.H, label="H(q) = q F^{-1}(q)")
    a1.plot(cur.q, cur.G, "--", label="G = lower convex hull")
    a1.set_xlabel("quantile q")
    a1.set_ylabel("cost curve")
    qs = np.repeat(cur.q, 2)[1:-1]
    a2.plot(qs, np.repeat(cur.slopes, 2), label="virtual cost h(q)")
    a2.plot(qs, np.repeat(cur.ironed, 2), "--", label="ironed virtual cost g(q)")
    a2.set_xlabel("quantile q")
    a2.set_ylabel("virtual cost")
    for lo, hi in cur.quantile_intervals():
        for ax in (a1, a2):
            ax.axvspan(lo, hi, color="grey", alpha=0.2, lw=0)
    for ax in (a1, a2):
        ax.legend(loc="upper left", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig
