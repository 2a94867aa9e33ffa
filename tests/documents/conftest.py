"""Documents fixtures: a private documents folder per test, the plan's appeals and compliance staff, records of
each kind (a referral by the PCP's referrer, a CS request, an authorization, an appeal), and files to upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from calaim.accounts.models import Role
from calaim.appeals.services import AppealInput, appeal_file
from calaim.authorizations.models import AuthorizationRequest
from calaim.demo.documents import tiny_pdf
from calaim.documents.models import Document
from calaim.documents.services import document_attach
from calaim.referrals.models import ReferralStatus
from tests.appeals.conftest import deny, in_caseload, pending_ecm
from tests.factories import CsRequestFactory, MemberFactory, ReferralFactory, UserFactory

PDF = tiny_pdf(["Referral form", "synthetic"])
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)


@pytest.fixture(autouse=True)
def documents_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test its own documents folder, so a test sees exactly the files it stored."""
    location = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(location)}},
    }
    return location


def stored_files(location: Path) -> list[Path]:
    return [path for path in location.rglob("*") if path.is_file()] if location.exists() else []


@pytest.fixture
def users(network: Any) -> dict[str, Any]:
    network.users |= {
        "appeals": UserFactory(username="appeals", role=Role.PLAN_APPEALS, organization=network.hpsj),
        "compliance": UserFactory(username="compliance", role=Role.PLAN_COMPLIANCE, organization=network.hpsj),
        "hpsm_appeals": UserFactory(username="hpsm_appeals", role=Role.PLAN_APPEALS, organization=network.hpsm),
    }
    return network.users


@pytest.fixture
def referral(users: Any, member: Any) -> Any:
    """The PCP's referrer's ECM referral, the member in Alpha Care Partners' caseload."""
    made = ReferralFactory(member=member, status=ReferralStatus.RECEIVED)
    in_caseload(member, users["cm_a"].organization)
    return made


@pytest.fixture
def cs_request(users: Any) -> Any:
    return CsRequestFactory(member=MemberFactory(experiencing_homelessness=True))


@pytest.fixture
def authorization(api: Any, users: Any) -> AuthorizationRequest:
    return pending_ecm(api, MemberFactory(experiencing_homelessness=True))


@pytest.fixture
def appeal(api: Any, users: Any) -> Any:
    notice = deny(api, pending_ecm(api, MemberFactory(experiencing_homelessness=True)))
    return appeal_file(actor=users["member_services"], notice=notice, data=AppealInput(channel="phone"))


def upload(content: bytes = PDF, name: str = "referral.pdf") -> ContentFile:
    return ContentFile(content, name=name)


def attached(actor: Any, record: Any, content: bytes = PDF, name: str = "referral.pdf", **kw: Any) -> Document:
    kw.setdefault("kind", "referral_form")
    kw.setdefault("title", "Signed referral form")
    return document_attach(actor=actor, record=record, upload=upload(content, name), **kw)
