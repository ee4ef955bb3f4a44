"""Labels of the exchange's values (offer kinds, value bands, instruments, sides), and the
(value, label) options of its forms.
"""

from __future__ import annotations

from app.exchange import deal_workflow as workflow
from app.exchange.models import (
    FacilitatorStatus,
    OfferStatus,
    Side,
)
from app.i18n import _


# -- labels ----------------------------------------------------------------------
def offer_kind_label(kind: str) -> str:
    return {
        "licence": _("Licence"),
        "assignment": _("Assignment of rights"),
        "joint_development": _("Joint development"),
        "investment": _("Investment"),
        "service_contract": _("Service contract"),
        "pilot": _("Pilot"),
    }.get(kind, kind)


def value_band_label(band: str | None) -> str:
    return {
        "under_100m": _("Under 100 million VND"),
        "100m_1b": _("100 million to 1 billion VND"),
        "1b_10b": _("1 to 10 billion VND"),
        "over_10b": _("Over 10 billion VND"),
    }.get(band or "", band or "")


def instrument_label(instrument: str | None) -> str:
    return {
        "equity": _("Equity"),
        "convertible": _("Convertible note"),
        "loan": _("Loan"),
        "grant": _("Grant"),
    }.get(instrument or "", instrument or "")


def side_label(side: str) -> str:
    labels: dict[str, str] = {Side.initiative: _("Authors"), Side.counterparty: _("Counterparty")}
    return labels.get(side, side)


def offer_status_label(status: str) -> str:
    labels: dict[str, str] = {
        OfferStatus.open: _("Waiting for an answer"),
        OfferStatus.accepted: _("Accepted"),
        OfferStatus.countered: _("Countered"),
        OfferStatus.declined: _("Declined"),
    }
    return labels.get(status, status)


def facilitator_status_label(status: str) -> str:
    labels: dict[str, str] = {
        FacilitatorStatus.requested: _("Waiting for both parties' consent"),
        FacilitatorStatus.active: _("Facilitating"),
        FacilitatorStatus.removed: _("Removed"),
    }
    return labels.get(status, status)


def options(kind: str) -> list[tuple[str, str]]:
    """(value, label) pairs for a form's select."""
    if kind == "offer_kind":
        names = [
            "licence",
            "assignment",
            "joint_development",
            "investment",
            "service_contract",
            "pilot",
        ]
        return [(n, offer_kind_label(n)) for n in names]
    if kind == "value_band":
        return [(n, value_band_label(n)) for n in ["under_100m", "100m_1b", "1b_10b", "over_10b"]]
    if kind == "instrument":
        return [(n, instrument_label(n)) for n in ["equity", "convertible", "loan", "grant"]]
    if kind == "reason":
        names = ["price", "terms", "technology_not_ready", "changed_priorities", "other"]
        return [(n, workflow.reason_label(n)) for n in names]
    raise ValueError(kind)
