"""A subscription's default name reads as words in the reader's language, never as codes."""

from __future__ import annotations

from app.i18n import use_language
from app.subscriptions import service
from app.subscriptions.models import Subscription


def test_a_saved_search_is_named_with_its_filters_labels(session):
    sub = Subscription(
        user_id=1,
        kind="search",
        query="q=nang+luong&field=agriculture_environment&org_type=university&trl=6",
    )
    with use_language("en"):
        assert service.describe(session, sub) == (
            "“nang luong” · Agriculture, natural resources and environment · University · TRL 6"
        )
    with use_language("vi"):
        assert service.describe(session, sub) == (
            "“nang luong” · Nông nghiệp, tài nguyên và môi trường · Trường đại học · TRL 6"
        )


def test_a_saved_problem_search_is_named_with_its_filters_labels(session):
    sub = Subscription(
        user_id=1,
        subject="problems",
        kind="search",
        query="field=agriculture_environment&owner_type=national",
    )
    with use_language("en"):
        assert service.describe(session, sub) == (
            "Problems: Agriculture, natural resources and environment · "
            "The ministry (national order)"
        )


def test_the_label_is_the_typed_name_as_typed_or_the_automatic_name_in_each_language(session):
    from tests.subscriptions import helpers

    helpers.field(session, "industry_energy")  # seeds the taxonomy
    automatic, typed = (
        Subscription(
            user_id=1,
            kind="category",
            field_code="industry_energy",
            name=name,
            channel="daily",
            feed_token=name,
        )
        for name in ("", "Gió")
    )
    assert service.labels(session, automatic) == {"vi": "Năng lượng", "en": "Energy"}
    assert service.labels(session, typed) == {"vi": "Gió", "en": "Gió"}
    with use_language("en"):
        assert (service.label(session, automatic), service.label(session, typed)) == (
            "Energy",
            "Gió",
        )
