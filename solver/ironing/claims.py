"""Claims of Fleischer-Lyu (seed 001) as executable checks (placeholder, filled below)."""
