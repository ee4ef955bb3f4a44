"""The names of the exchange's coded values and the summaries of a deal's history entries."""

from __future__ import annotations

from sqlmodel import select

from app.exchange import deal_views, labels
from app.exchange.models import NdaAcceptance
from app.i18n import use_language
from tests.exchange.deal_helpers import accept_nda, cast, open_deal


def test_every_recorded_act_has_a_name_and_an_unknown_one_keeps_its_code():
    acts = [
        "opened",
        "transition",
        "nda_accepted",
        "confidential_opened",
        "offer_made",
        "offer_accepted",
        "offer_declined",
        "result_reported",
        "facilitator_requested",
        "facilitator_consented",
        "facilitator_joined",
        "facilitator_removed",
    ]
    with use_language("en"):
        assert [labels.event_label(a) for a in acts] == [
            "Deal opened",
            "Stage changed",
            "NDA accepted",
            "Confidential sections opened",
            "Offer made",
            "Offer accepted",
            "Offer declined",
            "Result reported",
            "Facilitator proposed",
            "Facilitator accepted by one party",
            "Facilitator joined",
            "Facilitator removed",
        ]
        assert labels.event_label("archived") == "archived"
    with use_language("vi"):
        assert labels.event_label("confidential_opened") == "Đã mở các phần bảo mật"


def test_a_summary_names_what_matters_and_never_the_stored_hash_or_address(session):
    c = cast(session)
    deal = open_deal(session, c)
    accept_nda(session, c.submitter, deal)
    described = deal_views.describe(session, c.buyer, deal)
    entry = described["history"][-1]
    acceptance = session.exec(select(NdaAcceptance)).one()
    assert acceptance.address == "10.1.2.3" and acceptance.text_sha256 in entry["detail"]
    with use_language("vi"):
        summary = labels.event_summary(entry, described)
    assert summary == (
        "Tác giả: Trần Thị Bình (Viện Công nghệ Sinh học) · thỏa thuận bảo mật phiên bản vi-1"
    )
    # An unknown act, or a detail that is not an object, adds nothing to the label.
    assert labels.event_summary({**entry, "action": "archived"}, described) == ""
    assert labels.event_summary({**entry, "detail": "[1, 2]"}, described) == ""
