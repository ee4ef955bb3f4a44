"""Which initiatives a figure covers: a saved view's fields and provinces, or all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """A subset of initiatives: a saved view's fields and provinces (empty = all)."""

    field_ids: tuple[int, ...] = ()
    provinces: tuple[str, ...] = ()

    @property
    def is_all(self) -> bool:
        return not self.field_ids and not self.provinces


ALL = Scope()
