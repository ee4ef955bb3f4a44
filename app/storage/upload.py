"""Receive a multipart upload straight into storage, never holding a file in memory.

`receive_upload` feeds the request body, chunk by chunk as it arrives, to
python-multipart's streaming parser. File parts go to a storage writer while
their size and SHA-256 are counted; the size limit is enforced on every chunk,
so a 60 MB body meets its refusal at 25 MB and is not read further. The type
is judged from the content (see `sniff`), early from the first bytes and
finally, for ZIP/OLE2 containers, from the stored copy's directory. On any
failure (too large, wrong type, malformed body, client gone) every file of
the request is discarded: nothing is left in storage.

Routes that call it must not declare `Form`/`File` parameters (FastAPI would
read the body first). A page form sends the CSRF token as its first field, a
script in the `X-CSRF-Token` header (see app/web/csrf.py); never in the URL.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, NoReturn

from fastapi import Depends, Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict

from app import config
from app.errors import (
    DomainError,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from app.i18n import _, format_number, ngettext
from app.storage.backend import Storage, StorageWriter, StoredFile, get_storage
from app.storage.filenames import sanitize_filename
from app.storage.sniff import (
    CONTAINER_TYPES,
    DEFAULT_ALLOWED_TYPES,
    EXTENSIONS,
    HEAD_SIZE,
    extension,
    inspect_container,
    sniff_content_type,
)

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_FILES = 10
MAX_FIELDS = 200
MAX_FIELD_BYTES = 1024 * 1024
# Room in a request for part headers, boundaries and the non-file fields.
_ENVELOPE_BYTES = MAX_FIELDS * 1024 + 4 * MAX_FIELD_BYTES
# A suffix that is meant as an extension (".pdf", ".tar"), not "v1.2" or "Q&A. ghi chú".
_REAL_EXTENSION = re.compile(r"^\.[a-z0-9]*[a-z][a-z0-9]*$")


def _megabytes(limit: int) -> str:
    mb = limit / (1024 * 1024)
    return format_number(mb, 0 if mb == int(mb) else 1)


def _unreadable() -> DomainError:
    return DomainError(_("The upload could not be read. Please try again."), code="bad-upload")


class _FilePart:
    """One file part on its way into storage."""

    def __init__(self, field: str, raw_name: str, writer: StorageWriter) -> None:
        self.field = field
        self.raw_name = raw_name
        self.filename = sanitize_filename(raw_name)
        self.writer = writer
        self.hash = hashlib.sha256()
        self.size = 0
        self.head = bytearray()
        self.content_type: str | None = None


class _Receiver:
    """The parser's callbacks: route each part to storage or to the field dict."""

    def __init__(self, storage: Storage, max_bytes: int, allowed: set[str], max_files: int) -> None:
        self.storage = storage
        self.max_bytes = max_bytes
        self.allowed = allowed
        self.max_files = max_files
        self.items: list[tuple[str, str]] = []  # the text fields, in order, repeated names kept
        self.files: list[StoredFile] = []
        self.finished = False
        self._headers: dict[str, bytes] = {}
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._file: _FilePart | None = None
        self._field: tuple[str, bytearray] | None = None
        self._field_count = 0

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._header_name.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._header_value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    # Parts and headers

    def _part_begin(self) -> None:
        self._headers = {}
        self._file = None
        self._field = None

    def _header_end(self) -> None:
        self._headers[self._header_name.decode("latin-1").strip().lower()] = bytes(
            self._header_value
        )
        self._header_name.clear()
        self._header_value.clear()

    def _headers_finished(self) -> None:
        disposition, params = parse_options_header(
            self._headers.get("content-disposition", b"").decode("latin-1")
        )
        if disposition != b"form-data" or b"name" not in params:
            raise _unreadable()
        name = params[b"name"].decode("utf-8", "replace")
        if b"filename" in params:
            if len(self.files) >= self.max_files:
                raise ValidationFailed(
                    ngettext(
                        "Send at most %(count)s file at once.",
                        "Send at most %(count)s files at once.",
                        self.max_files,
                        count=self.max_files,
                    )
                )
            raw_name = params[b"filename"].decode("utf-8", "replace")
            self._file = _FilePart(name, raw_name, self.storage.writer())
        else:
            self._field_count += 1
            if self._field_count > MAX_FIELDS:
                raise _unreadable()
            self._field = (name, bytearray())

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is not None:
            self._file_data(self._file, data[start:end])
        elif self._field is not None:
            name, value = self._field
            if len(value) + end - start > MAX_FIELD_BYTES:
                raise ValidationFailed(
                    _("The field %(name)s is too long.", name=name),
                    errors={name: _("This field is too long.")},
                )
            value.extend(data[start:end])

    def _part_end(self) -> None:
        if self._file is not None:
            self._finish_file(self._file)
            self._file = None
        elif self._field is not None:
            name, value = self._field
            try:
                self.items.append((name, value.decode("utf-8")))
            except UnicodeDecodeError:
                raise _unreadable() from None
            self._field = None

    def _end(self) -> None:
        self.finished = True

    # Files

    def _file_data(self, part: _FilePart, chunk: bytes) -> None:
        if part.size + len(chunk) > self.max_bytes:
            message = _(
                "“%(name)s” is larger than the limit of %(limit)s MB.",
                name=part.filename,
                limit=_megabytes(self.max_bytes),
            )
            raise PayloadTooLarge(message, errors={part.field: message}, max_bytes=self.max_bytes)
        if part.content_type is None:
            part.head.extend(chunk[: HEAD_SIZE - len(part.head)])
            if len(part.head) >= HEAD_SIZE:
                self._judge_head(part)
        part.writer.write(chunk)
        part.hash.update(chunk)
        part.size += len(chunk)

    def _judge_head(self, part: _FilePart) -> None:
        """Refuse as soon as the first bytes show a type that can never be accepted."""
        content_type = sniff_content_type(bytes(part.head), part.filename)
        if content_type is None or (
            content_type not in CONTAINER_TYPES and content_type not in self.allowed
        ):
            self._refuse_type(part)
        part.content_type = content_type

    def _finish_file(self, part: _FilePart) -> None:
        if part.size == 0:
            part.writer.abort()
            if not part.raw_name:
                return  # a file input left empty: browsers send an empty part without a name
            message = _("“%(name)s” is empty.", name=part.filename)
            raise UnsupportedMediaType(message, errors={part.field: message})
        if part.content_type is None:
            self._judge_head(part)
        content_type = part.content_type
        if content_type in CONTAINER_TYPES:
            with part.writer.reopen() as stored:
                actual = inspect_container(stored)
            if actual is None:
                self._refuse_type(part)
            content_type = actual  # a name claiming another member is refused by _checked_name
        if content_type not in self.allowed:
            self._refuse_type(part)
        filename = self._checked_name(part, content_type)
        key = part.writer.commit()
        self.files.append(
            StoredFile(
                key=key,
                filename=filename,
                content_type=content_type,
                size=part.size,
                sha256=part.hash.hexdigest(),
            )
        )

    def _checked_name(self, part: _FilePart, content_type: str) -> str:
        """The name, refused if its extension claims another type, completed if it has none."""
        suffix = extension(part.filename)
        if suffix in EXTENSIONS[content_type]:
            return part.filename
        if _REAL_EXTENSION.match(suffix):
            message = _(
                "The content of “%(name)s” does not match its extension %(ext)s.",
                name=part.filename,
                ext=suffix,
            )
            raise UnsupportedMediaType(message, errors={part.field: message})
        return sanitize_filename(part.filename + EXTENSIONS[content_type][0])

    def _refuse_type(self, part: _FilePart) -> NoReturn:
        accepted = ", ".join(
            sorted({EXTENSIONS[t][0][1:].upper() for t in self.allowed if EXTENSIONS.get(t)})
        )
        message = _(
            "“%(name)s” is not an accepted file type. Accepted types: %(types)s.",
            name=part.filename,
            types=accepted,
        )
        raise UnsupportedMediaType(message, errors={part.field: message})

    def discard(self) -> None:
        """Remove everything this request wrote: the file in progress and those already committed."""
        if self._file is not None:
            self._file.writer.abort()
        for stored in self.files:
            self.storage.delete(stored.key)
        self.files.clear()


async def receive_upload(
    request: Request,
    *,
    max_bytes: int | None = None,
    allowed_types: set[str] | None = None,
    max_files: int = MAX_FILES,
) -> tuple[ImmutableMultiDict[str, str], list[StoredFile]]:
    """Stream a multipart/form-data request's files into storage; return its fields and files.

    `max_bytes` limits each file (default `settings.max_upload_bytes`);
    `allowed_types` are content types judged from the bytes (default
    `DEFAULT_ALLOWED_TYPES`). A file input left empty is skipped. The fields
    come as a multi-dict (`get`, `getlist` for repeated names). Raises
    PayloadTooLarge, UnsupportedMediaType, ValidationFailed or a 400
    DomainError, after removing whatever the request had stored.
    """
    limit = max_bytes if max_bytes is not None else config.get_settings().max_upload_bytes
    allowed = DEFAULT_ALLOWED_TYPES if allowed_types is None else allowed_types
    receiver = _Receiver(get_storage(), limit, allowed, max_files)
    await _receive(request, receiver)
    return ImmutableMultiDict(receiver.items), receiver.files


async def _receive(request: Request, receiver: _Receiver) -> None:
    limit, max_files = receiver.max_bytes, receiver.max_files
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or not params.get(b"boundary"):
        raise UnsupportedMediaType(_("Send the files as a multipart/form-data form."))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit * max_files + _ENVELOPE_BYTES:
        raise PayloadTooLarge(
            _("The upload is larger than the limit of %(limit)s MB.", limit=_megabytes(limit)),
            max_bytes=limit,
        )

    try:
        parser = MultipartParser(params[b"boundary"], receiver.callbacks())
        async for chunk in request.stream():
            if chunk and not receiver.finished:
                # The callbacks write to disk and hash: keep that off the event loop.
                await run_in_threadpool(parser.write, chunk)
        parser.finalize()
        if not receiver.finished:
            raise _unreadable()
    except FormParserError:
        receiver.discard()
        raise _unreadable() from None
    except BaseException:
        receiver.discard()
        raise


@dataclass
class Upload:
    """A streamed multipart request: its text fields and the files now in storage."""

    fields: ImmutableMultiDict[str, str]
    files: list[StoredFile]
    refused: str | None = None  # FormUpload only: why the upload was refused, for the file field

    def discard(self) -> None:
        """Remove the files from storage (their form was refused after they were stored)."""
        for stored in self.files:
            get_storage().delete(stored.key)
        self.files = []


async def streamed_upload(request: Request) -> Upload:
    """The request's files, streamed into storage with the default limits, as a dependency.

    Declare it as the LAST parameter of a plain `def` handler, after the
    dependencies that load and authorise (they run first, in order), so
    nobody else's bytes reach storage and no database work runs on the loop.
    """
    fields, files = await receive_upload(request)
    return Upload(fields, files)


StreamedUpload = Annotated[Upload, Depends(streamed_upload)]


async def upload_for_form(request: Request) -> Upload:
    """Like `streamed_upload`, for a page form that may carry files: a refused upload (too
    large, a type not allowed, a bad name) comes back as `refused`, the message to show next
    to the file field, with the fields read before the file (a form puts its file input after
    its text, so what was typed can be shown again) instead of an error page. Nothing of a
    refused upload is kept. A form sent without files (urlencoded) is read as it is."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/"):
        form = await request.form()
        return Upload(
            ImmutableMultiDict([(k, v) for k, v in form.multi_items() if isinstance(v, str)]), []
        )
    receiver = _Receiver(
        get_storage(), config.get_settings().max_upload_bytes, DEFAULT_ALLOWED_TYPES, MAX_FILES
    )
    try:
        await _receive(request, receiver)
    except (PayloadTooLarge, UnsupportedMediaType, ValidationFailed) as exc:
        refused = next(iter(exc.errors.values()), None) or exc.message
        return Upload(ImmutableMultiDict(receiver.items), [], refused=refused)
    return Upload(ImmutableMultiDict(receiver.items), receiver.files)


FormUpload = Annotated[Upload, Depends(upload_for_form)]
