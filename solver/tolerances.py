"""Named floating-point tolerances, in one place.

Tests and claims import these constants instead of writing literals, so a change of
precision policy is one edit.
"""

#: Feasibility / agreement tolerance between two exact backends on the same model.
BACKEND_AGREEMENT = 1e-6
#: Relative MIP gap below which a solve counts as proven optimal.
MIP_GAP = 1e-9
#: Tolerance for comparing closed forms with direct summation or enumeration.
EXACT = 1e-9
#: Tolerance for probabilities summing to one in instance files.
PROBABILITY_SUM = 1e-9
#: Tolerance when checking a claimed inequality (e.g. ratio <= 2) numerically.
INEQUALITY = 1e-7
#: Smallest eigenvalue allowed for a covariance to count as positive semidefinite
#: (relative to its largest eigenvalue).
PSD = 1e-10
#: A backend's point counts as a solution only if its scaled violation
#: (:meth:`solver.opt.LinearProgram.scaled_violation`) is at most this; solvers' own primal
#: and integrality tolerances are 1e-6 to 1e-7.
POINT_FEASIBILITY = 1e-5
#: A-posteriori certificate checks (:mod:`solver.opt.certificate`), all on the scaled model
#: (objective and rows of order one), so relative to the data's scale: largest scaled
#: violation of a point labelled optimal, ...
CERT_FEASIBILITY = 1e-6
#: ... largest relative difference between a backend's reported objective and the one
#: recomputed from its point, ...
CERT_OBJECTIVE = 1e-7
#: ... and largest relative gap (primal objective against the best bound or the dual
#: objective) of a result labelled optimal.
CERT_GAP = 1e-6
#: A backend that returns with at least this fraction of its time limit used, without a
#: proof, is taken to have stopped on the limit (one number for every backend).
TIME_LIMIT_FRACTION = 0.95
#: Seconds past its time limit after which a solver running in a worker process is killed;
#: with the worker's start-up, every backend returns within the limit plus 2 s.
KILL_GRACE = 0.5
#: Share of the time left that a backend is handed as its own limit (backends overrun their
#: limits by up to a second or two on large models; the rest of the share covers that).
BACKEND_TIME_SHARE = 0.85
#: A model whose non-zero coefficients still span more than this factor after equilibration
#: is refused (status error): double-precision solvers drop or mistreat such entries
#: (HiGHS answered "Model error", CBC "infeasible", for a feasible pricing model with
#: valuations from 5e-324 to 1).
MAX_DYNAMIC_RANGE = 1e20
#: Monte Carlo agreement in a claim: the largest ``|sample mean - exact value|`` over the
#: claim's few dozen means, in standard errors.  For normal errors a false alarm on one
#: mean has probability ``6.8e-6``, so below ``1e-3`` over a hundred means.
MONTE_CARLO_Z = 4.5
