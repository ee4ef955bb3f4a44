"""The search page and an initiative's public page, as an anonymous visitor sees them."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, quote, urlsplit

from starlette.datastructures import QueryParams

from app.catalogue.schemas import SearchParams
from app.initiatives.models import Field, Initiative
from app.publication import service as publication_service
from tests.catalogue.conftest import CONFIDENTIAL, field, publish
from tests.statements import statements


def result_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<h2><a href="/catalogue/(\d+)">', html)]


def test_anonymous_search_page_lists_highlighted_results(client, corpus):
    page = client.get("/search", params={"q": "nang luong"})
    assert page.status_code == 200
    assert result_ids(page.text) == [corpus.id("solar")]
    assert ("Hệ thống <mark>năng</mark> <mark>lượng</mark> mặt trời cho trường học") in page.text


def test_every_state_is_in_the_url_and_round_trips(client, corpus):
    url = "/search?q=dien&field=CNXD&province=H%C3%A0+N%E1%BB%99i&province=%C4%90%C3%A0+N%E1%BA%B5ng&sort=trl"
    page = client.get(url)
    assert result_ids(page.text) == [corpus.id("grid"), corpus.id("solar")]
    params = SearchParams.from_query(QueryParams(urlsplit(url).query))
    assert params.url() == url
    assert params.filters == {"field": ["CNXD"], "province": ["Hà Nội", "Đà Nẵng"]}
    # The form carries the filters and sort, so a new text search keeps them.
    assert '<input type="hidden" name="province" value="Đà Nẵng">' in page.text
    assert '<input type="hidden" name="sort" value="trl">' in page.text
    # Each facet link toggles exactly one value and resets the page.
    link = unescape(
        re.search(
            r'<a href="([^"]+)" rel="nofollow" aria-current="true" class="on">Đà Nẵng', page.text
        )[1]
    )
    assert _query(link) == {
        "q": ["dien"],
        "field": ["CNXD"],
        "province": ["Hà Nội"],
        "sort": ["trl"],
    }


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_hand_edited_parameters_never_fail(client, corpus):
    page = client.get("/search?trl=abc&page=-3&sort=nonsense&year=99999999&q=" + "x" * 500)
    assert page.status_code == 200


def test_empty_state_offers_dropping_each_filter_and_no_spelling_fix_that_finds_nothing(
    client, corpus
):
    page = client.get("/search", params={"q": "mahc", "province": "Huế", "trl": "5"})
    assert result_ids(page.text) == []
    text = unescape(page.text)
    assert 'class="suggestion"' not in text  # "mạch" finds nothing in Huế at TRL 5 either
    assert '<a href="/search?q=mahc&trl=5">Tìm mà không có “Huế”</a>' in text
    assert '<a href="/search?q=mahc&province=Hu%E1%BA%BF">Tìm mà không có “TRL 5”</a>' in text
    assert (
        '<a href="/search?province=Hu%E1%BA%BF&trl=5">Xem mọi sáng kiến theo các bộ lọc này</a>'
        in text
    )


def test_a_corrected_word_shows_results_and_the_spelling_fix(client, corpus):
    page = client.get("/search", params={"q": "Mahc", "province": "Hà Nội"})
    assert result_ids(page.text) == [corpus.id("chip")]
    assert (
        '<a href="/search?q=M%E1%BA%A1ch&province=H%C3%A0+N%E1%BB%99i" class="suggestion">Mạch</a>'
        in unescape(page.text)
    )


def test_words_that_match_nothing_are_left_out_and_the_page_says_so(client, corpus):
    page = client.get("/search", params={"q": "thiết kế vi mạch bằng platform"})
    assert result_ids(page.text) == [corpus.id("chip")]
    # "platform" is in no initiative ("bằng" is a stop word)
    assert (
        "Không tìm thấy kết quả chứa “platform”; "
        "đang hiển thị kết quả cho “thiết kế vi mạch bằng”." in unescape(page.text)
    )
    body = client.get("/api/v1/search", params={"q": "thiết kế vi mạch bằng platform"}).json()
    assert (body["total"], body["ignored"]) == (1, ["platform"])
    english = client.get(
        "/api/v1/search", params={"q": "vi mạch platform"}, headers={"Accept-Language": "en"}
    ).json()
    assert english["notice"] == "No results contain “platform”; showing results for “vi mạch”."


def test_public_page_shows_public_sections_certificate_and_similar_not_the_confidential_ones(
    client, session, corpus, worker
):
    page = client.get(f"/catalogue/{corpus.id('solar')}")
    assert page.status_code == 200
    assert "Pin quang năng lắp trên mái giúp giảm tiền điện." in page.text
    assert CONFIDENTIAL not in page.text
    number = publication_service.current_certificate(
        session, session.get(Initiative, corpus.id("solar"))
    ).number
    assert f'<a href="/certificates/{quote(number)}">Số {number} ngày ' in page.text
    # the corpus' other initiatives share only broad words with it: no "similar" block
    assert 'class="cat-similar"' not in page.text
    cnxd = session.get(Initiative, corpus.id("solar")).field_id
    alike = publish(
        session,
        corpus.people,
        title="Điện mặt trời áp mái cho trường học vùng cao",
        summary="Tấm pin quang năng trên mái lớp học giảm tiền điện.",
        field=session.get(Field, cnxd),
        keywords=("năng lượng mặt trời",),
    )
    worker.drain()
    page = client.get(f"/catalogue/{corpus.id('solar')}")
    similar = re.search(r'<section class="cat-similar".*?</section>', page.text, re.DOTALL)[0]
    assert re.findall(r'href="/catalogue/(\d+)"', similar) == [str(alike.id)]


def test_a_visitor_past_the_page_cache_costs_one_statement_once_the_page_is_kept(client, corpus):
    """A session cookie skips the page cache; the kept data, its stamps and the contact
    panel's "sign in" then come from one statement."""
    solar = f"/catalogue/{corpus.id('solar')}"
    past_the_page_cache = {"Cookie": "portal_session=x"}
    assert client.get(solar, headers=past_the_page_cache).status_code == 200
    with statements() as sent:
        page = client.get(solar, headers=past_the_page_cache)
    assert page.status_code == 200
    assert 'href="/account/login?next=' in page.text  # the panel: sign in to ask for contact
    assert len(sent) == 1 and sent[0].startswith("SELECT initiative.status, initiative.updated_at")


def test_unpublished_initiative_has_no_public_page(client, corpus):
    assert client.get(f"/catalogue/{corpus.id('unpublished')}").status_code == 404


def test_only_the_highlight_marks_are_markup_everything_else_is_escaped(
    client, session, people, worker
):
    cnxd = field(session, "CNXD", "Công nghiệp và xây dựng")
    publish(
        session,
        people,
        title='Pin <script>alert("x")</script> mặt trời',
        summary="<b>Điện</b> & nước",
        field=cnxd,
    )
    worker.drain()
    page = client.get("/search", params={"q": "dien"})
    assert "<script>" not in page.text and "<b>" not in page.text
    assert 'Pin &lt;script&gt;alert("x")&lt;/script&gt; mặt trời' in page.text
    assert "&lt;b&gt;<mark>Điện</mark>&lt;/b&gt; &amp; nước" in page.text


def test_results_name_the_field_in_the_readers_language(client, corpus):
    """Issue 10 §6: the index holds the Vietnamese name; an English page shows the English one."""
    meta = re.compile(r'<p class="meta">([^<·]*)')
    english = client.get("/search", params={"q": "nang luong", "lang": "en"})
    assert meta.findall(english.text)[0].strip() == "Công nghiệp và xây dựng (en)"
    vietnamese = client.get("/search", params={"q": "nang luong", "lang": "vi"})
    assert meta.findall(vietnamese.text)[0].strip() == "Công nghiệp và xây dựng"


def test_the_count_line_is_singular_or_plural_in_english_and_unchanged_in_vietnamese(
    client, corpus
):
    count = re.compile(r'<p id="count" role="status">([^<]*)</p>')
    one = client.get("/search", params={"q": "nang luong", "lang": "en"})
    assert result_ids(one.text) == [corpus.id("solar")]
    assert count.findall(one.text) == ["1 initiative found"]
    two = client.get("/search", params={"field": "NNMT", "lang": "en"})
    assert sorted(result_ids(two.text)) == sorted([corpus.id("ocean"), corpus.id("iot")])
    assert count.findall(two.text) == ["2 initiatives found"]
    none = client.get("/search", params={"q": "zzqxw", "lang": "en"})
    assert count.findall(none.text) == ["0 initiatives found"]
    # Vietnamese has one form: the same wording for one and for many.
    assert count.findall(client.get("/search", params={"q": "nang luong", "lang": "vi"}).text) == [
        "Tìm thấy 1 sáng kiến"
    ]
    assert count.findall(client.get("/search", params={"field": "NNMT", "lang": "vi"}).text) == [
        "Tìm thấy 2 sáng kiến"
    ]


def test_the_kept_parts_of_a_results_page_hold_nothing_of_the_visitors_own(client, corpus):
    """The facets and the hits are rendered once per results page and process
    (`kept_part`, by the results' stamp) and shared by every visitor; what is a signed-in
    visitor's own (the save-search link, their name) stays out of them, in either order."""
    from tests.conftest import web_login

    past_the_page_cache = {"Cookie": "portal_session=x"}
    save = 'class="save-search"'
    name = corpus.people.submitter.full_name

    def hits(html: str) -> str:
        return re.search(r'<ol class="cat-hits".*?</ol>', html, re.DOTALL)[0]

    anonymous_first = client.get("/search?q=he+thong&sort=trl", headers=past_the_page_cache).text
    web_login(client, corpus.people.submitter.email)
    signed_in_then = client.get("/search?q=he+thong&sort=trl").text
    signed_in_first = client.get("/search?q=he+thong&sort=newest").text
    client.cookies.clear()
    anonymous_then = client.get("/search?q=he+thong&sort=newest", headers=past_the_page_cache).text

    assert save in signed_in_then and save in signed_in_first and name in signed_in_first
    assert save not in anonymous_first and save not in anonymous_then
    assert name not in anonymous_then
    assert hits(anonymous_first) == hits(signed_in_then)
    assert hits(signed_in_first) == hits(anonymous_then)
    assert result_ids(anonymous_first) == [corpus.id("iot"), corpus.id("solar")]
    assert result_ids(anonymous_then) == [corpus.id("iot"), corpus.id("solar")]


def test_the_kept_parts_of_a_public_page_hold_nothing_of_the_readers_own(client, corpus):
    """An initiative's public sections and similar initiatives are rendered once per page
    stamp and process (`kept_part`) and shared; the author's link to the full record is
    theirs alone, in either order."""
    from tests.conftest import web_login

    past_the_page_cache = {"Cookie": "portal_session=x"}
    solar, grid = (f"/catalogue/{corpus.id(key)}" for key in ("solar", "grid"))

    def shared(html: str) -> tuple[str, str]:
        record = re.search(r"<h1>.*?</dl>.*?</p>", html, re.DOTALL)[0]  # through the summary
        similar = re.search(r'<section class="cat-similar".*?</section>', html, re.DOTALL)
        return record, similar[0] if similar else ""

    def full_record(key: str) -> str:
        return f'<a href="/initiatives/{corpus.id(key)}">'

    anonymous_first = client.get(solar, headers=past_the_page_cache).text
    web_login(client, corpus.people.submitter.email)  # the author of every initiative here
    author_then = client.get(solar).text
    author_first = client.get(grid).text
    client.cookies.clear()
    anonymous_then = client.get(grid, headers=past_the_page_cache).text

    assert full_record("solar") in author_then and full_record("grid") in author_first
    assert full_record("solar") not in anonymous_first
    assert full_record("grid") not in anonymous_then
    assert shared(anonymous_first) == shared(author_then)
    assert shared(author_first) == shared(anonymous_then)
    assert "Pin quang năng lắp trên mái giúp giảm tiền điện." in shared(anonymous_first)[0]
