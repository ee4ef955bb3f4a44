"""/api/v1/search, /api/v1/search/suggest and /api/v1/catalogue/{id}."""

from __future__ import annotations


def test_search_api_takes_the_page_parameters_and_returns_facets(client, corpus):
    body = client.get(
        "/api/v1/search",
        params=[("q", "dien"), ("province", "Hà Nội"), ("province", "Đà Nẵng"), ("sort", "trl")],
    ).json()
    assert [h["id"] for h in body["hits"]] == [corpus.id("grid"), corpus.id("solar")]
    assert (body["total"], body["pages"], body["sort"]) == (2, 1, "trl")
    assert body["filters"] == {"province": ["Hà Nội", "Đà Nẵng"]}
    assert (
        body["url"]
        == "/search?q=dien&province=H%C3%A0+N%E1%BB%99i&province=%C4%90%C3%A0+N%E1%BA%B5ng&sort=trl"
    )
    province = next(f for f in body["facets"] if f["name"] == "province")
    assert [(v["value"], v["count"], v["selected"]) for v in province["values"]] == [
        ("Hà Nội", 1, True),
        ("Đà Nẵng", 1, True),
    ]
    first = body["hits"][0]
    assert first["title_html"] == "Lưới <mark>điện</mark> thông minh cho khu công nghiệp"
    assert (first["field_code"], first["trl"], first["url"]) == (
        "CNXD",
        7,
        f"/catalogue/{corpus.id('grid')}",
    )


def test_search_api_refuses_bad_parameters_with_problem_json(client, corpus):
    response = client.get("/api/v1/search", params={"trl": "abc", "page": "0"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert set(response.json()["errors"]) == {"trl.0", "page"}


def test_suggest_completes_the_last_word_from_keywords_and_titles(client, corpus):
    body = client.get("/api/v1/search/suggest", params={"q": "nang luong m"}).json()
    assert body == {
        "query": "nang luong m",
        # the keyword starts with the typed words, the title holds them further on
        "suggestions": ["năng lượng mặt trời", "Hệ thống năng lượng mặt trời cho trường học"],
    }
    assert client.get("/api/v1/search/suggest", params={"q": " "}).json()["suggestions"] == []


def test_public_record_has_public_sections_only(client, corpus):
    body = client.get(f"/api/v1/catalogue/{corpus.id('solar')}").json()
    assert body["title"] == "Hệ thống năng lượng mặt trời cho trường học"
    assert body["problem"] == "Vấn đề: hệ thống năng lượng mặt trời cho trường học"
    assert not {"solution", "novelty", "feasibility", "attachments", "receipt_code"} & set(body)
    assert body["field"]["code"] == "CNXD"
    assert client.get(f"/api/v1/catalogue/{corpus.id('unpublished')}").status_code == 404


def test_search_is_documented_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "q",
        "field",
        "province",
        "org_type",
        "trl",
        "ip",
        "year",
        "sort",
        "page",
        "per_page",
    }
    assert "/api/v1/search/suggest" in schema["paths"]


def test_out_of_range_list_filters_are_422_not_500(client):
    for query in ("trl=99", "trl=0&trl=3", "year=abc", "year=1500"):
        response = client.get(f"/api/v1/search?{query}")
        assert response.status_code == 422, query
        assert response.headers["content-type"] == "application/problem+json"


def test_search_hits_name_the_field_in_the_readers_language(client, corpus):
    def field_of(language: str) -> str:
        body = client.get(
            "/api/v1/search", params={"q": "dien"}, headers={"Accept-Language": language}
        ).json()
        return next(h["field"] for h in body["hits"] if h["id"] == corpus.id("grid"))

    assert field_of("vi") == "Công nghiệp và xây dựng"
    assert field_of("en") == "Công nghiệp và xây dựng (en)"
