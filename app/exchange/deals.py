"""The deal verbs and views in one namespace, for routes, the API, tasks and demo data.

Each part lives in its own module: `deal_queries` (loading and lookups), `deal_opening`,
`nda` (templates and acceptance), `deal_verbs` (offers, agreement, result, abandoning),
`facilitators`, `deal_views` (what a party sees, the board, public figures) and `labels`.
"""

from app.exchange.deal_opening import (
    can_open_from_proposal,
    deal_of_proposal,
    open_directly,
    open_from_proposal,
    open_from_request,
)
from app.exchange.deal_queries import (
    OFFER_STAGES,
    acceptances,
    agreement_of,
    current_templates,
    deals_of,
    facilitators_of,
    get_confidential,
    get_visible,
    initiative_of,
    nda_setting,
    offers,
    result_of,
    templates,
    text_hash,
)
from app.exchange.deal_verbs import (
    abandon,
    advance,
    answer_offer,
    confirm_result,
    make_offer,
    report_result,
    sign_agreement,
)
from app.exchange.deal_views import STAGE_ORDER, board, describe, statistics
from app.exchange.labels import (
    instrument_label,
    offer_kind_label,
    offer_status_label,
    options,
    side_label,
    value_band_label,
)
from app.exchange.nda import accept_nda, add_template, can_download_nda, set_nda_setting

__all__ = [
    "OFFER_STAGES",
    "STAGE_ORDER",
    "abandon",
    "accept_nda",
    "acceptances",
    "add_template",
    "advance",
    "agreement_of",
    "answer_offer",
    "board",
    "can_download_nda",
    "confirm_result",
    "current_templates",
    "deals_of",
    "describe",
    "facilitators_of",
    "get_confidential",
    "get_visible",
    "initiative_of",
    "instrument_label",
    "make_offer",
    "nda_setting",
    "offer_kind_label",
    "offer_status_label",
    "offers",
    "can_open_from_proposal",
    "deal_of_proposal",
    "open_directly",
    "open_from_proposal",
    "open_from_request",
    "options",
    "report_result",
    "result_of",
    "set_nda_setting",
    "side_label",
    "sign_agreement",
    "statistics",
    "templates",
    "text_hash",
    "value_band_label",
]
