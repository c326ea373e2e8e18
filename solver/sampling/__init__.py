"""The sampling design problem (see README)."""
