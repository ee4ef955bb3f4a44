"""Real files of each kind, built in the tests, and streamed multipart bodies."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator

import openpyxl

BOUNDARY = "----portal-test-boundary-7MA4YWxkTrZu0gW"
CHUNK = 64 * 1024

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)
GIF = b"GIF89a" + bytes(40)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(40)
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + bytes(64)
    + b"This program cannot be run in DOS mode."
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def zip_of(entries: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(stored_first, entries[stored_first], compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            if name != stored_first:
                archive.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": "<w:document><w:body><w:p>Sáng kiến</w:p></w:body></w:document>".encode(),
        }
    )


def xlsx() -> bytes:
    """A real workbook written by openpyxl."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Chỉ tiêu"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt() -> bytes:
    return zip_of(
        {
            "mimetype": b"application/vnd.oasis.opendocument.text",
            "content.xml": b"<office:document-content/>",
        },
        stored_first="mimetype",
    )


def ole2(*streams: str) -> bytes:
    """A minimal MS-CFB compound file (512-byte sectors) whose root holds `streams`.

    Sector 0 is the FAT, sector 1 the directory; the streams are empty, which
    is all a reader of the directory looks at.
    """
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 0x2C, 1, 1, 0, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    fat = struct.pack("<128I", fat_sector, end, *([free] * 126))
    entries = []
    for kind, name in [(5, "Root Entry"), *((2, s) for s in streams)]:
        entry = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        entry[: len(encoded)] = encoded
        struct.pack_into("<HB", entry, 0x40, len(encoded), kind)
        entries.append(bytes(entry))
    directory = b"".join(entries).ljust(512, b"\0")
    return bytes(header) + fat + directory


def chunks_of(data: bytes, size: int = CHUNK) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def multipart(
    fields: dict[str, str], files: Iterable[tuple[str, str, Iterable[bytes]]]
) -> Iterator[bytes]:
    """A multipart/form-data body produced lazily, file content chunk by chunk."""
    for name, value in fields.items():
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    for field, filename, content in files:
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        yield from content
        yield b"\r\n"
    yield f"--{BOUNDARY}--\r\n".encode()


HEADERS = {
    "content-type": f"multipart/form-data; boundary={BOUNDARY}",
    "accept": "application/json",
}
