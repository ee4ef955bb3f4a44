"""Deal pages and API: a whole deal through the pages, bad input, and a confidentiality crawl."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts.models import Role
from app.config import get_settings
from app.exchange import deal_verbs, facilitators
from app.exchange.deal_schemas import AbandonIn, OfferIn, ResultIn
from app.exchange.models import Deal, DealAgreement, DealOffer, NdaAcceptance
from app.initiatives.models import Initiative
from tests import factories
from tests.conftest import api_token, csrf_of, web_login
from tests.exchange.deal_helpers import (
    OFFER,
    accept_nda,
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


def _history(html: str) -> list[tuple[str, ...]]:
    """The history table's rows: (who, what, stage, details), without the number and the time."""
    table = html[html.index('<table class="table deal-history">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr data-action=[^>]*>(.*?)</tr>", table, re.S)
    return [tuple(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2:]) for row in rows]


HISTORY = {
    "vi": [
        ("Hoàng Thu Hà", "Đã mở giao dịch", "Liên hệ đầu tiên", "Công ty Cổ phần Nông nghiệp Xanh"),
        (
            "Trần Thị Bình",
            "Đã chấp nhận thỏa thuận bảo mật",
            "Liên hệ đầu tiên",
            "Tác giả: Trần Thị Bình (Viện Công nghệ Sinh học) · thỏa thuận bảo mật phiên bản vi-1",
        ),
        (
            "Hoàng Thu Hà",
            "Đã chấp nhận thỏa thuận bảo mật",
            "Liên hệ đầu tiên",
            "Bên đối tác: Hoàng Thu Hà (Công ty Cổ phần Nông nghiệp Xanh)"
            " · thỏa thuận bảo mật phiên bản en-1",
        ),
        (
            "Hoàng Thu Hà",
            "Đã chuyển giai đoạn",
            "Đã ký thỏa thuận bảo mật",
            "Liên hệ đầu tiên → Đã ký thỏa thuận bảo mật",
        ),
        (
            "Hoàng Thu Hà",
            "Đã chuyển giai đoạn",
            "Thẩm định",
            "Đã ký thỏa thuận bảo mật → Thẩm định",
        ),
        (
            "Trần Thị Bình",
            "Đã chuyển giai đoạn",
            "Đề nghị",
            "Thẩm định → Đề nghị · Phiên bản 1 · Li-xăng (cấp phép sử dụng) · Miền Bắc · 36 tháng"
            " · 987.654.321 đồng",
        ),
        (
            "Hoàng Thu Hà",
            "Đã chuyển giai đoạn",
            "Đàm phán",
            "Đề nghị → Đàm phán · Phiên bản 2 · Li-xăng (cấp phép sử dụng) · Miền Bắc · 36 tháng"
            " · 876.543.210 đồng · đề nghị đáp lại phiên bản 1",
        ),
        (
            "Trần Thị Bình",
            "Đã đề nghị tổ chức hỗ trợ",
            "Đàm phán",
            "Trung tâm Hỗ trợ Đổi mới Sáng tạo · bên mời: Tác giả",
        ),
        (
            "Hoàng Thu Hà",
            "Tổ chức hỗ trợ đã tham gia",
            "Đàm phán",
            "Trung tâm Hỗ trợ Đổi mới Sáng tạo · bên chấp nhận: Bên đối tác",
        ),
        (
            "Trần Thị Bình",
            "Đã đưa ra đề nghị",
            "Đàm phán",
            "Phiên bản 3 · Li-xăng (cấp phép sử dụng) · Miền Bắc · 36 tháng · 987.654.321 đồng"
            " · đề nghị đáp lại phiên bản 2",
        ),
        (
            "Hoàng Thu Hà",
            "Đã chấp nhận đề nghị",
            "Đàm phán",
            "Phiên bản 3 · Li-xăng (cấp phép sử dụng) · Miền Bắc · 36 tháng · 987.654.321 đồng",
        ),
        (
            "Trần Thị Bình",
            "Đã chuyển giai đoạn",
            "Đã ký hợp đồng",
            "Đàm phán → Đã ký hợp đồng · Phiên bản 3 · Li-xăng (cấp phép sử dụng) · Miền Bắc"
            " · 36 tháng · 987.654.321 đồng · ký ngày 20 thg 11, 2026",
        ),
        (
            "Trần Thị Bình",
            "Đã báo cáo kết quả",
            "Đã ký hợp đồng",
            "Năng suất tại HTX Mộc Châu: 4,1 → 5,6",
        ),
        (
            "Hoàng Thu Hà",
            "Đã chuyển giai đoạn",
            "Đã triển khai",
            "Đã ký hợp đồng → Đã triển khai · Năng suất tại HTX Mộc Châu: 4,1 → 5,6",
        ),
    ],
    "en": [
        ("Hoàng Thu Hà", "Deal opened", "First contact", "Công ty Cổ phần Nông nghiệp Xanh"),
        (
            "Trần Thị Bình",
            "NDA accepted",
            "First contact",
            "Authors: Trần Thị Bình (Viện Công nghệ Sinh học) · NDA version vi-1",
        ),
        (
            "Hoàng Thu Hà",
            "NDA accepted",
            "First contact",
            "Counterparty: Hoàng Thu Hà (Công ty Cổ phần Nông nghiệp Xanh) · NDA version en-1",
        ),
        ("Hoàng Thu Hà", "Stage changed", "NDA signed", "First contact → NDA signed"),
        ("Hoàng Thu Hà", "Stage changed", "Due diligence", "NDA signed → Due diligence"),
        (
            "Trần Thị Bình",
            "Stage changed",
            "Offer",
            "Due diligence → Offer · Version 1 · Licence · Miền Bắc · 36 months · 987,654,321 VND",
        ),
        (
            "Hoàng Thu Hà",
            "Stage changed",
            "Negotiation",
            "Offer → Negotiation · Version 2 · Licence · Miền Bắc · 36 months · 876,543,210 VND"
            " · counter-offer to version 1",
        ),
        (
            "Trần Thị Bình",
            "Facilitator proposed",
            "Negotiation",
            "Trung tâm Hỗ trợ Đổi mới Sáng tạo · invited by: Authors",
        ),
        (
            "Hoàng Thu Hà",
            "Facilitator joined",
            "Negotiation",
            "Trung tâm Hỗ trợ Đổi mới Sáng tạo · accepted by: Counterparty",
        ),
        (
            "Trần Thị Bình",
            "Offer made",
            "Negotiation",
            "Version 3 · Licence · Miền Bắc · 36 months · 987,654,321 VND"
            " · counter-offer to version 2",
        ),
        (
            "Hoàng Thu Hà",
            "Offer accepted",
            "Negotiation",
            "Version 3 · Licence · Miền Bắc · 36 months · 987,654,321 VND",
        ),
        (
            "Trần Thị Bình",
            "Stage changed",
            "Agreement signed",
            "Negotiation → Agreement signed · Version 3 · Licence · Miền Bắc · 36 months"
            " · 987,654,321 VND · signed on Nov 20, 2026",
        ),
        (
            "Trần Thị Bình",
            "Result reported",
            "Agreement signed",
            "Năng suất in HTX Mộc Châu: 4,1 → 5,6",
        ),
        (
            "Hoàng Thu Hà",
            "Stage changed",
            "Deployed",
            "Agreement signed → Deployed · Năng suất in HTX Mộc Châu: 4,1 → 5,6",
        ),
    ],
}
RESULT = ResultIn(place="HTX Mộc Châu", indicator="Năng suất", before="4,1", after="5,6")


def _deployed_deal(session):
    c = cast(session)
    deal = open_deal(session, c)
    agent, profile = intermediary(session)
    to_negotiation(session, c, deal)
    invited = facilitators.request(session, c.submitter, deal, profile.id)
    facilitators.consent(session, c.buyer, deal, invited.id)
    session.commit()
    sign(session, c, deal)
    deal_verbs.report_result(session, c.submitter, deal, RESULT)
    deal_verbs.confirm_result(session, c.buyer, deal)
    session.commit()
    return c, deal, agent


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_deal_history_reads_as_sentences_in_the_page_language(app, session, lang):
    """Each act is named and summed up in the page's language, with the offers' terms as the
    offers section shows them; no stored JSON, network address or hash in the table."""
    c, deal, _agent = _deployed_deal(session)
    buyer = _client(app, c.buyer.email)
    page = buyer.get(f"/exchange/deals/{deal.id}?lang={lang}").text
    assert _history(page) == HISTORY[lang]
    table = page[page.index('<div class="table-wrap"><table class="table deal-history">') :]
    table = table[: table.index("</table></div>")]
    assert "{" not in table and "&#34;" not in table and "10.1.2.3" not in table
    assert re.search(r"[0-9a-f]{64}", table) is None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", table)
    assert not {"opened", "transition", "nda_accepted", "offer_accepted"} & set(cells)
    # The NDA acceptances keep their text's hash in the NDA section, above the history.
    for acceptance in session.exec(select(NdaAcceptance)).all():
        assert f"<code>{acceptance.text_sha256}</code>" in page[: page.index('id="history-title"')]


def test_a_facilitator_reads_the_history_without_the_confidential_detail(app, session):
    c, deal, agent = _deployed_deal(session)
    page = _client(app, agent.email).get(f"/exchange/deals/{deal.id}?lang=vi").text
    # The same acts and stage moves as the parties, no name from an NDA, no offer or result.
    assert [row[3] for row in _history(page)] == [
        "Công ty Cổ phần Nông nghiệp Xanh",
        "—",
        "—",
        "Liên hệ đầu tiên → Đã ký thỏa thuận bảo mật",
        "Đã ký thỏa thuận bảo mật → Thẩm định",
        "Thẩm định → Đề nghị",
        "Đề nghị → Đàm phán",
        "—",
        "—",
        "—",
        "—",
        "Đàm phán → Đã ký hợp đồng",
        "—",
        "Đã ký hợp đồng → Đã triển khai",
    ]
    assert [row[1] for row in _history(page)] == [row[1] for row in HISTORY["vi"]]


def test_an_abandoned_deal_shows_its_reason_in_the_history(app, session):
    c = cast(session)
    deal = open_deal(session, c)
    accept_nda(session, c.submitter, deal)
    deal_verbs.abandon(session, c.buyer, deal, AbandonIn(reason="other", note="Đổi chiến lược"))
    session.commit()
    page = _client(app, c.buyer.email).get(f"/exchange/deals/{deal.id}?lang=vi").text
    assert _history(page)[-1] == (
        "Hoàng Thu Hà",
        "Đã chuyển giai đoạn",
        "Đã dừng",
        "Liên hệ đầu tiên → Đã dừng · Lý do khác: Đổi chiến lược",
    )


@pytest.mark.parametrize(
    ("lang", "label", "reason"),
    [
        ("vi", "Tên mẫu", "Đã ký hợp đồng trong giao dịch số %s"),
        ("en", "Template title", "Agreement signed in deal #%s"),
    ],
)
def test_pages_around_the_deal_speak_the_readers_language(app, session, lang, label, reason):
    """The NDA template form names its own title field; the initiative's history says, in the
    submitter's language, which deal's signed agreement made it commercialising."""
    c = cast(session)
    coordinator = _client(app, c.coordinator.email)
    form = coordinator.get(f"/exchange/nda-templates?lang={lang}").text
    assert f'<label for="f-title">{label} <span class="req"' in form
    assert "Tên sáng kiến" not in form

    deal = open_deal(session, c)
    to_negotiation(session, c, deal)
    offer = deal_verbs.make_offer(session, c.submitter, deal, OfferIn(**OFFER))
    deal_verbs.answer_offer(session, c.buyer, deal, offer.id, accept=True)
    session.commit()
    submitter = _client(app, c.submitter.email)
    url = f"/exchange/deals/{deal.id}"
    token = csrf_of(submitter.get(f"{url}?lang={lang}").text)
    signed = submitter.post(
        f"{url}/agreement",
        data={"csrf_token": token, "signed_on": "2026-11-20"},
        files={"document": ("hop-dong.pdf", DOC, "application/pdf")},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    detail = submitter.get(f"/initiatives/{c.initiative.id}").text
    history = re.search(r'<ol class="history">(.*?)</ol>', detail, re.S).group(1)
    assert history.endswith(f"<em>{reason % deal.id}</em></li>")


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
