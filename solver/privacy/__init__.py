"""Truthful mechanisms for agents that value privacy (Chen, Chong, Kash, Moran, Vadhan).

Modules: :mod:`.model` (privacy-bound functions, Assumption 3.1, ε-DP), :mod:`.verifier`
(adversarial gain of a lie), :mod:`.election` (Mechanism 4.1), :mod:`.facility`
(Mechanism 6.1), :mod:`.vcg` (Mechanism 7.1), :mod:`.lp_benchmark` (optimal private
truthful mechanism LP), :mod:`.claims` (the paper's statements as checks).
"""
