"""Uploaded roster files, kept where the load reads them: `CALAIM_DATA_DIR/roster/<uuid>/<sanitised name>`.

A roster is PHI and can be a gigabyte, so the bytes go from the request straight to that folder in chunks (never
whole in memory, never through a world-readable temporary folder when the upload handler below is installed), the
SHA-256 is computed on the way, a file over `CALAIM_UPLOAD_MAX_MB` or with an ending the reader does not know is
refused with a message that says so, and the file appears under its name only once complete (written beside it,
then renamed). Folders and files are readable by calaim's own user only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from calaim.core.errors import DomainError, ValidationFailed

ROSTER_ENDINGS = (".csv", ".tsv", ".txt", ".psv", ".xlsx", ".parquet")
ENDINGS_IN_WORDS = ".csv, .tsv, .txt or .psv (pipe-separated), .xlsx or .parquet"
CHUNK_BYTES = 1 << 20
FIELD = "file"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 120


class UploadTooLarge(DomainError):
    """The file is larger than calaim takes (settings.CALAIM_UPLOAD_MAX_MB)."""

    status_code = 413
    code = "request_too_large"


@dataclass(frozen=True)
class StoredUpload:
    path: Path  # the complete file, under CALAIM_DATA_DIR/roster/<uuid>/
    file_name: str  # the name as the person sent it (shown on pages), without any folder
    sha256: str
    size: int


def upload_max_bytes() -> int:
    return int(settings.CALAIM_UPLOAD_MAX_MB) * 1024 * 1024


def upload_root(kind: str = "roster") -> Path:
    return Path(settings.CALAIM_DATA_DIR) / kind


def upload_safe_name(file_name: str) -> str:
    """The name kept on disk: no folder, only letters, digits, dot, dash and underscore, the ending lower-cased."""
    base = re.split(r"[\\/]", file_name)[-1].strip()
    stem, dot, ending = base.rpartition(".")
    if not dot:
        stem, ending = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._") or "roster"
    ending = _UNSAFE.sub("", ending).lower()
    return f"{stem[: _MAX_NAME - len(ending) - 1]}.{ending}" if ending else stem[:_MAX_NAME]


def upload_check_name(file_name: str) -> str:
    """The sanitised name of a roster file, or a refusal naming the file and the endings calaim reads."""
    shown = re.split(r"[\\/]", file_name)[-1].strip()
    if not shown:
        raise ValidationFailed("Choose the roster file to upload.", field=FIELD)
    safe = upload_safe_name(shown)
    if not safe.endswith(ROSTER_ENDINGS):
        raise ValidationFailed(
            f"{shown}: calaim cannot read this kind of file. Send the roster as {ENDINGS_IN_WORDS}.", field=FIELD
        )
    return safe


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.chmod(0o700)


class UploadWriter:
    """One file being received: written in chunks to a hidden part file, hashed, counted, then renamed."""

    def __init__(self, file_name: str, *, max_bytes: int | None = None, kind: str = "roster") -> None:
        self.file_name = re.split(r"[\\/]", file_name)[-1].strip()
        safe = upload_check_name(file_name)
        self.max_bytes = upload_max_bytes() if max_bytes is None else max_bytes
        root = upload_root(kind)
        _private_dir(root.parent)
        _private_dir(root)
        self.folder = root / uuid.uuid4().hex
        self.folder.mkdir(mode=0o700)
        self.path = self.folder / safe
        self.part = self.folder / f".{safe}.part"
        self._fd: int | None = os.open(self.part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.abort()
            limit_mb = self.max_bytes // (1024 * 1024)
            raise UploadTooLarge(
                f"{self.file_name} is larger than {limit_mb:,} MB, the largest file calaim takes "
                "(CALAIM_UPLOAD_MAX_MB). Nothing was kept; ask your administrator to raise the limit.",
                field=FIELD,
            )
        self._hash.update(chunk)
        assert self._fd is not None  # write after finish or abort is a bug
        view = memoryview(chunk)
        while view:
            view = view[os.write(self._fd, view) :]

    def finish(self) -> StoredUpload:
        assert self._fd is not None
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = None
        os.replace(self.part, self.path)
        return StoredUpload(path=self.path, file_name=self.file_name, sha256=self._hash.hexdigest(), size=self.size)

    def abort(self) -> None:
        """Forget the partial file and its folder (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def open(self) -> bool:
        return self._fd is not None


def upload_store(chunks: Iterable[bytes], *, file_name: str, max_bytes: int | None = None) -> StoredUpload:
    """Keep a file given as chunks (an upload Django already received, a file copied for a re-run)."""
    writer = UploadWriter(file_name, max_bytes=max_bytes)
    try:
        for chunk in chunks:
            writer.write(chunk)
        return writer.finish()
    finally:
        if writer.open:  # a chunk failed: nothing half-written is left behind
            writer.abort()


def upload_copy(path: Path, *, file_name: str) -> StoredUpload:
    """A private copy of a kept file, for a new load of the same bytes."""
    with path.open("rb") as source:
        return upload_store(iter(lambda: source.read(CHUNK_BYTES), b""), file_name=file_name, max_bytes=1 << 62)


def upload_discard(path: str | Path) -> None:
    """Remove a kept upload and its folder; only ever inside CALAIM_DATA_DIR."""
    if not path:
        return
    folder = Path(path).resolve().parent
    root = Path(settings.CALAIM_DATA_DIR).resolve()
    if root in folder.parents and folder != root:
        shutil.rmtree(folder, ignore_errors=True)


class StoredUploadedFile(UploadedFile):
    """What the handler hands Django for the roster field: the file is already in its place."""

    def __init__(self, stored: StoredUpload, content_type: str | None) -> None:
        super().__init__(file=None, name=stored.file_name, content_type=content_type, size=stored.size)
        self.stored = stored

    def close(self) -> None:  # nothing open: Django closes every uploaded file when the request ends
        return None


class RosterUploadHandler(FileUploadHandler):
    """Streams the multipart field `file` into its folder as it arrives; other file fields are skipped. A refusal
    (too large, unknown ending) is kept in `refusal` and the rest of that file is read and dropped, so the other
    fields still arrive and the person gets a clear answer, not a broken connection."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.refusal: DomainError | None = None
        self.writer: UploadWriter | None = None
        self.received = False

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != FIELD or self.received or self.refusal is not None:
            raise SkipFile()
        try:
            self.writer = UploadWriter(file_name)
        except DomainError as error:
            self.refusal = error
            raise SkipFile() from error

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self.writer is not None
        try:
            self.writer.write(raw_data)
        except DomainError as error:
            self.refusal, self.writer = error, None
            raise SkipFile() from error

    def file_complete(self, file_size: int) -> StoredUploadedFile | None:
        if self.writer is None:
            return None
        stored, self.writer = self.writer.finish(), None
        self.received = True
        return StoredUploadedFile(stored, self.content_type)

    def upload_interrupted(self) -> None:
        self._forget_partial()

    def upload_complete(self) -> None:
        self._forget_partial()

    def _forget_partial(self) -> None:
        if self.writer is not None:
            self.writer.abort()
            self.writer = None


def upload_handler_install(request: HttpRequest) -> RosterUploadHandler | None:
    """Put the streaming handler in front, if the request's body has not been read yet (else None)."""
    handler = RosterUploadHandler(request)
    try:
        request.upload_handlers = [handler]
    except AttributeError:  # the body was already parsed (e.g. a CSRF check read the form): fall back to a copy
        return None
    return handler


def upload_receive(request: HttpRequest, handler: RosterUploadHandler | None) -> StoredUpload:
    """The roster file of a multipart request, kept in its folder; a refusal names the file and what is wrong.
    Call `upload_handler_install` before anything reads the request's body, then this."""
    files = request.FILES  # parses the body through the handler, when it was installed in time
    if handler is not None and handler.refusal is not None:
        raise handler.refusal
    uploaded = files.get(FIELD)
    if uploaded is None:
        raise ValidationFailed("Choose the roster file to upload.", field=FIELD)
    if isinstance(uploaded, StoredUploadedFile):
        return uploaded.stored
    return upload_store(uploaded.chunks(CHUNK_BYTES), file_name=uploaded.name or "")
