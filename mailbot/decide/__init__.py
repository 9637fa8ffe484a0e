"""Deciding what to do: the decision chain and what its gates consult (cases, trust, limits, routing, the directory)."""
