"""Ordered-item pricing and the mean-estimation data marketplace.

Paper: Chen, Clinton, Kandasamy, *Incentivizing Truthful Data Contributions in a Marketplace
for Mean Estimation*.  Modules: :mod:`.instance` (parsing), :mod:`.envy_free` (rev^OPT(N),
eq. 2, and ordered-item pricing, eq. 4-5), :mod:`.profit` (OPT, eq. 3, Algorithm 1),
:mod:`.approx` (approximation algorithms), :mod:`.valuations` (eq. 11),
:mod:`.mechanism` (Algorithm 2 and a simulator), :mod:`.claims`.
"""
