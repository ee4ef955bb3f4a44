"""Attachment storage: streamed uploads checked by content, behind a small storage interface.

Not a domain with tables or pages: domains record a `StoredFile` in their own
models and serve downloads through their own permission checks.

    def upload(..., received: StreamedUpload)   # a plain def route; the upload is its last dependency
    storage = get_storage()
    path = storage.path(stored.key)                         # FileResponse(path, ...) when local
"""

from app.storage.backend import (
    LocalStorage,
    Storage,
    StorageWriter,
    StoredFile,
    get_storage,
)
from app.storage.filenames import sanitize_filename
from app.storage.sniff import (
    DEFAULT_ALLOWED_TYPES,
    inspect_container,
    sniff_content_type,
)
from app.storage.upload import (
    FormUpload,
    StreamedUpload,
    Upload,
    receive_upload,
    streamed_upload,
    upload_for_form,
)

__all__ = [
    "FormUpload",
    "StreamedUpload",
    "upload_for_form",
    "Upload",
    "streamed_upload",
    "DEFAULT_ALLOWED_TYPES",
    "LocalStorage",
    "Storage",
    "StorageWriter",
    "StoredFile",
    "get_storage",
    "inspect_container",
    "receive_upload",
    "sanitize_filename",
    "sniff_content_type",
]
