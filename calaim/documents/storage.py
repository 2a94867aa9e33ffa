"""Where documents' bytes are kept: Django's `documents` storage (settings.STORAGES), a private folder under the
data directory by default and an S3-compatible bucket in production; keys are random, under the day's folder."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.files.storage import Storage, storages

from calaim.core.clock import local_date
from calaim.documents.content import FileType

STORAGE_ALIAS = "documents"


def documents_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def storage_key_new(now: dt.datetime, file_type: FileType) -> str:
    """A fresh key naming nothing about the member or the file: the plan's date folder and a random id."""
    return f"{local_date(now):%Y/%m/%d}/{uuid.uuid4().hex}{file_type.endings[0]}"
