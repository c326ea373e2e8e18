"""The ironing design problem (see README)."""
