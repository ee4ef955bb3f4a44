"""Deal rules: the transition table per actor, NDA acceptance, offers, agreement, result, figures."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date

import pytest
from pydantic import ValidationError
from pypdf import PdfReader
from sqlmodel import select

from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.exchange import (
    deal_history,
    deal_opening,
    deal_queries,
    deal_verbs,
    deal_views,
    deal_workflow,
    nda,
    nda_pdf,
)
from app.exchange.deal_schemas import AbandonIn, AgreementFields, DealIn, NdaAcceptIn, OfferIn
from app.exchange.models import (
    Deal,
    DealAgreement,
    DealEvent,
    DealOffer,
    DealStage,
    NdaAcceptance,
)
from app.i18n import use_language
from app.initiatives.models import AccessGrant, InitiativeEvent
from tests.exchange.deal_helpers import (
    OFFER,
    accept_nda,
    cast,
    open_deal,
    sign,
    stored_document,
    template,
    to_negotiation,
)
from tests.initiatives import helpers as initiatives

S = DealStage
ACTORS = ["submitter", "coauthor", "buyer", "colleague", "rival", "coordinator", "anonymous"]
# Who may make each move, by the table: the authors are one side, everyone acting for the
# counterparty organisation the other; coordinators, outsiders and anonymous readers make none.
PARTIES = {"submitter", "coauthor", "buyer", "colleague"}
EXPECTED = {
    (S.contact, S.nda_signed): PARTIES,
    (S.nda_signed, S.due_diligence): PARTIES,
    (S.due_diligence, S.offer): PARTIES,
    (S.offer, S.negotiation): PARTIES,
    (S.offer, S.agreement_signed): {"submitter"},
    (S.negotiation, S.agreement_signed): {"submitter"},
    (S.agreement_signed, S.deployed): {"buyer", "colleague"},
    **{(s, S.abandoned): PARTIES for s in deal_workflow.OPEN_STAGES},
}


def _actor(c, name):
    return None if name == "anonymous" else getattr(c, name)


def test_the_table_is_exactly_the_documented_one():
    assert set(deal_workflow.TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize("source", list(S))
def test_every_move_from_every_stage_for_every_actor(session, source):
    c = cast(session)
    deal = open_deal(session, c)
    deal.stage = source
    session.add(deal)
    session.commit()
    for target in S:
        for name in ACTORS:
            actor = _actor(c, name)
            reason = "price" if target == S.abandoned else None
            allowed = name in EXPECTED.get((source, target), set())
            if (source, target) not in EXPECTED:
                with pytest.raises(InvalidTransition) as raised:
                    deal_workflow.check(session, deal, c.initiative, target, actor=actor)
                assert raised.value.extra["current"] == source
            elif allowed:
                rule = deal_workflow.check(
                    session,
                    deal,
                    c.initiative,
                    target,
                    actor=actor,
                    reason=reason,
                    via=_via(source, target),
                )
                assert (rule.source, rule.target) == (source, target)
            else:
                with pytest.raises(PermissionDenied):
                    deal_workflow.check(
                        session,
                        deal,
                        c.initiative,
                        target,
                        actor=actor,
                        reason=reason,
                        via=_via(source, target),
                    )


def _via(source, target):
    requirement = deal_workflow.TRANSITIONS[(source, target)].requires
    return requirement.via if requirement else None


VERBS = {
    (S.contact, S.nda_signed): "accept_nda",
    (S.due_diligence, S.offer): "make_offer",
    (S.offer, S.negotiation): "make_offer",
    (S.offer, S.agreement_signed): "sign_agreement",
    (S.negotiation, S.agreement_signed): "sign_agreement",
    (S.agreement_signed, S.deployed): "confirm_result",
}


def test_moves_with_conditions_are_made_only_by_their_verb(session):
    assert {k: _via(*k) for k in EXPECTED if _via(*k)} == VERBS
    c = cast(session)
    deal = open_deal(session, c)
    for (source, target), verb in VERBS.items():
        deal.stage = source
        actor = c.buyer if target == S.deployed else c.submitter
        with use_language("en"), pytest.raises(InvalidTransition) as raised:
            deal_workflow.check(session, deal, c.initiative, target, actor=actor)
        assert raised.value.code == f"needs-{verb}"
        assert raised.value.extra == {"requires": verb}
        other = next(v for v in deal_workflow.Via if v != verb)
        with pytest.raises(InvalidTransition):
            deal_workflow.check(session, deal, c.initiative, target, actor=actor, via=other)
        rule = deal_workflow.check(
            session, deal, c.initiative, target, actor=actor, via=deal_workflow.Via(verb)
        )
        assert rule.target == target


def test_abandoning_needs_a_structured_reason_and_text_for_other(session):
    c = cast(session)
    deal = open_deal(session, c)
    with pytest.raises(ValidationFailed):
        deal_workflow.check(session, deal, c.initiative, S.abandoned, actor=c.buyer, reason="bored")
    with use_language("vi"), pytest.raises(ValidationFailed) as raised:
        deal_verbs.abandon(session, c.buyer, deal, AbandonIn(reason="other", note=" "))
    assert raised.value.errors == {"note": "Vui lòng nêu rõ lý do khác."}
    session.rollback()
    deal_verbs.abandon(
        session, c.buyer, deal, AbandonIn(reason="technology_not_ready", note="TRL 4")
    )
    session.commit()
    row = session.get(Deal, deal.id)
    assert (row.stage, row.abandon_reason, row.abandon_note) == (
        "abandoned",
        "technology_not_ready",
        "TRL 4",
    )
    last = deal_history.events(session, deal.id)[-1]
    assert (last.action, last.from_stage, last.to_stage, json.loads(last.detail)) == (
        "transition",
        "contact",
        "abandoned",
        {"note": "TRL 4", "reason": "technology_not_ready"},
    )


def test_opening_a_deal_directly_needs_an_organisation_and_a_public_initiative(session):
    c = cast(session)
    deal = open_deal(session, c)
    assert (deal.organisation_id, deal.stage, deal.created_by_id) == (
        c.buyer.organisation_id,
        "contact",
        c.buyer.id,
    )
    with pytest.raises(Conflict):
        deal_opening.open_directly(session, c.colleague, c.initiative, DealIn())
    session.rollback()
    with pytest.raises(PermissionDenied):
        deal_opening.open_directly(session, c.submitter, c.initiative, DealIn())
    with pytest.raises(PermissionDenied):
        deal_opening.open_directly(session, c.reviewer, c.initiative, DealIn())
    draft = initiatives.initiative(session, c.submitter, status="in_review")
    with pytest.raises(NotFound):
        deal_opening.open_directly(session, c.rival, draft, DealIn())
    funding = deal_opening.open_directly(
        session,
        c.investor,
        c.initiative,
        DealIn(kind="funding", amount_band="1b_10b", instrument="equity"),
    )
    assert (funding.kind, funding.amount_band, funding.instrument) == (
        "funding",
        "1b_10b",
        "equity",
    )


def test_nda_records_the_exact_text_hash_and_version_and_both_sides_sign_it(session):
    c = cast(session)
    deal = open_deal(session, c)
    vi = template(session, "vi")
    assert vi.sha256 == hashlib.sha256(vi.body.encode("utf-8")).hexdigest()
    with pytest.raises(Conflict):  # the text the reader saw is not the stored text
        nda.accept_nda(
            session,
            c.buyer,
            deal,
            NdaAcceptIn(template_id=vi.id, text_sha256="0" * 64),
            address="1.1.1.1",
        )
    session.rollback()
    with pytest.raises(PermissionDenied):
        nda.accept_nda(
            session,
            c.rival,
            deal,
            NdaAcceptIn(template_id=vi.id, text_sha256=vi.sha256),
            address="1.1.1.1",
        )
    session.rollback()
    accept_nda(session, c.buyer, deal, "vi")
    assert session.get(Deal, deal.id).stage == "contact"
    with pytest.raises(Conflict):  # a colleague cannot sign the same side twice
        accept_nda(session, c.colleague, deal, "vi")
    session.rollback()
    accept_nda(session, c.coauthor, deal, "en")
    assert session.get(Deal, deal.id).stage == "nda_signed"

    rows = session.exec(select(NdaAcceptance).order_by(NdaAcceptance.id)).all()
    en = template(session, "en")
    assert [
        (r.side, r.full_name, r.organisation_name, r.template_version, r.text_sha256, r.address)
        for r in rows
    ] == [
        (
            "counterparty",
            "Hoàng Thu Hà",
            "Công ty Cổ phần Nông nghiệp Xanh",
            1,
            vi.sha256,
            "10.1.2.3",
        ),
        ("initiative", "Lê Văn Cường", "Viện Công nghệ Sinh học", 1, en.sha256, "10.1.2.3"),
    ]
    events = deal_history.events(session, deal.id)
    assert [(e.action, e.to_stage) for e in events] == [
        ("opened", "contact"),
        ("nda_accepted", "contact"),
        ("nda_accepted", "contact"),
        ("transition", "nda_signed"),
    ]
    first = json.loads(events[1].detail)
    assert (first["text_sha256"], first["template_version"], first["full_name"]) == (
        vi.sha256,
        1,
        "Hoàng Thu Hà",
    )
    assert deal_history.verify_chain(session, deal.id) == (True, None)
    # No confidential access unless the submitter chose it.
    assert session.exec(select(AccessGrant)).all() == []

    pdf = nda_pdf.render(deal, c.initiative.title, vi, [rows[0]])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Hoàng Thu Hà" in text
    assert "Công ty Cổ phần Nông nghiệp Xanh" in text
    assert "Phiên bản mẫu: vi-1" in text
    assert vi.sha256 in text
    assert "THỎA THUẬN BẢO MẬT THÔNG TIN HAI CHIỀU" in text


def test_a_new_template_version_keeps_old_acceptances_and_only_coordinators_add_one(session):
    from app.exchange.deal_schemas import NdaTemplateIn

    c = cast(session)
    data = NdaTemplateIn(language="vi", title="Mẫu mới", body="Văn bản mới của thỏa thuận.")
    with pytest.raises(PermissionDenied):
        nda.add_template(session, c.submitter, data)
    created = nda.add_template(session, c.coordinator, data)
    session.commit()
    assert (created.version, created.sha256) == (
        2,
        hashlib.sha256("Văn bản mới của thỏa thuận.".encode()).hexdigest(),
    )
    assert [(t.language, t.version) for t in deal_queries.current_templates(session)] == [
        ("vi", 2),
        ("en", 1),
    ]


@pytest.mark.parametrize("setting", [True, False])
def test_confidential_sections_open_after_the_nda_only_if_the_submitter_chose_so(session, setting):
    c = cast(session)
    with pytest.raises(PermissionDenied):
        nda.set_nda_setting(session, c.coauthor, c.initiative, True)
    nda.set_nda_setting(session, c.submitter, c.initiative, setting)
    session.commit()
    deal = open_deal(session, c)
    accept_nda(session, c.buyer, deal)
    assert session.exec(select(AccessGrant)).all() == []
    accept_nda(session, c.submitter, deal)
    grants = session.exec(select(AccessGrant)).all()
    if setting:
        assert [(g.user_id, g.granted_by_id, g.initiative_id) for g in grants] == [
            (c.buyer.id, c.submitter.id, c.initiative.id)
        ]
        assert deal_history.events(session, deal.id)[-1].action == "confidential_opened"
    else:
        assert grants == []


def test_offers_and_counter_offers_are_versioned_and_answered_by_the_other_side(session):
    c = cast(session)
    deal = open_deal(session, c)
    with pytest.raises(InvalidTransition):  # no offers before due diligence
        deal_verbs.make_offer(session, c.submitter, deal, OfferIn(**OFFER))
    session.rollback()
    to_negotiation(session, c, deal)
    rows = session.exec(select(DealOffer).order_by(DealOffer.version)).all()
    assert [(o.version, o.side, o.status, o.value_vnd) for o in rows] == [
        (1, "initiative", "countered", 987654321),
        (2, "counterparty", "open", 876543210),
    ]
    assert session.get(Deal, deal.id).stage == "negotiation"
    with pytest.raises(Conflict):  # own side's offer is still open
        deal_verbs.make_offer(session, c.colleague, deal, OfferIn(**OFFER))
    session.rollback()
    with pytest.raises(PermissionDenied):  # the author's side does not answer its own offer
        deal_verbs.answer_offer(session, c.buyer, deal, rows[1].id, accept=True)
    session.rollback()
    deal_verbs.answer_offer(session, c.coauthor, deal, rows[1].id, accept=False)
    session.commit()
    with pytest.raises(InvalidTransition):
        deal_verbs.answer_offer(session, c.submitter, deal, rows[1].id, accept=True)
    session.rollback()
    third = deal_verbs.make_offer(session, c.colleague, deal, OfferIn(**OFFER))
    deal_verbs.answer_offer(session, c.submitter, deal, third.id, accept=True)
    session.commit()
    with pytest.raises(Conflict):  # accepted: the next step is the agreement
        deal_verbs.make_offer(session, c.submitter, deal, OfferIn(**OFFER))
    session.rollback()
    actions = [e.action for e in deal_history.events(session, deal.id)]
    assert actions[-4:] == ["transition", "offer_declined", "offer_made", "offer_accepted"]


def test_a_counter_offer_on_a_closed_deal_is_refused_and_nothing_is_saved(session):
    c = cast(session)
    deal = open_deal(session, c)
    to_negotiation(session, c, deal)
    deal_verbs.abandon(session, c.submitter, deal, AbandonIn(reason="price"))
    session.commit()
    offers_before = len(session.exec(select(DealOffer)).all())
    events_before = len(session.exec(select(DealEvent)).all())
    with use_language("vi"), pytest.raises(InvalidTransition) as raised:
        deal_verbs.make_offer(session, c.submitter, deal, OfferIn(**OFFER))
    session.rollback()
    assert raised.value.message == "Giao dịch này đã đóng (“Đã dừng”): không thể thay đổi gì thêm."
    assert len(session.exec(select(DealOffer)).all()) == offers_before
    assert len(session.exec(select(DealEvent)).all()) == events_before


def test_a_value_that_is_not_a_number_is_a_validation_error():
    with pytest.raises(ValidationError) as raised:
        OfferIn(**{**OFFER, "value_vnd": "một tỷ"})
    assert [e["loc"] for e in raised.value.errors()] == [("value_vnd",)]
    assert OfferIn(**{**OFFER, "value_vnd": "1.500.000.000"}).value_vnd == 1500000000
    assert OfferIn(**{**OFFER, "value_vnd": ""}).value_vnd is None


def test_the_first_signed_agreement_commercialises_the_initiative_exactly_once(session):
    c = cast(session)
    first = open_deal(session, c)
    to_negotiation(session, c, first)
    second = open_deal(session, c, c.investor)
    accept_nda(session, c.submitter, second)
    accept_nda(session, c.investor, second)
    deal_verbs.advance(session, c.investor, second)
    deal_verbs.make_offer(session, c.investor, second, OfferIn(**{**OFFER, "kind": "investment"}))
    session.commit()

    with pytest.raises(PermissionDenied):  # the submitter signs for the initiative's side
        deal_verbs.sign_agreement(
            session,
            c.coauthor,
            first,
            AgreementFields(signed_on=date(2026, 11, 20)),
            stored_document(),
        )
    session.rollback()
    sign(session, c, first)
    agreement = session.exec(select(DealAgreement)).one()
    assert (agreement.kind, agreement.value_vnd, agreement.value_band, agreement.filename) == (
        "licence",
        950000000,
        "100m_1b",
        "hop-dong.pdf",
    )
    last = deal_history.events(session, first.id)[-1]
    assert json.loads(last.detail)["document_sha256"] == agreement.sha256
    session.refresh(c.initiative)
    assert c.initiative.status == "commercialising"

    offer = session.exec(select(DealOffer).where(DealOffer.deal_id == second.id)).one()
    deal_verbs.answer_offer(session, c.submitter, second, offer.id, accept=True)
    deal_verbs.sign_agreement(
        session,
        c.submitter,
        second,
        AgreementFields(signed_on=date(2026, 11, 25)),
        stored_document(),
    )
    session.commit()
    moves = session.exec(
        select(InitiativeEvent).where(InitiativeEvent.to_status == "commercialising")
    ).all()
    # The reason is written in the signing request's language (Vietnamese outside a request).
    assert [(m.from_status, m.actor_id, m.reason) for m in moves] == [
        ("published", c.submitter.id, f"Đã ký hợp đồng trong giao dịch số {first.id}")
    ]


def test_an_agreement_needs_an_accepted_offer(session):
    c = cast(session)
    deal = open_deal(session, c)
    to_negotiation(session, c, deal)
    document = stored_document()
    with pytest.raises(InvalidTransition):
        deal_verbs.sign_agreement(
            session, c.submitter, deal, AgreementFields(signed_on=date(2026, 1, 1)), document
        )
    session.rollback()
    assert session.exec(select(DealAgreement)).all() == []
    assert session.get(Deal, deal.id).stage == "negotiation"


def test_the_result_is_reported_by_the_authors_and_confirmed_by_the_counterparty(session):
    from app.exchange.deal_schemas import ResultIn

    c = cast(session)
    deal = open_deal(session, c)
    to_negotiation(session, c, deal)
    result = ResultIn(
        place="HTX Mộc Châu", indicator="Năng suất (tấn/ha)", before="4,1", after="5,6"
    )
    with pytest.raises(InvalidTransition):
        deal_verbs.report_result(session, c.submitter, deal, result)
    session.rollback()
    sign(session, c, deal)
    with pytest.raises(InvalidTransition):  # nothing to confirm yet
        deal_verbs.confirm_result(session, c.buyer, deal)
    session.rollback()
    with pytest.raises(PermissionDenied):
        deal_verbs.report_result(session, c.buyer, deal, result)
    session.rollback()
    deal_verbs.report_result(session, c.coauthor, deal, result)
    session.commit()
    with pytest.raises(PermissionDenied):
        deal_verbs.confirm_result(session, c.submitter, deal)
    session.rollback()
    deal_verbs.confirm_result(session, c.colleague, deal)
    session.commit()
    assert session.get(Deal, deal.id).stage == "deployed"
    last = deal_history.events(session, deal.id)[-1]
    assert json.loads(last.detail) == {
        "place": "HTX Mộc Châu",
        "indicator": "Năng suất (tấn/ha)",
        "before": "4,1",
        "after": "5,6",
    }
    assert deal_history.verify_chain(session, deal.id) == (True, None)


def test_tampering_with_the_history_is_detected(session):
    c = cast(session)
    deal = open_deal(session, c)
    to_negotiation(session, c, deal)
    events = deal_history.events(session, deal.id)
    events[2].detail = events[2].detail.replace("10.1.2.3", "9.9.9.9")
    session.add(events[2])
    session.commit()
    assert deal_history.verify_chain(session, deal.id) == (False, 3)


def test_public_statistics_count_without_values_or_names(session):
    c = cast(session)
    deal = open_deal(session, c)
    to_negotiation(session, c, deal)
    sign(session, c, deal)
    open_deal(session, c, c.investor)
    figures = deal_views.statistics(session)
    assert figures == {
        "deals_by_stage": {
            "contact": 1,
            "nda_signed": 0,
            "due_diligence": 0,
            "offer": 0,
            "negotiation": 0,
            "agreement_signed": 1,
            "deployed": 0,
            "abandoned": 0,
        },
        "agreements_by_kind": {"licence": 1},
        "agreements_by_field": {"digital_technology": 1},
        "agreements_by_province": {c.initiative.province or "unknown": 1},
        "agreements_by_value_band": {"100m_1b": 1},
    }
    text = json.dumps(figures, ensure_ascii=False)
    for secret in ["950000000", "Nông nghiệp Xanh", "Sông Hồng", "Hoàng Thu Hà"]:
        assert secret not in text
