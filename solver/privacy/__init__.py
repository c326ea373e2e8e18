"""The privacy design problem (see README)."""
