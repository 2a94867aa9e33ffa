"""The members and claims files of an identification run, streamed from the request to disk as they arrive.

The files are PHI and can be gigabytes, so a request's bytes go in chunks to a private staging folder under
`CALAIM_DATA_DIR/identification/` (never whole in memory, never through the system's temporary folder), hashed on
the way; a file over `CALAIM_UPLOAD_MAX_MB`, or not CSV or Parquet, is refused with a message naming it. The run's
service then moves the files into the run's own folder; whatever is left in staging when the request ends (a
refusal, an error) is removed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from calaim.analytics.files import INPUTS, identification_root, input_ending, private_dir, shown_name


def upload_max_bytes() -> int:
    return int(settings.CALAIM_UPLOAD_MAX_MB) * 1024 * 1024


@dataclass(frozen=True)
class StagedFile:
    """One received input: where it is, the name the person sent, its bytes' hash and size."""

    path: Path
    name: str
    sha256: str
    size: int


class StagedUploadedFile(UploadedFile):
    """What the handler gives Django for an input field: the file is already on disk, complete."""

    def __init__(self, staged: StagedFile, content_type: str | None) -> None:
        super().__init__(file=None, name=staged.name, content_type=content_type, size=staged.size)
        self.staged = staged

    def close(self) -> None:  # nothing is open: Django closes every uploaded file when the request ends
        return None


@dataclass
class UploadStaging:
    """A request's staging folder, and why any input was refused on the way in ({field: message})."""

    folder: Path
    max_bytes: int
    refusals: dict[str, str] = field(default_factory=dict)

    def too_large_message(self, name: str) -> str:
        return (
            f"{name} is larger than {self.max_bytes // (1024 * 1024):,} MB, the largest file calaim takes "
            "(CALAIM_UPLOAD_MAX_MB); put it in the server folder and pick it from there instead."
        )


class StagingUploadHandler(FileUploadHandler):
    """Writes the `members` and `claims` file fields into the staging folder as they arrive; any other file field
    is skipped. A refused file is dropped and the rest of its bytes read and discarded, so the other fields still
    arrive and the person gets a clear answer rather than a broken connection."""

    def __init__(self, staging: UploadStaging, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.staging = staging
        self._fd: int | None = None
        self._part: Path | None = None
        self._hash = hashlib.sha256()
        self._size = 0
        self._shown = ""

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self._shown = shown_name(file_name)
        if field_name not in INPUTS or field_name in self.staging.refusals:
            raise SkipFile()
        ending = input_ending(file_name)
        if ending is None:
            self.staging.refusals[field_name] = (
                f"{self._shown or 'The file'}: identification reads CSV (.csv) or Parquet (.parquet) files only."
            )
            raise SkipFile()
        private_dir(self.staging.folder)
        self._part = self.staging.folder / f"{field_name}{ending}"
        self._fd = os.open(self._part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._hash, self._size = hashlib.sha256(), 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self._fd is not None  # new_file opened it, or skipped the file
        self._size += len(raw_data)
        if self._size > self.staging.max_bytes:
            self.staging.refusals[self.field_name] = self.staging.too_large_message(self._shown)
            self._forget()
            raise SkipFile()
        self._hash.update(raw_data)
        view = memoryview(raw_data)
        while view:
            view = view[os.write(self._fd, view) :]

    def file_complete(self, file_size: int) -> StagedUploadedFile | None:
        if self._fd is None or self._part is None:
            return None
        os.close(self._fd)
        self._fd = None
        staged = StagedFile(self._part, self._shown, self._hash.hexdigest(), self._size)
        return StagedUploadedFile(staged, self.content_type)

    def upload_interrupted(self) -> None:
        self._forget()

    def _forget(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._part is not None:
            self._part.unlink(missing_ok=True)
            self._part = None


@contextmanager
def upload_staging(request: HttpRequest) -> Iterator[UploadStaging]:
    """Install the streaming handler (call before anything reads the request's body), and remove whatever is left
    in staging when the block ends."""
    staging = UploadStaging(identification_root() / "incoming" / uuid.uuid4().hex, upload_max_bytes())
    request.upload_handlers = [StagingUploadHandler(staging, request)]
    try:
        yield staging
    finally:
        shutil.rmtree(staging.folder, ignore_errors=True)


def staged_input(request: HttpRequest, staging: UploadStaging, name: str) -> StagedFile | None:
    """The input received for field `name`, if any (parses the body through the handler on first use)."""
    uploaded = request.FILES.get(name)
    return uploaded.staged if isinstance(uploaded, StagedUploadedFile) else None


def body_too_large(request: HttpRequest) -> bool:
    """A body declared larger than two files at the limit: refused before a byte of it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > 2 * upload_max_bytes() + (1 << 20)
