"""Labels of the exchange's values (offer kinds, value bands, instruments, sides, the acts of a
deal's history), the (value, label) options of its forms, and the one-line summaries of a deal's
history entries.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any

from app.exchange import deal_workflow as workflow
from app.exchange.models import (
    DealStage,
    FacilitatorStatus,
    OfferStatus,
    Side,
)
from app.i18n import TIMEZONE, _, format_date, format_number, ngettext


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


def event_label(action: str) -> str:
    """The name of a deal history entry's act (`DealEvent.action`); an unknown act keeps its code."""
    labels: dict[str, str] = {
        "opened": _("Deal opened"),
        "transition": _("Stage changed"),
        "nda_accepted": _("NDA accepted"),
        "confidential_opened": _("Confidential sections opened"),
        "offer_made": _("Offer made"),
        "offer_accepted": _("Offer accepted"),
        "offer_declined": _("Offer declined"),
        "result_reported": _("Result reported"),
        "facilitator_requested": _("Facilitator proposed"),
        "facilitator_consented": _("Facilitator accepted by one party"),
        "facilitator_joined": _("Facilitator joined"),
        "facilitator_removed": _("Facilitator removed"),
    }
    return labels.get(action, action)


# -- what a history entry changed --------------------------------------------------
# `event_summary` reads a history entry and the deal as `deal_views.describe` gave them to the
# reader: a reader who does not see the confidential content gets entries without their detail
# and offers without their value, so a summary never tells more than the rest of the page. The
# NDA text hashes, network addresses and document hashes stay out of the history (the NDA and
# agreement sections show them).
Entry = Mapping[str, Any]
Summary = Callable[[dict[str, Any], Entry, Entry], list[str]]


def _offer_terms(deal: Entry, version: Any) -> list[str]:
    """Offer `version` as the offers section shows it: kind, territory, duration, value."""
    offer = next((o for o in deal["offers"] if o["version"] == version), None)
    if offer is None:
        return [_("Version %(version)s", version=version)] if version else []
    parts = [_("Version %(version)s", version=version), offer_kind_label(offer["kind"])]
    if offer.get("territory"):
        parts.append(offer["territory"])
    if offer.get("duration_months"):
        months = offer["duration_months"]
        parts.append(ngettext("%(n)s month", "%(n)s months", months, n=months))
    if offer.get("value_vnd") is not None:
        parts.append(_("%(value)s VND", value=format_number(offer["value_vnd"], 0)))
    return parts


def _offer(detail: dict[str, Any], deal: Entry) -> list[str]:
    """An offer made, accepted or declined: its terms, and the version a counter-offer answers."""
    parts = _offer_terms(deal, detail.get("version"))
    if detail.get("counter_to"):
        parts.append(_("counter-offer to version %(version)s", version=detail["counter_to"]))
    return parts


def _result(detail: dict[str, Any]) -> list[str]:
    if not detail.get("indicator"):
        return []
    return [
        _(
            "%(indicator)s in %(place)s: %(before)s → %(after)s",
            indicator=detail["indicator"],
            place=detail.get("place", ""),
            before=detail.get("before", ""),
            after=detail.get("after", ""),
        )
    ]


def _day(iso: Any) -> str:
    try:
        day = date.fromisoformat(str(iso))
    except ValueError:
        return ""
    return format_date(datetime.combine(day, time(12), tzinfo=TIMEZONE))


def _facilitator(deal: Entry, detail: dict[str, Any]) -> list[str]:
    found = next((f for f in deal["facilitators"] if f["id"] == detail.get("facilitator_id")), None)
    return [found["organisation"]] if found else []


def _opened(detail: dict[str, Any], event: Entry, deal: Entry) -> list[str]:
    parts = [deal["organisation"]["name"]]
    if detail.get("proposal_id"):
        parts.append(_("from an awarded proposal"))
    elif detail.get("contact_request_id"):
        parts.append(_("from an accepted contact request"))
    return parts


def _transition(detail: dict[str, Any], event: Entry, deal: Entry) -> list[str]:
    move = f"{workflow.stage_label(event['from'] or '')} → {workflow.stage_label(event['to'])}"
    parts = [move]
    target = event["to"]
    if target in (DealStage.offer, DealStage.negotiation):
        parts += _offer(detail, deal)
    elif target == DealStage.agreement_signed and detail:
        parts += _offer_terms(deal, detail.get("offer_version"))
        if detail.get("signed_on"):
            parts.append(_("signed on %(date)s", date=_day(detail["signed_on"])))
    elif target == DealStage.deployed:
        parts += _result(detail)
    elif target == DealStage.abandoned and detail.get("reason"):
        reason = workflow.reason_label(detail["reason"])
        note = detail.get("note")
        parts.append(f"{reason}: {note}" if note else reason)
    return parts


def _nda_accepted(detail: dict[str, Any], event: Entry, deal: Entry) -> list[str]:
    if not detail.get("full_name"):
        return []
    who = detail["full_name"]
    if detail.get("organisation"):
        who = f"{who} ({detail['organisation']})"
    parts = [side_label(detail["side"]) + ": " + who] if detail.get("side") else [who]
    if detail.get("template_version"):
        version = f"{detail.get('language', '')}-{detail['template_version']}".lstrip("-")
        parts.append(_("NDA version %(version)s", version=version))
    return parts


def _facilitator_requested(detail: dict[str, Any], event: Entry, deal: Entry) -> list[str]:
    parts = [detail["organisation"]] if detail.get("organisation") else []
    by = detail.get("by_side")
    if by == "intermediary":
        parts.append(_("asked to join"))
    elif by:
        parts.append(_("invited by: %(side)s", side=side_label(by)))
    return parts


def _facilitator_consent(detail: dict[str, Any], event: Entry, deal: Entry) -> list[str]:
    parts = _facilitator(deal, detail)
    if detail.get("side"):
        parts.append(_("accepted by: %(side)s", side=side_label(detail["side"])))
    return parts


_SUMMARIES: dict[str, Summary] = {
    "opened": _opened,
    "transition": _transition,
    "nda_accepted": _nda_accepted,
    "confidential_opened": lambda detail, event, deal: (
        [_("by the initiative's setting, once the NDA was signed")] if detail else []
    ),
    "offer_made": lambda detail, event, deal: _offer(detail, deal),
    "offer_accepted": lambda detail, event, deal: _offer(detail, deal),
    "offer_declined": lambda detail, event, deal: _offer(detail, deal),
    "result_reported": lambda detail, event, deal: _result(detail),
    "facilitator_requested": _facilitator_requested,
    "facilitator_consented": _facilitator_consent,
    "facilitator_joined": _facilitator_consent,
    "facilitator_removed": lambda detail, event, deal: _facilitator(deal, detail),
}


def event_summary(event: Entry, deal: Entry) -> str:
    """What the history entry `event` of `deal` (both as `deal_views.describe` gives them) did,
    in a short line of the reader's language; "" when there is nothing to add to its label."""
    summary = _SUMMARIES.get(event["action"])
    if summary is None:
        return ""
    try:
        detail = json.loads(event["detail"] or "{}")
    except ValueError:
        detail = {}
    if not isinstance(detail, dict):
        detail = {}
    return " · ".join(part for part in summary(detail, event, deal) if part)


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
