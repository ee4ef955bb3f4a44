"""Intermediaries: profiles, the response clock and its public median, completion, rating rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from app.accounts.models import OrganisationType, Role
from app.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from app.exchange import intermediaries
from app.exchange.deal_schemas import ProfileIn, RatingIn, ServiceRequestIn
from tests import factories
from tests.exchange.deal_helpers import cast, open_deal

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


class Clock:
    """A frozen clock the module reads; tests move it by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(intermediaries, "utcnow", frozen)
    return frozen


def _intermediary(session):
    centre = factories.organisation(
        session, "Trung tâm Chuyển giao Công nghệ Miền Trung", type=OrganisationType.intermediary
    )
    agent = factories.user(
        session,
        Role.intermediary,
        email="trungtam@chuyengiao.vn",
        full_name="Ngô Văn Trung",
        organisation_id=centre.id,
    )
    profile = intermediaries.save_profile(
        session,
        agent,
        ProfileIn(
            description="Định giá công nghệ và tư vấn sở hữu trí tuệ",
            services=["ip_valuation", "ip_agent"],
            fields="digital_technology, agriculture",
            provinces=["Đà Nẵng", "Quảng Nam"],
            price_band="medium",
        ),
    )
    session.commit()
    return agent, profile


def _ask(session, user, profile, **where):
    request = intermediaries.request_service(
        session,
        user,
        profile,
        ServiceRequestIn(service="ip_valuation", message="Xin định giá công nghệ", **where),
    )
    session.commit()
    return request


def test_only_an_intermediary_acting_for_its_organisation_publishes_a_profile(session):
    c = cast(session)
    agent, profile = _intermediary(session)
    assert (profile.services, profile.fields, profile.provinces) == (
        ["ip_valuation", "ip_agent"],
        ["digital_technology", "agriculture"],
        ["Đà Nẵng", "Quảng Nam"],
    )
    with pytest.raises(PermissionDenied):
        intermediaries.save_profile(session, c.buyer, ProfileIn(services=["incubator"]))
    with pytest.raises(ValidationError):
        ProfileIn(services=["fortune_telling"])
    assert [v["organisation"] for v in intermediaries.directory(session, q="định giá")] == [
        "Trung tâm Chuyển giao Công nghệ Miền Trung"
    ]
    assert intermediaries.directory(session, service="incubator") == []
    assert len(intermediaries.directory(session, province="Quảng Nam")) == 1


def test_the_response_clock_and_its_public_median_with_a_frozen_clock(session, clock):
    c = cast(session)
    agent, profile = _intermediary(session)
    deal = open_deal(session, c)
    waits = [timedelta(hours=2), timedelta(hours=30), timedelta(hours=5)]
    requests = []
    for wait in waits:
        clock.now = T0
        request = _ask(session, c.submitter, profile, initiative_id=c.initiative.id)
        clock.now = T0 + wait
        requests.append(request)
    # Each answered at its own time: accept, accept, decline.
    for request, wait, accept in zip(requests, waits, [True, True, False], strict=True):
        clock.now = T0 + wait
        intermediaries.answer(session, agent, request, accept)
    session.commit()
    clock.now = T0 + timedelta(days=3)
    intermediaries.deliver(session, agent, requests[0])
    pending = _ask(session, c.buyer, profile, deal_id=deal.id)  # not answered: not in the median
    session.commit()
    assert pending.initiative_id == c.initiative.id
    figures = intermediaries.figures(session, profile)
    assert figures == {
        "requests": 4,
        "median_response_hours": 5.0,
        "completion_rate": 0.5,
        "rating_average": None,
        "ratings": 0,
    }


def test_who_may_request_and_answer(session):
    c = cast(session)
    agent, profile = _intermediary(session)
    deal = open_deal(session, c)
    with pytest.raises(PermissionDenied):  # not an author of the initiative
        _ask(session, c.rival, profile, initiative_id=c.initiative.id)
    session.rollback()
    with pytest.raises(NotFound):  # not a party of the deal
        _ask(session, c.rival, profile, deal_id=deal.id)
    session.rollback()
    with pytest.raises(ValidationFailed):
        _ask(session, c.submitter, profile)
    session.rollback()
    with pytest.raises(ValidationFailed):
        intermediaries.request_service(
            session,
            c.submitter,
            profile,
            ServiceRequestIn(service="incubator", message="x", initiative_id=c.initiative.id),
        )
    session.rollback()
    request = _ask(session, c.coauthor, profile, initiative_id=c.initiative.id)
    with pytest.raises(PermissionDenied):
        intermediaries.answer(session, c.submitter, request, True)
    with pytest.raises(NotFound):
        intermediaries.get_visible_request(session, c.rival, request.id)
    assert intermediaries.get_visible_request(session, agent, request.id).id == request.id
    intermediaries.answer(session, agent, request, False)
    session.commit()
    with pytest.raises(InvalidTransition):
        intermediaries.answer(session, agent, request, True)
    with pytest.raises(InvalidTransition):
        intermediaries.deliver(session, agent, request)


def test_rating_only_by_the_requester_once_after_delivery(session):
    c = cast(session)
    agent, profile = _intermediary(session)
    request = _ask(session, c.submitter, profile, initiative_id=c.initiative.id)
    good = RatingIn(rating=5, comment="Định giá nhanh, có căn cứ")
    with pytest.raises(InvalidTransition):  # before delivery
        intermediaries.rate(session, c.submitter, request, good)
    intermediaries.answer(session, agent, request, True)
    with pytest.raises(InvalidTransition):  # accepted is not delivered
        intermediaries.rate(session, c.submitter, request, good)
    intermediaries.deliver(session, agent, request)
    session.commit()
    with pytest.raises(PermissionDenied):  # not the requester
        intermediaries.rate(session, c.coauthor, request, good)
    with pytest.raises(ValidationError):
        RatingIn(rating=6)
    with pytest.raises(ValidationError):
        RatingIn(rating=0)
    intermediaries.rate(session, c.submitter, request, good)
    session.commit()
    with pytest.raises(Conflict):  # once
        intermediaries.rate(session, c.submitter, request, RatingIn(rating=1))
    session.rollback()
    view = intermediaries.public_view(session, profile)
    assert view["figures"]["rating_average"] == 5.0
    assert [(r["rating"], r["comment"]) for r in view["reviews"]] == [
        (5, "Định giá nhanh, có căn cứ")
    ]
    assert "Trần Thị Bình" not in str(view)
