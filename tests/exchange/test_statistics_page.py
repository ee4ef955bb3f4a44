"""The exchange's public figures as a page: Vietnamese and English, no value, no party's name."""

from __future__ import annotations

import re

from tests.exchange.deal_helpers import cast, open_deal, sign, to_negotiation


def _cells(html: str, figure: str) -> list[tuple[str, str]]:
    table = html.split(f'data-figure="{figure}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">([^<]*)</th><td class="num">(\d+)</td>', table)


def test_the_figures_page_in_both_languages_without_secrets(client, session):
    c = cast(session)
    deal = open_deal(session, c)
    to_negotiation(session, c, deal)
    sign(session, c, deal)
    open_deal(session, c, c.investor)

    vi = client.get("/exchange/statistics?lang=vi")
    assert vi.status_code == 200
    assert "Sàn giao dịch công nghệ qua các con số" in vi.text
    assert _cells(vi.text, "stage") == [
        ("Liên hệ đầu tiên", "1"),
        ("Đã ký thỏa thuận bảo mật", "0"),
        ("Thẩm định", "0"),
        ("Đề nghị", "0"),
        ("Đàm phán", "0"),
        ("Đã ký hợp đồng", "1"),
        ("Đã triển khai", "0"),
        ("Đã dừng", "0"),
    ]
    assert _cells(vi.text, "band") == [("Từ 100 triệu đến 1 tỷ đồng", "1")]
    en = client.get("/exchange/statistics?lang=en")
    assert _cells(en.text, "kind") == [("Licence", "1")]
    assert _cells(en.text, "band") == [("100 million to 1 billion VND", "1")]
    assert 'href="/api/v1/exchange/statistics"' in en.text
    for page in (vi.text, en.text):
        for secret in [
            "950.000.000",
            "950,000,000",
            "950000000",
            "Nông nghiệp Xanh",
            "Hoàng Thu Hà",
        ]:
            assert secret not in page
    assert 'href="/exchange/statistics"' in client.get("/exchange/intermediaries").text
