"""The claims registry: the papers' examples and theorems as executable checks."""

from .registry import (
    CheckContext,
    Claim,
    ClaimList,
    ClaimResult,
    Worst,
    all_claims,
    register,
    register_claim,
    register_unchecked,
    select,
)

__all__ = ["CheckContext", "ClaimList", "Claim", "ClaimResult", "Worst", "all_claims", "register",
           "register_claim", "register_unchecked", "select"]
