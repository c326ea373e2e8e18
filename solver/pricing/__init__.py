"""The pricing design problem (see README)."""
