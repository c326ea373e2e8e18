"""The sharing design problem (see README)."""
