"""Open data: public data only, under an open licence, regenerated daily, streamed to disk.

Each dataset is written as CSV (UTF-8 with BOM, so Excel reads the accents),
JSON and a sheet of one XLSX workbook, and the CSVs are zipped with the data
dictionary. Rows are produced one at a time and written at once, so memory
does not grow with the data.

Published initiatives come from `catalogue.indexing.published_documents_batched`: the
search index's own whitelist of public fields (checked against
`visibility.PUBLIC_FIELDS` at import), so a confidential field cannot appear
here either. Other domains (problems, deals) add datasets with `dataset()`.
"""

from __future__ import annotations

import csv
import fcntl
import json
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlmodel import Session, col, select

from app.catalogue import indexing
from app.config import get_settings
from app.db import utcnow
from app.initiatives.models import Initiative
from app.initiatives.workflow import PUBLISHED_STATES
from app.publication.models import Certificate
from app.reports import service
from app.reports.calendar import local_date
from app.reports.exports import safe_row

FORMATS = ("csv", "json")
ZIP_NAME, XLSX_NAME, DICTIONARY = "open-data.zip", "open-data.xlsx", "dictionary"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # integer | number | string | date-time
    vi: str
    en: str


@dataclass(frozen=True)
class Dataset:
    name: str
    title_vi: str
    title_en: str
    description_vi: str
    description_en: str
    columns: tuple[Column, ...]
    rows: Callable[[Session], Iterator[dict[str, Any]]]


datasets: dict[str, Dataset] = {}


def dataset(ds: Dataset) -> Dataset:
    """Register a public dataset (other domains: open and awarded problems, deals)."""
    datasets[ds.name] = ds
    return ds


# -- the portal's own datasets ------------------------------------------------------
def _iso(epoch: int | None) -> str | None:
    return datetime.fromtimestamp(epoch, UTC).isoformat() if epoch is not None else None


INITIATIVE_COLUMNS = (
    Column("id", "integer", "Mã số sáng kiến trên cổng", "Initiative id on the portal"),
    Column("title", "string", "Tên sáng kiến", "Title"),
    Column("summary", "string", "Tóm tắt công khai", "Public summary"),
    Column("keywords", "string", "Từ khóa, cách nhau bởi dấu ;", "Keywords, separated by ;"),
    Column("field_code", "string", "Mã lĩnh vực", "Field code"),
    Column("field_name", "string", "Tên lĩnh vực", "Field name (Vietnamese)"),
    Column("subfield_code", "string", "Mã lĩnh vực con", "Sub-field code"),
    Column("subfield_name", "string", "Tên lĩnh vực con", "Sub-field name (Vietnamese)"),
    Column("province", "string", "Tỉnh, thành phố", "Province"),
    Column("organisation", "string", "Tổ chức", "Organisation"),
    Column("organisation_type", "string", "Loại hình tổ chức", "Organisation type"),
    Column("trl", "integer", "Mức độ sẵn sàng công nghệ (1–9)", "Technology readiness level (1–9)"),
    Column("ip_status", "string", "Tình trạng sở hữu trí tuệ", "Intellectual property status"),
    Column("published_at", "date-time", "Thời điểm công bố (UTC)", "Published at (UTC)"),
    Column("publication_year", "integer", "Năm công bố", "Year of publication"),
    Column("certificate_number", "string", "Số giấy chứng nhận", "Certificate number"),
)


def initiative_rows(session: Session) -> Iterator[dict[str, Any]]:
    for doc in indexing.published_documents_batched(session):
        row = {c.name: doc.get(c.name) for c in INITIATIVE_COLUMNS}
        row["id"] = int(doc["id"])
        row["keywords"] = "; ".join(doc.get("keywords", []))
        row["published_at"] = _iso(doc.get("published_at"))
        yield row


def certificate_rows(session: Session) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        batch = session.exec(
            select(Certificate)
            .join(Initiative, col(Initiative.id) == col(Certificate.initiative_id))
            .where(
                col(Initiative.status).in_([str(s) for s in PUBLISHED_STATES]),
                col(Certificate.id) > last,
            )
            .order_by(col(Certificate.id))
            .limit(1000)
        ).all()
        if not batch:
            return
        for cert in batch:
            yield {
                "number": cert.number,
                "initiative_id": cert.initiative_id,
                "title": cert.title,
                "organisation_name": cert.organisation_name,
                "issued_at": cert.issued_at.isoformat(),
                "revoked_at": cert.revoked_at.isoformat() if cert.revoked_at else None,
            }
        last = batch[-1].id or last
        session.expunge_all()


_run_stats: dict[str, Any] | None = None  # one computation of the figures per regeneration


def _statistics(session: Session) -> dict[str, Any]:
    global _run_stats
    if _run_stats is None:
        _run_stats = service.statistics(session, items=False)
    return _run_stats


def statistics_rows(session: Session) -> Iterator[dict[str, Any]]:
    stats = _statistics(session)
    for key, value in stats["totals"].items():
        yield {"dimension": "total", "key": key, "name_vi": None, "name_en": None, "received": None, "published": None, "count": value}  # fmt: skip
    for dimension in ("by_field", "by_province", "by_organisation_type"):
        for r in stats[dimension]:
            yield {
                "dimension": dimension.removeprefix("by_"),
                "key": r["key"],
                "name_vi": r.get("name_vi"),
                "name_en": r.get("name_en"),
                "received": r["received"],
                "published": r["published"],
                "count": None,
            }
    for r in stats["by_month"]:
        yield {"dimension": "month", "key": r["month"], "name_vi": None, "name_en": None, "received": r["received"], "published": r["published"], "count": None}  # fmt: skip


def stage_rows(session: Session) -> Iterator[dict[str, Any]]:
    yield from _statistics(session)["stages"]


dataset(
    Dataset(
        "initiatives",
        "Sáng kiến đã công bố",
        "Published initiatives",
        "Các trường công khai của sáng kiến đã công bố (cùng danh sách với chỉ mục tìm kiếm).",
        "The public fields of published initiatives (the same list as the search index).",
        INITIATIVE_COLUMNS,
        initiative_rows,
    )
)
dataset(
    Dataset(
        "certificates",
        "Giấy chứng nhận công bố",
        "Publication certificates",
        "Giấy chứng nhận của các sáng kiến đang được công bố.",
        "Certificates of the initiatives currently published.",
        (
            Column("number", "string", "Số giấy chứng nhận", "Certificate number"),
            Column("initiative_id", "integer", "Mã số sáng kiến", "Initiative id"),
            Column(
                "title", "string", "Tên sáng kiến trên giấy chứng nhận", "Title on the certificate"
            ),
            Column("organisation_name", "string", "Tổ chức", "Organisation"),
            Column("issued_at", "date-time", "Ngày cấp (UTC)", "Issued at (UTC)"),
            Column("revoked_at", "date-time", "Ngày thu hồi (UTC)", "Revoked at (UTC)"),
        ),
        certificate_rows,
    )
)
dataset(
    Dataset(
        "statistics",
        "Thống kê tổng hợp",
        "Aggregate statistics",
        "Tổng số và số sáng kiến tiếp nhận, công bố theo lĩnh vực, tỉnh, loại hình tổ chức và tháng.",
        "Totals, and initiatives received and published by field, province, organisation type and month.",
        (
            Column("dimension", "string", "Chiều thống kê (total, field, province, organisation_type, month)", "Dimension (total, field, province, organisation_type, month)"),
            Column("key", "string", "Giá trị của chiều", "Value of the dimension"),
            Column("name_vi", "string", "Tên tiếng Việt", "Name in Vietnamese"),
            Column("name_en", "string", "Tên tiếng Anh", "Name in English"),
            Column("received", "integer", "Số sáng kiến đã tiếp nhận", "Initiatives received"),
            Column("published", "integer", "Số sáng kiến đã công bố", "Initiatives published"),
            Column("count", "integer", "Số lượng (dòng tổng)", "Count (total rows)"),
        ),
        statistics_rows,
    )
)  # fmt: skip
dataset(
    Dataset(
        "stage_durations",
        "Thời gian xử lý theo giai đoạn",
        "Stage durations",
        "Trung vị và phân vị 90 số ngày ở mỗi giai đoạn, chỉ tiêu, đơn vị chịu trách nhiệm, tỷ lệ đúng hạn.",
        "Median and 90th-percentile days per stage, targets, responsible units, on-time shares.",
        (
            Column("stage", "string", "Giai đoạn", "Stage"),
            Column("spells", "integer", "Số lượt đã qua giai đoạn", "Completed passages"),
            Column("median_days", "number", "Trung vị số ngày", "Median days"),
            Column("p90_days", "number", "Phân vị 90 số ngày", "90th-percentile days"),
            Column("target_working_days", "integer", "Chỉ tiêu (ngày làm việc)", "Target (working days)"),
            Column("unit_vi", "string", "Đơn vị chịu trách nhiệm", "Responsible unit (Vietnamese)"),
            Column("unit_en", "string", "Đơn vị chịu trách nhiệm (tiếng Anh)", "Responsible unit (English)"),
            Column("done", "integer", "Số lượt có chỉ tiêu đã hoàn thành", "Completed passages with a target"),
            Column("on_time", "integer", "Số lượt đúng hạn", "Completed on time"),
            Column("on_time_share", "number", "Tỷ lệ đúng hạn", "On-time share"),
            Column("open", "integer", "Đang ở giai đoạn", "Currently in the stage"),
            Column("overdue", "integer", "Đang quá hạn", "Currently overdue"),
        ),
        stage_rows,
    )
)  # fmt: skip


# -- writing ---------------------------------------------------------------------
def root() -> Path:
    return get_settings().var_dir / "opendata"


def current_dir() -> Path:
    return root() / "current"


def manifest() -> dict[str, Any] | None:
    path = current_dir() / "manifest.json"
    if not path.exists():
        return None
    return dict(json.loads(path.read_text(encoding="utf-8")))


def files() -> list[str]:
    """Every file name served under /open-data/ (a whitelist: nothing else is)."""
    names = [f"{d}.{fmt}" for d in [*datasets, DICTIONARY] for fmt in FORMATS]
    return [*names, ZIP_NAME, XLSX_NAME]


def _write_dataset(session: Session, ds: Dataset, folder: Path, book: Workbook) -> int:
    names = [c.name for c in ds.columns]
    sheet = book.create_sheet(ds.name[:31])
    sheet.append(names)
    count = 0
    with (
        (folder / f"{ds.name}.csv").open("w", encoding="utf-8-sig", newline="") as csv_file,
        (folder / f"{ds.name}.json").open("w", encoding="utf-8") as json_file,
    ):
        writer = csv.writer(csv_file)
        writer.writerow(names)
        json_file.write("[")
        for row in ds.rows(session):
            values = [row.get(n) for n in names]
            writer.writerow(safe_row(["" if v is None else v for v in values]))
            sheet.append(safe_row(values))
            json_file.write(("," if count else "") + "\n")
            json_file.write(json.dumps(dict(zip(names, values, strict=True)), ensure_ascii=False))
            count += 1
        json_file.write("\n]\n")
    return count


def _write_dictionary(folder: Path, book: Workbook) -> None:
    header = ["dataset", "column", "type", "description_vi", "description_en"]
    rows = [[ds.name, c.name, c.type, c.vi, c.en] for ds in datasets.values() for c in ds.columns]
    sheet = book.create_sheet(DICTIONARY)
    sheet.append(header)
    with (folder / f"{DICTIONARY}.csv").open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            sheet.append(row)
    (folder / f"{DICTIONARY}.json").write_text(
        json.dumps([dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False, indent=1),
        encoding="utf-8",
    )


LICENCE_TEXT = (
    "Dữ liệu mở của Cổng sáng kiến — giấy phép Creative Commons Ghi công 4.0 Quốc tế (CC BY 4.0).\n"
    "Open data of the initiative portal — Creative Commons Attribution 4.0 International (CC BY 4.0).\n"
)


def regenerate(session: Session, now: datetime | None = None) -> dict[str, Any]:
    """Write every file into a fresh folder, then swap it in as `current`."""
    global _run_stats
    _run_stats = None
    now = now or utcnow()
    base = root()
    base.mkdir(parents=True, exist_ok=True)
    work = base / f"building-{now.strftime('%Y%m%d%H%M%S%f')}"
    work.mkdir()
    book = Workbook(write_only=True)
    counts = {name: _write_dataset(session, ds, work, book) for name, ds in datasets.items()}
    _write_dictionary(work, book)
    _run_stats = None
    book.save(work / XLSX_NAME)
    (work / "LICENCE.txt").write_text(LICENCE_TEXT, encoding="utf-8")
    with zipfile.ZipFile(work / ZIP_NAME, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in [*datasets, DICTIONARY]:
            archive.write(work / f"{name}.csv", f"{name}.csv")
        archive.write(work / "LICENCE.txt", "LICENCE.txt")
    info = {
        "generated_at": now.isoformat(),
        "counts": counts,
        "licence": get_settings().open_data_licence_url,
    }
    (work / "manifest.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    current = current_dir()
    old = base / f"old-{now.strftime('%Y%m%d%H%M%S%f')}"
    if current.exists():
        current.rename(old)
    work.rename(current)
    shutil.rmtree(old, ignore_errors=True)
    return info


def regenerate_if_stale(session: Session, now: datetime | None = None) -> bool:
    """Regenerate unless today's files exist; a second worker on this host skips meanwhile."""
    now = now or utcnow()
    root().mkdir(parents=True, exist_ok=True)
    with (root() / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # another worker is writing the files now
        info = manifest()
        if info and local_date(datetime.fromisoformat(info["generated_at"])) == local_date(now):
            return False
        regenerate(session, now)
        return True


# -- DCAT-AP -------------------------------------------------------------------------
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}


def catalogue(base_url: str) -> dict[str, Any]:
    """The DCAT-AP catalogue of the open data, in JSON-LD."""
    info = manifest() or {}
    modified = info.get("generated_at")
    licence = {"@id": get_settings().open_data_licence_url}
    publisher = {
        "@type": "foaf:Agent",
        "foaf:name": [
            {"@value": "Cổng sáng kiến khoa học, công nghệ và đổi mới sáng tạo", "@language": "vi"},
            {"@value": "Science, technology and innovation initiative portal", "@language": "en"},
        ],
    }

    def text(vi: str, en: str) -> list[dict[str, str]]:
        return [{"@value": vi, "@language": "vi"}, {"@value": en, "@language": "en"}]

    def distribution(name: str, fmt: str) -> dict[str, Any]:
        url = f"{base_url}/open-data/{name}.{fmt}"
        return {
            "@id": url,
            "@type": "dcat:Distribution",
            "dcat:accessURL": {"@id": f"{base_url}/open-data"},
            "dcat:downloadURL": {"@id": url},
            "dcat:mediaType": MEDIA_TYPES[fmt],
            "dct:format": fmt.upper(),
            "dct:license": licence,
            "dct:title": f"{name}.{fmt}",
        }

    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": f"{base_url}/open-data/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": text("Dữ liệu mở của Cổng sáng kiến", "Open data of the initiative portal"),
        "dct:description": text(
            "Dữ liệu công khai về sáng kiến đã công bố, giấy chứng nhận và thống kê; cập nhật hằng ngày.",
            "Public data on published initiatives, certificates and statistics; updated daily.",
        ),
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:language": [{"@id": "http://publications.europa.eu/resource/authority/language/VIE"}],
        "foaf:homepage": {"@id": f"{base_url}/open-data"},
        **({"dct:modified": {"@value": modified, "@type": "xsd:dateTime"}} if modified else {}),
        "dcat:dataset": [
            {
                "@id": f"{base_url}/open-data#{ds.name}",
                "@type": "dcat:Dataset",
                "dct:identifier": ds.name,
                "dct:title": text(ds.title_vi, ds.title_en),
                "dct:description": text(ds.description_vi, ds.description_en),
                "dct:publisher": publisher,
                "dct:license": licence,
                "dcat:keyword": ["sáng kiến", "khoa học công nghệ", "đổi mới sáng tạo"],
                "dct:accrualPeriodicity": {
                    "@id": "http://publications.europa.eu/resource/authority/frequency/DAILY"
                },
                **(
                    {"dct:modified": {"@value": modified, "@type": "xsd:dateTime"}}
                    if modified
                    else {}
                ),
                "dcat:distribution": [distribution(ds.name, fmt) for fmt in FORMATS],
            }
            for ds in datasets.values()
        ],
    }
