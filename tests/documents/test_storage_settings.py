"""Where the documents storage keeps bytes, as settings choose it from the environment: a private folder under the
data directory by default; with CALAIM_DOCUMENTS_S3_BUCKET, django-storages' S3 backend on that bucket, with the
endpoint, region and the standard AWS credentials, never overwriting and setting no ACL. Read in a fresh process,
since settings read the environment once (no S3 server is reached: the backend connects on first use)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
django.setup()
from django.core.files.storage import storages
s = storages["documents"]
keys = ("bucket_name", "endpoint_url", "region_name", "file_overwrite", "default_acl", "location", "access_key",
        "secret_key", "querystring_auth", "file_permissions_mode", "directory_permissions_mode", "base_location")
print(json.dumps({"class": f"{type(s).__module__}.{type(s).__name__}",
                  **{k: str(getattr(s, k)) for k in keys if hasattr(s, k)}}))
"""


def documents_storage_in(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CALAIM_DOCUMENTS_", "AWS_"))}
    full = {
        **clean,
        "CALAIM_MODE": "development",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CALAIM_DATA_DIR": str(tmp_path / "data"),
        **env,
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE], cwd=ROOT, env=full, capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_by_default_a_private_folder_under_the_data_directory(tmp_path):
    found = documents_storage_in({}, tmp_path)
    assert found["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert found["base_location"] == str(tmp_path / "data" / "documents")
    assert (found["file_permissions_mode"], found["directory_permissions_mode"]) == (str(0o600), str(0o700))


def test_a_bucket_selects_the_s3_backend_with_its_options(tmp_path):
    found = documents_storage_in(
        {
            "CALAIM_DOCUMENTS_S3_BUCKET": "plan-documents",
            "CALAIM_DOCUMENTS_S3_ENDPOINT_URL": "https://minio.plan.internal:9000",
            "CALAIM_DOCUMENTS_S3_REGION": "us-west-2",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "example-secret",
        },
        tmp_path,
    )
    assert found["class"] == "storages.backends.s3.S3Storage"
    assert found["bucket_name"] == "plan-documents" and found["endpoint_url"] == "https://minio.plan.internal:9000"
    assert found["region_name"] == "us-west-2" and found["location"] == "documents"
    assert (found["access_key"], found["secret_key"]) == ("AKIAEXAMPLE", "example-secret")
    assert found["file_overwrite"] == "False" and found["default_acl"] == "None" and found["querystring_auth"] == "True"


def test_without_endpoint_or_region_boto_chooses(tmp_path):
    found = documents_storage_in(
        {"CALAIM_DOCUMENTS_S3_BUCKET": "b", "CALAIM_DOCUMENTS_S3_PREFIX": "/calaim/docs/"}, tmp_path
    )
    assert found["endpoint_url"] == "None" and found["region_name"] == "None" and found["location"] == "calaim/docs"
