"""Document kinds: one module per kind, and the registry that finds them (see registry.py)."""

from .registry import (
    Data,
    DocumentKind,
    DraftDefaults,
    Section,
    all_kinds,
    get_kind,
    kind_choices,
    register,
    unregister,
)

__all__ = [
    "Data",
    "DocumentKind",
    "DraftDefaults",
    "Section",
    "all_kinds",
    "get_kind",
    "kind_choices",
    "register",
    "unregister",
]
