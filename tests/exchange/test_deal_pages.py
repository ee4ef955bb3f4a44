"""Deal pages and API: a whole deal through the pages, bad input, and a confidentiality crawl."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts.models import Role
from app.config import get_settings
from app.exchange import facilitators
from app.exchange.models import Deal, DealAgreement, DealOffer, NdaAcceptance
from app.initiatives.models import Initiative
from tests import factories
from tests.conftest import api_token, csrf_of, web_login
from tests.exchange.deal_helpers import (
    OFFER,
    cast,
    intermediary,
    open_deal,
    sign,
    to_negotiation,
)

DOC = b"%PDF-1.4 signed agreement MARKER-DOC-5Z\n%%EOF\n"


def _client(app, email: str | None) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    client.__enter__()
    if email:
        web_login(client, email)
    return client


def _fresh(session):
    session.rollback()
    session.expire_all()


def _post(client: TestClient, page_url: str, action: str, data: dict | None = None):
    token = csrf_of(client.get(page_url).text)
    return client.post(action, data={**(data or {}), "csrf_token": token}, follow_redirects=False)


def _accept_nda(client: TestClient, url: str):
    page = client.get(url).text
    template_id = re.search(r'name="template_id" value="(\d+)"', page).group(1)
    sha = re.search(r'name="text_sha256" value="([0-9a-f]{64})"', page).group(1)
    return _post(client, url, f"{url}/nda", {"template_id": template_id, "text_sha256": sha})


def test_a_whole_deal_through_the_pages(app, session):
    c = cast(session)
    buyer, submitter = _client(app, c.buyer.email), _client(app, c.submitter.email)

    opened = _post(
        buyer, f"/catalogue/{c.initiative.id}", f"/exchange/initiatives/{c.initiative.id}/deals"
    )
    assert opened.status_code == 303
    url = opened.headers["location"]
    _fresh(session)
    deal = session.exec(select(Deal)).one()
    assert url == f"/exchange/deals/{deal.id}"

    assert _accept_nda(buyer, url).status_code == 303
    assert _accept_nda(submitter, url).status_code == 303
    assert _post(buyer, url, f"{url}/advance").status_code == 303

    bad = _post(submitter, url, f"{url}/offers", {**OFFER, "value_vnd": "một tỷ"})
    assert bad.status_code == 400
    assert "Nhập một số nguyên." in bad.text or "Enter a whole number." in bad.text
    assert 'value="một tỷ"' in bad.text  # what was typed comes back
    _fresh(session)
    assert session.exec(select(DealOffer)).all() == []

    assert _post(submitter, url, f"{url}/offers", OFFER).status_code == 303
    counter = {**OFFER, "value_vnd": "1.200.000.000", "scope": "Phạm vi đối đề nghị"}
    assert _post(buyer, url, f"{url}/offers", counter).status_code == 303
    _fresh(session)
    offers = session.exec(select(DealOffer).order_by(DealOffer.version)).all()
    assert [(o.version, o.status, o.value_vnd) for o in offers] == [
        (1, "countered", 987654321),
        (2, "open", 1200000000),
    ]
    accepted = _post(submitter, url, f"{url}/offers/{offers[1].id}/accept")
    assert accepted.status_code == 303

    token = csrf_of(submitter.get(url).text)
    no_file = submitter.post(
        f"{url}/agreement",
        data={"csrf_token": token, "signed_on": "2026-11-20"},
        files={"document": ("", b"", "application/octet-stream")},
        follow_redirects=False,
    )
    assert no_file.status_code == 400
    assert (
        "Attach the signed agreement." in no_file.text or "đính kèm hợp đồng đã ký" in no_file.text
    )
    signed = submitter.post(
        f"{url}/agreement",
        data={
            "csrf_token": token,
            "signed_on": "2026-11-20",
            "value_vnd": "1200000000",
            "value_band": "1b_10b",
        },
        files={"document": ("hop-dong.pdf", DOC, "application/pdf")},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text[:500]
    _fresh(session)
    assert session.get(Initiative, c.initiative.id).status == "commercialising"
    agreement = session.exec(select(DealAgreement)).one()
    assert buyer.get(f"{url}/agreement/document").content == DOC

    result = {"place": "HTX Mộc Châu", "indicator": "Năng suất", "before": "4,1", "after": "5,6"}
    assert _post(submitter, url, f"{url}/result", result).status_code == 303
    assert _post(buyer, url, f"{url}/result/confirm").status_code == 303
    page = buyer.get(url).text
    assert 'data-stage="deployed"' in page
    assert agreement.sha256 in page
    for acceptance in session.exec(select(NdaAcceptance)).all():
        pdf = submitter.get(f"{url}/nda/{acceptance.id}.pdf")
        assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    board = buyer.get("/exchange/deals").text
    assert f'href="/exchange/deals/{deal.id}"' in board

    # A counter-offer on the closed deal: a clear refusal, no 500, nothing saved.
    late = _post(buyer, url, f"{url}/offers", OFFER)
    assert late.status_code == 409
    _fresh(session)
    assert len(session.exec(select(DealOffer)).all()) == 2


def test_the_api_refuses_bad_input_with_problem_json(client, session):
    c = cast(session)
    deal = open_deal(session, c)
    to_negotiation(session, c, deal)
    headers = api_token(client, c.submitter.email)
    bad = client.post(
        f"/api/v1/deals/{deal.id}/offers", json={**OFFER, "value_vnd": "abc"}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    abandon = client.post(
        f"/api/v1/deals/{deal.id}/abandon", json={"reason": "price"}, headers=headers
    )
    assert abandon.status_code == 200 and abandon.json()["stage"] == "abandoned"
    late = client.post(f"/api/v1/deals/{deal.id}/offers", json=OFFER, headers=headers)
    assert (late.status_code, late.json()["type"]) == (409, "/problems/invalid-transition")
    outsider = api_token(client, c.rival.email)
    assert client.get(f"/api/v1/deals/{deal.id}", headers=outsider).status_code == 404


SECRETS = [
    "MARKER-SCOPE-7Q",
    "987654321",
    "987.654.321",
    "987,654,321",
    "950000000",
    "MARKER-DOC-5Z",
]
PARTIES = {"submitter", "coauthor", "buyer", "colleague", "coordinator"}


@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        "rival",
        "investor",
        "reviewer",
        "stranger",
        "submitter",
        "coauthor",
        "buyer",
        "colleague",
        "coordinator",
        "facilitator",
        "invited",
    ],
)
def test_confidential_deal_content_reaches_only_the_parties_and_coordinators(app, session, role):
    """A facilitator both parties accepted sees the offers' terms (MARKER-SCOPE) but no value,
    document or NDA copy; an intermediary only one party invited sees nothing."""
    c = cast(session)
    deal = open_deal(session, c)
    to_negotiation(session, c, deal)
    sign(session, c, deal)
    stranger = factories.user(session, Role.submitter, email="nguoila@vien.vn")
    agent, profile = intermediary(session)
    invited = facilitators.request(session, c.submitter, deal, profile.id)
    if role == "facilitator":
        facilitators.consent(session, c.buyer, deal, invited.id)
    session.commit()
    users = {
        **{n: getattr(c, n) for n in vars(c) if n != "initiative"},
        "stranger": stranger,
        "facilitator": agent,
        "invited": agent,
    }
    user = users.get(role)
    acceptance = session.exec(select(NdaAcceptance)).first()
    client = _client(app, user.email if user else None)
    bearer = _client(app, None)
    headers = api_token(bearer, user.email) if user else {}
    urls = [
        "/exchange/deals",
        f"/exchange/deals/{deal.id}",
        f"/exchange/deals/{deal.id}/agreement/document",
        f"/exchange/deals/{deal.id}/nda/{acceptance.id}.pdf",
        f"/catalogue/{c.initiative.id}",
        "/search",
    ]
    api = [
        "/api/v1/deals",
        f"/api/v1/deals/{deal.id}",
        f"/api/v1/deals/{deal.id}/agreement/document",
        f"/api/v1/deals/{deal.id}/nda/{acceptance.id}.pdf",
        "/api/v1/exchange/statistics",
        f"/api/v1/catalogue/initiatives/{c.initiative.id}",
    ]
    seen = ""
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        seen += response.content.decode("latin-1")
    for url in api:
        response = bearer.get(url, headers=headers)
        assert response.status_code < 500, url
        seen += response.content.decode("latin-1")
    found = {s for s in SECRETS if s in seen}
    if role in PARTIES:
        assert "MARKER-SCOPE-7Q" in found and "MARKER-DOC-5Z" in found
        assert "950000000" in found
    elif role == "facilitator":
        assert found == {"MARKER-SCOPE-7Q"}
        assert client.get(f"/exchange/deals/{deal.id}").status_code == 200
    else:
        assert found == set()
        deal_page = client.get(f"/exchange/deals/{deal.id}")
        assert deal_page.status_code in (302, 303, 401, 404) or "login" in deal_page.url.path


def _stored_files() -> list[str]:
    uploads = get_settings().uploads_dir
    return sorted(str(p) for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []


def test_a_refused_agreement_leaves_no_document_in_storage(app, client, session):
    """Bad fields, two files, or a verb that refuses: no agreement row and no stored file."""
    c = cast(session)
    deal = open_deal(session, c)
    to_negotiation(session, c, deal)  # no accepted offer yet: signing is refused
    before = _stored_files()
    submitter = _client(app, c.submitter.email)
    url = f"/exchange/deals/{deal.id}"
    token = csrf_of(submitter.get(url).text)
    doc = {"document": ("hop-dong.pdf", DOC, "application/pdf")}
    bad_date = submitter.post(
        f"{url}/agreement",
        data={"csrf_token": token, "signed_on": "hôm qua"},
        files=doc,
        follow_redirects=False,
    )
    assert bad_date.status_code == 400
    assert "Hãy nhập ngày hợp lệ." in bad_date.text or "Enter a valid date." in bad_date.text
    two = submitter.post(
        f"{url}/agreement",
        data={"csrf_token": token, "signed_on": "2026-11-20"},
        files=[
            ("document", ("a.pdf", DOC, "application/pdf")),
            ("document", ("b.pdf", DOC, "application/pdf")),
        ],
        follow_redirects=False,
    )
    assert two.status_code == 400
    refused = submitter.post(
        f"{url}/agreement",
        data={"csrf_token": token, "signed_on": "2026-11-20"},
        files=doc,
        follow_redirects=False,
    )
    assert refused.status_code == 409
    headers = api_token(client, c.submitter.email)
    api = client.post(
        f"/api/v1/deals/{deal.id}/agreement",
        data={"signed_on": "2026-11-20"},
        files=doc,
        headers=headers,
    )
    assert (api.status_code, api.json()["type"]) == (409, "/problems/invalid-transition")
    assert api.headers["content-type"].startswith("application/problem+json")
    _fresh(session)
    assert session.exec(select(DealAgreement)).all() == []
    assert _stored_files() == before


def test_an_investor_sees_on_the_home_page_the_deal_an_intermediary_opened_in_the_funds_name(
    app, session
):
    """A broker acting for the fund opens a deal: the fund's investor finds it in the block of
    their contact requests, as the deal's counterparty; nobody else acting for no such
    organisation does, even one who only declares the fund without an approved membership."""
    from app.exchange import deal_views
    from app.exchange.models import Deal

    c = cast(session)
    broker = factories.user(
        session,
        Role.intermediary,
        email="moigioi@songhong.vn",
        full_name="Lâm Môi Giới",
        organisation_id=c.investor.organisation_id,
    )
    other_fund = factories.organisation(session, "Quỹ Đầu tư Cửu Long")
    other = factories.user(
        session, Role.investor, email="dautu@cuulong.vn", organisation_id=other_fund.id
    )
    unapproved = factories.user(
        session,
        Role.investor,
        email="moi@songhong.vn",
        organisation_id=c.investor.organisation_id,
        member="requested",
    )
    deal = open_deal(session, c, broker)
    assert session.get(Deal, deal.id).organisation_id == c.investor.organisation_id

    assert deal_views.home_items(session, c.investor) == [
        {
            "id": deal.id,
            "initiative": c.initiative.title,
            "stage": "Liên hệ đầu tiên",
            "opened_by": "Lâm Môi Giới",
        }
    ]
    assert deal_views.home_items(session, other) == []
    assert deal_views.home_items(session, unapproved) == []
    # Its opener sees it too, without being told they opened it.
    assert [d["opened_by"] for d in deal_views.home_items(session, broker)] == [None]

    def requester_block(client: TestClient) -> str:
        page = client.get("/").text
        return re.search(
            r'<section[^>]*aria-labelledby="home-requester">.*?</section>', page, re.S
        )[0]

    investor = _client(app, c.investor.email)
    deals = re.compile(r'<ul class="deals">(.*?)</ul>', re.S)
    assert deals.findall(requester_block(investor)) == [
        f'<li><a href="/exchange/deals/{deal.id}">Giao dịch về sáng kiến “{c.initiative.title}”: '
        f"Liên hệ đầu tiên</a>"
        ' <span class="muted">Người mở: Lâm Môi Giới</span></li>'
    ]
    assert investor.get(f"/exchange/deals/{deal.id}").status_code == 200
    for outsider in (other, unapproved):
        client = _client(app, outsider.email)
        block = requester_block(client)  # the block is there, without the deal
        assert deals.findall(block) == [] and f"/exchange/deals/{deal.id}" not in block
        assert client.get(f"/exchange/deals/{deal.id}").status_code == 404
