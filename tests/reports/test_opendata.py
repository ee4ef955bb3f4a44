"""Open data: public fields only, CSV with BOM, JSON, XLSX, ZIP, data dictionary, DCAT-AP."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from openpyxl import load_workbook

from app.publication import service as publication
from app.reports import opendata
from tests.reports.helpers import CONFIDENTIAL_MARKER, build


def publish_certificate(session, data):
    i1 = data.initiatives["I1"]
    cert = publication.issue_certificate(session, data.coordinator, i1)
    session.commit()
    return cert


def test_open_data_has_public_fields_only_in_every_format(session, settings):
    data = build(session)
    cert = publish_certificate(session, data)
    info = opendata.regenerate(session)
    assert info["counts"] == {
        "initiatives": 1,
        "certificates": 1,
        "statistics": 16,
        "stage_durations": 4,
    }
    folder = opendata.current_dir()
    raw = (folder / "initiatives.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == [c.name for c in opendata.INITIATIVE_COLUMNS]
    assert rows[0]["title"] == "Bản đồ số đất trồng lúa"
    assert rows[0]["field_code"] == "digital_technology"
    assert rows[0]["certificate_number"] == cert.number
    assert rows[0]["keywords"] == "sạt lở; IoT; cảnh báo sớm"
    assert (
        json.loads((folder / "initiatives.json").read_text("utf-8"))[0]["id"]
        == data.initiatives["I1"].id
    )
    certs = json.loads((folder / "certificates.json").read_text("utf-8"))
    assert [c["number"] for c in certs] == [cert.number]
    stages = json.loads((folder / "stage_durations.json").read_text("utf-8"))
    assert stages[1]["stage"] == "screening" and stages[1]["unit_vi"] == "Phòng Sàng lọc"
    # Confidential sections (solution, novelty carry the marker) and internal fields never appear.
    for path in folder.iterdir():
        if path.suffix in (".csv", ".json", ".txt"):
            text = path.read_text("utf-8-sig")
            assert CONFIDENTIAL_MARKER not in text, path.name
            assert "SK-2026-0000" not in text, path.name  # receipt codes are internal
    with zipfile.ZipFile(folder / opendata.ZIP_NAME) as archive:
        assert sorted(archive.namelist()) == ["LICENCE.txt", "certificates.csv", "dictionary.csv", "initiatives.csv", "stage_durations.csv", "statistics.csv"]  # fmt: skip
        for name in archive.namelist():
            assert CONFIDENTIAL_MARKER not in archive.read(name).decode("utf-8-sig")
    book = load_workbook(folder / opendata.XLSX_NAME, read_only=True)
    assert book.sheetnames == ["initiatives", "certificates", "statistics", "stage_durations", "dictionary"]  # fmt: skip
    cells = [
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    ]
    assert "Bản đồ số đất trồng lúa" in cells
    assert not any(CONFIDENTIAL_MARKER in c for c in cells)
    dictionary = json.loads((folder / "dictionary.json").read_text("utf-8"))
    assert {"dataset": "initiatives", "column": "trl", "type": "integer", "description_vi": "Mức độ sẵn sàng công nghệ (1–9)", "description_en": "Technology readiness level (1–9)"} in dictionary  # fmt: skip
    assert {(d["dataset"], d["column"]) for d in dictionary} >= {
        ("initiatives", c.name) for c in opendata.INITIATIVE_COLUMNS
    }


def test_open_data_columns_come_from_the_search_whitelist():
    from app.catalogue.indexing import DOCUMENT_SOURCES
    from app.initiatives.visibility import CONFIDENTIAL_FIELDS, INTERNAL_FIELDS

    names = {c.name for c in opendata.INITIATIVE_COLUMNS}
    assert not names & (CONFIDENTIAL_FIELDS | INTERNAL_FIELDS)
    assert set() == DOCUMENT_SOURCES & (CONFIDENTIAL_FIELDS | INTERNAL_FIELDS)


def test_regenerated_once_a_day(session, settings):
    build(session)
    from tests.reports.helpers import NOW, vn

    assert opendata.regenerate_if_stale(session, NOW) is True
    assert opendata.regenerate_if_stale(session, vn(2026, 2, 25, 23, 50)) is False
    assert opendata.regenerate_if_stale(session, vn(2026, 2, 26, 0, 10)) is True


def test_open_data_pages_files_and_dcat_catalogue(client, session, settings):
    data = build(session)
    publish_certificate(session, data)
    assert client.get("/open-data/initiatives.csv").status_code == 404  # not generated yet
    opendata.regenerate(session)
    page = client.get("/open-data")
    assert 'rel="license"' in page.text and "CC BY 4.0" in page.text
    assert "Từ điển dữ liệu" in page.text
    csv_file = client.get("/open-data/initiatives.csv")
    assert (
        csv_file.status_code == 200
        and csv_file.headers["content-type"] == "text/csv; charset=utf-8"
    )
    assert client.get("/open-data/statistics.json").json()[0] == {"dimension": "total", "key": "received", "name_vi": None, "name_en": None, "received": None, "published": None, "count": 5}  # fmt: skip
    assert client.get("/open-data/open-data.zip").headers["content-type"] == "application/zip"
    assert client.get("/open-data/manifest.json").status_code == 404  # only listed files are served
    assert client.get("/open-data/..%2Fmanifest.json").status_code == 404
    dcat = client.get("/open-data/catalog.jsonld")
    assert dcat.headers["content-type"] == "application/ld+json"
    catalogue = dcat.json()
    assert catalogue["@type"] == "dcat:Catalog"
    for key in ("dct:title", "dct:description", "dct:publisher", "dcat:dataset", "dct:license"):
        assert catalogue[key], key
    assert len(catalogue["dcat:dataset"]) == 4
    for dataset in catalogue["dcat:dataset"]:
        assert dataset["@type"] == "dcat:Dataset"
        for key in (
            "dct:title",
            "dct:description",
            "dcat:distribution",
            "dct:license",
            "dct:identifier",
        ):
            assert dataset[key], key
        for dist in dataset["dcat:distribution"]:
            assert dist["@type"] == "dcat:Distribution"
            assert dist["dcat:accessURL"]["@id"] == "http://testserver/open-data"
            assert dist["dcat:downloadURL"]["@id"].startswith("http://testserver/open-data/")
            assert (
                client.get(
                    dist["dcat:downloadURL"]["@id"].removeprefix("http://testserver")
                ).status_code
                == 200
            )
