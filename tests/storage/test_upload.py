"""receive_upload through a real HTTP server (uvicorn in a thread) and a streaming client."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
import socket
import tracemalloc
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI, Request

from app import errors
from app.i18n import format_number, set_language
from app.storage import get_storage, receive_upload
from app.storage import sniff as types
from tests.fixtures.browser import serve_app
from tests.storage import samples
from tests.storage.conftest import files_in

MB = 1024 * 1024


def upload_app() -> FastAPI:
    """The smallest app a domain would write: one route that streams the body into storage."""
    app = FastAPI()
    errors.install(app)

    @app.post("/api/upload")
    async def upload(request: Request, lang: str = "vi", max_files: int = 10):
        set_language(lang)
        fields, files = await receive_upload(request, max_files=max_files)
        return {"fields": fields, "files": [dataclasses.asdict(f) for f in files]}

    return app


class BodyCounter:
    """ASGI wrapper counting the request body bytes the app actually asked the server for."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.consumed = 0

    async def __call__(self, scope, receive, send) -> None:
        async def counting_receive():
            message = await receive()
            self.consumed += len(message.get("body", b""))
            return message

        await self.app(scope, counting_receive, send)


@pytest.fixture(scope="module")
def counter() -> BodyCounter:
    return BodyCounter(upload_app())


@pytest.fixture(scope="module")
def url(counter) -> Iterator[str]:
    base_url, stop = serve_app(counter)
    yield base_url + "/api/upload"
    stop()


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    """One client for the module: its TLS context and pool are not counted in the memory figures."""
    with httpx.Client(timeout=60) as client:
        yield client


@pytest.fixture
def post(url, http, storage_dir):
    def post(body: Iterator[bytes], **params) -> httpx.Response:
        return http.post(url, content=body, headers=samples.HEADERS, params=params)

    # Warm up: imports on the first request and Babel's locale data (loaded once per
    # process when a message formats the limit) are not memory the upload holds.
    post(samples.multipart({}, []))
    format_number(25, 0)
    return post


def pdf_stream(total: int, seed: int = 57) -> tuple[Iterator[bytes], hashlib._Hash]:
    """`total` bytes of a PDF made of random 64 KiB blocks, hashed as they are sent."""
    block = random.Random(seed).randbytes(samples.CHUNK)
    digest = hashlib.sha256()

    def chunks() -> Iterator[bytes]:
        sent = 0
        while sent < total:
            chunk = samples.PDF if sent == 0 else block[: min(samples.CHUNK, total - sent)]
            digest.update(chunk)
            sent += len(chunk)
            yield chunk

    return chunks(), digest


def test_oversize_upload_is_refused_while_streaming_with_bounded_memory(post, counter, storage_dir):
    content, _ = pdf_stream(60 * MB)
    body = samples.multipart({}, [("file", "lớn.pdf", content)])
    counter.consumed = 0
    tracemalloc.start()
    try:
        response = post(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 413
    assert response.json()["detail"] == "Tệp “lớn.pdf” vượt quá giới hạn 25 MB."
    assert response.json()["errors"] == {"file": "Tệp “lớn.pdf” vượt quá giới hạn 25 MB."}
    print(
        f"\n60 MB body, 25 MB limit: peak traced memory {peak / MB:.2f} MB, "
        f"app read {counter.consumed / MB:.2f} MB of the body"
    )
    assert peak < 3 * MB
    # The app stopped reading within one network chunk of the limit (uvicorn then
    # discards the rest of the body to keep the connection usable).
    assert 25 * MB < counter.consumed < 25 * MB + 512 * 1024
    assert files_in(storage_dir) == []


def read_response(conn: socket.socket) -> tuple[bytes, bytes]:
    """Status line and headers, and the body of `content-length` bytes, from a raw socket."""
    raw = b""
    while b"\r\n\r\n" not in raw:
        raw += conn.recv(4096)
    head, _, body = raw.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head, re.IGNORECASE).group(1))
    while len(body) < length:
        body += conn.recv(4096)
    return head, body


def test_a_declared_oversize_body_is_refused_before_it_is_read(url, storage_dir):
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(
            (
                f"POST {parts.path}?max_files=1 HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                f"Content-Type: {samples.HEADERS['content-type']}\r\nAccept: application/json\r\n"
                f"Content-Length: {100 * MB}\r\n\r\n"
            ).encode()
        )
        head, body = read_response(conn)  # no body is sent: a server waiting for it would time out
    assert head.startswith(b"HTTP/1.1 413")
    assert json.loads(body)["detail"] == "Dữ liệu tải lên vượt quá giới hạn 25 MB."
    assert files_in(storage_dir) == []


def test_a_valid_pdf_is_stored_with_its_exact_hash_and_size(post, storage_dir):
    content, digest = pdf_stream(10 * MB)
    body = samples.multipart(
        {"confidential": "true", "ghi_chu": "Bản thuyết minh"},
        [("file", "Thuyết minh sáng kiến.pdf", content)],
    )
    tracemalloc.start()
    try:
        response = post(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["fields"] == {"confidential": "true", "ghi_chu": "Bản thuyết minh"}
    [stored] = result["files"]
    assert stored["filename"] == "Thuyết minh sáng kiến.pdf"
    assert stored["content_type"] == "application/pdf"
    assert stored["size"] == 10 * MB
    assert stored["sha256"] == digest.hexdigest()
    with get_storage().open(stored["key"]) as file:
        assert hashlib.file_digest(file, "sha256").hexdigest() == digest.hexdigest()
    print(f"\n10 MB PDF accepted: peak traced memory {peak / MB:.2f} MB")
    assert peak < 3 * MB
    assert files_in(storage_dir) == [stored["key"]]


@pytest.mark.parametrize(
    ("content", "filename", "kind"),
    [
        (samples.docx(), "Báo cáo.docx", types.DOCX),
        (samples.xlsx(), "Chỉ tiêu.xlsx", types.XLSX),
        (samples.odt(), "Đề xuất.odt", types.ODT),
        (samples.ole2("WordDocument", "1Table"), "Bản cũ.doc", types.DOC),
        (samples.PNG, "sơ đồ.png", types.PNG),
    ],
)
def test_office_documents_and_images_are_recognised(post, storage_dir, content, filename, kind):
    response = post(samples.multipart({}, [("file", filename, samples.chunks_of(content))]))
    assert response.status_code == 200, response.text
    [stored] = response.json()["files"]
    assert (stored["filename"], stored["content_type"], stored["size"]) == (
        filename,
        kind,
        len(content),
    )


def test_a_name_without_extension_gets_the_one_of_its_content(post, storage_dir):
    response = post(
        samples.multipart({}, [("file", "báo cáo v1.2", samples.chunks_of(samples.xlsx()))])
    )
    assert response.json()["files"][0]["filename"] == "báo cáo v1.2.xlsx"


def test_the_stored_name_is_sanitised(post, storage_dir):
    raw = "../../etc/Ba\u0301o ca\u0301o\u202e.pdf"
    response = post(samples.multipart({}, [("file", raw, samples.chunks_of(samples.PDF))]))
    assert response.json()["files"][0]["filename"] == "Báo cáo.pdf"


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (samples.EXE, "thuyết minh.pdf"),
        (samples.HTML, "thuyết minh.pdf"),
        (samples.zip_of({"payload.exe": samples.EXE}), "thuyết minh.pdf"),
        (samples.zip_of({"payload.exe": samples.EXE}), "thuyết minh.docx"),
        (samples.ole2("\x05SummaryInformation"), "thuyết minh.doc"),
    ],
)
def test_a_disguised_file_is_refused(post, storage_dir, content, filename):
    response = post(samples.multipart({}, [("file", filename, samples.chunks_of(content))]))
    assert response.status_code == 415
    assert response.json()["detail"] == (
        f"Tệp “{filename}” không thuộc loại được chấp nhận. Các loại được chấp nhận: "
        "DOC, DOCX, GIF, JPG, ODP, ODS, ODT, PDF, PNG, PPT, PPTX, WEBP, XLS, XLSX."
    )
    assert files_in(storage_dir) == []


def test_a_disguised_file_is_refused_from_its_first_bytes(post, counter, storage_dir):
    executable = [samples.EXE.ljust(samples.CHUNK, b"\0")] * 320  # 20 MB
    counter.consumed = 0
    response = post(samples.multipart({}, [("file", "setup.pdf", executable)]))
    assert response.status_code == 415
    assert counter.consumed < 512 * 1024
    assert files_in(storage_dir) == []


@pytest.mark.parametrize(
    ("content", "filename", "ext"),
    [
        (samples.PDF, "ảnh.png", ".png"),
        (samples.docx(), "bảng.xlsx", ".xlsx"),
        (samples.ole2("WordDocument"), "bảng.xls", ".xls"),
        (samples.PDF, "trang.html", ".html"),
    ],
)
def test_an_extension_contradicting_the_content_is_refused(
    post, storage_dir, content, filename, ext
):
    response = post(samples.multipart({}, [("file", filename, samples.chunks_of(content))]))
    assert response.status_code == 415
    assert (
        response.json()["detail"] == f"Nội dung của “{filename}” không khớp với phần mở rộng {ext}."
    )
    assert files_in(storage_dir) == []


def test_the_refusal_speaks_the_request_language(post, storage_dir):
    response = post(samples.multipart({}, [("file", "x.pdf", [samples.EXE])]), lang="en")
    assert response.json()["detail"] == (
        "“x.pdf” is not an accepted file type. Accepted types: "
        "DOC, DOCX, GIF, JPG, ODP, ODS, ODT, PDF, PNG, PPT, PPTX, WEBP, XLS, XLSX."
    )


def test_a_bad_second_file_removes_the_first_one_too(post, storage_dir):
    body = samples.multipart(
        {}, [("a", "tốt.pdf", [samples.PDF]), ("b", "xấu.pdf", [samples.HTML])]
    )
    response = post(body)
    assert response.status_code == 415
    assert response.json()["errors"] == {
        "b": "Tệp “xấu.pdf” không thuộc loại được chấp nhận. Các loại được chấp "
        "nhận: DOC, DOCX, GIF, JPG, ODP, ODS, ODT, PDF, PNG, PPT, PPTX, WEBP, "
        "XLS, XLSX."
    }
    assert files_in(storage_dir) == []


def test_a_truncated_body_is_refused_and_leaves_nothing(post, storage_dir):
    body = list(samples.multipart({}, [("file", "a.pdf", [samples.PDF * 100])]))[:-2]
    response = post(iter(body))
    assert response.status_code == 400
    assert response.json()["detail"] == "Không đọc được dữ liệu tải lên. Vui lòng thử lại."
    assert files_in(storage_dir) == []


def test_too_many_files_are_refused(post, storage_dir):
    body = samples.multipart({}, [("file", f"{i}.pdf", [samples.PDF]) for i in range(3)])
    response = post(body, max_files=2)
    assert response.status_code == 422
    assert response.json()["detail"] == "Mỗi lần chỉ gửi tối đa 2 tệp."
    assert files_in(storage_dir) == []


def test_an_empty_file_input_is_skipped_and_an_empty_file_refused(post, storage_dir):
    skipped = post(samples.multipart({"title": "x"}, [("file", "", [])]))
    assert skipped.json() == {"fields": {"title": "x"}, "files": []}
    refused = post(samples.multipart({}, [("file", "rỗng.pdf", [])]))
    assert refused.status_code == 415
    assert refused.json()["detail"] == "Tệp “rỗng.pdf” trống."


def test_a_request_that_is_not_multipart_is_refused(url, http, storage_dir):
    response = http.post(url, json={"file": "x"}, headers={"accept": "application/json"})
    assert response.status_code == 415
    assert response.json()["detail"] == "Hãy gửi tệp bằng biểu mẫu dạng multipart/form-data."
