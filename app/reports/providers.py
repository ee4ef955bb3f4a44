"""Other domains' figures (problems, deals): registered with `figure_provider` in their own
`<domain>/figures.py`, shown beside the initiatives' own on the page and in the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.reports.scope import Scope

ProviderFn = Callable[[Session, datetime, datetime, Scope], dict[str, int]]


@dataclass(frozen=True)
class FigureProvider:
    """A count another domain contributes: `fn(session, start, end, scope)` returns
    {"total": as of end, "period": during [start, end)}."""

    key: str
    label: str  # an English msgid, translated where shown
    fn: ProviderFn


providers: dict[str, FigureProvider] = {}


def load_providers() -> None:
    """Import every domain's `figures` module, where its providers register (once)."""
    from app import domains

    domains.modules("figures")


def figure_provider(key: str, label: str) -> Callable[[ProviderFn], ProviderFn]:
    """Register a figure (e.g. `problems.open`, `deals.signed`) shown beside the initiatives' own."""

    def register(fn: ProviderFn) -> ProviderFn:
        providers[key] = FigureProvider(key, label, fn)
        return fn

    return register


def provider_figures(
    session: Session, start: datetime, end: datetime, scope: Scope
) -> dict[str, dict[str, Any]]:
    """Every registered provider's figures: as of `end`, and during [start, end)."""
    load_providers()
    return {
        key: {"label": provider.label, **provider.fn(session, start, end, scope)}
        for key, provider in sorted(providers.items())
    }
