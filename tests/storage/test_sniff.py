from __future__ import annotations

import io

import pytest

from app.storage import sniff
from app.storage.sniff import inspect_container, sniff_content_type
from tests.storage import samples


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (samples.PDF, "a.pdf", sniff.PDF),
        (samples.PNG, "a.png", sniff.PNG),
        (samples.JPEG, "a.jpg", sniff.JPEG),
        (samples.GIF, "a.gif", sniff.GIF),
        (samples.WEBP, "a.webp", sniff.WEBP),
    ],
)
def test_leading_bytes_name_the_type(content, filename, expected):
    assert sniff_content_type(content, filename) == expected


def test_the_name_does_not_change_what_the_bytes_prove():
    assert sniff_content_type(samples.PDF, "photo.png") == sniff.PDF


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (samples.EXE, "report.pdf"),
        (samples.HTML, "report.pdf"),
        (b"", "report.pdf"),
        (b"plain text that says %PDF- later", "notes.pdf"),
    ],
)
def test_unknown_content_has_no_type_whatever_its_name(content, filename):
    assert sniff_content_type(content, filename) is None


def test_odf_is_recognised_from_its_leading_mimetype_entry():
    assert sniff_content_type(samples.odt()[:4096], "whatever.bin") == sniff.ODT


def test_a_zip_claims_the_ooxml_member_its_extension_names():
    assert sniff_content_type(samples.docx()[:4096], "báo cáo.docx") == sniff.DOCX
    assert sniff_content_type(samples.docx()[:4096], "báo cáo.pdf") == sniff.ZIP


def test_an_ole2_file_claims_the_member_its_extension_names():
    assert sniff_content_type(samples.ole2("WordDocument"), "cũ.xls") == sniff.XLS
    assert sniff_content_type(samples.ole2("WordDocument"), "cũ.exe") == sniff.OLE2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (samples.docx(), sniff.DOCX),
        (samples.xlsx(), sniff.XLSX),
        (
            samples.zip_of({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}),
            sniff.PPTX,
        ),
        (samples.odt(), sniff.ODT),
        (samples.ole2("WordDocument", "1Table"), sniff.DOC),
        (samples.ole2("Workbook"), sniff.XLS),
        (samples.ole2("PowerPoint Document", "Current User"), sniff.PPT),
    ],
)
def test_container_directory_confirms_the_member(content, expected):
    assert inspect_container(io.BytesIO(content)) == expected


@pytest.mark.parametrize(
    "content",
    [
        samples.zip_of({"payload.exe": samples.EXE}),
        samples.zip_of({"word/document.xml": b"<w/>"}),  # no [Content_Types].xml
        samples.zip_of(
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"<w/>",
                "word/vbaProject.bin": b"macros",
            }
        ),
        samples.zip_of(
            {"mimetype": b"application/x-evil", "content.xml": b"<x/>"}, stored_first="mimetype"
        ),
        samples.ole2("\x05SummaryInformation", "!_StringData"),  # an installer-like compound file
        samples.PDF,
        b"PK\x03\x04 truncated",
    ],
)
def test_containers_without_a_document_member_are_not_documents(content):
    assert inspect_container(io.BytesIO(content)) is None
