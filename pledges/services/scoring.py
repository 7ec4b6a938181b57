"""Placeholder until written."""

__all__: list[str] = []
