"""Provider files in the browser: the plan's page (every load by provider, period, status and errors; uploads on a
provider's behalf; each provider's MIF), the provider's page (its own files for each plan it contracts with), a
load's report with its progress and rejected rows, the rejects file and the files calaim makes. Who sees what is a
matrix: anonymous, a role without access, another plan, another provider, and the allowed; a refusal changes
nothing.

Loads here are made as rows in each state, so the pages are tested apart from the import; the whole path through
the upload, the worker and the import is at the end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from calaim.accounts.models import Role
from calaim.core.clock import plan_today
from calaim.core.models import AuditEvent, PhiRead
from calaim.exchange.models import ExchangeExport, ExchangeLoad, FileKind, LoadSource, LoadStatus
from calaim.plans.models import Plan
from tests.factories import EnrollmentFactory, MemberFactory, UserFactory, ecm_contract

pytestmark = pytest.mark.django_db
NPI = {"provider_a": "1234567893", "provider_b": "1987654321", "provider_m": "1555555555"}


@pytest.fixture
def network(network: Any) -> Any:
    """The shared network with NPIs, provider A contracted with both plans, and each plan's data analyst and
    compliance officer."""
    for name, npi in NPI.items():
        org = getattr(network, name)
        org.npi, org.tin = npi, "941234567"
        org.save(update_fields=["npi", "tin"])
    ecm_contract(network.provider_a, "HPSM", ["San Mateo"])
    users = network.users
    users["data"] = UserFactory(username="hpsj.data", role=Role.PLAN_DATA_ANALYST, organization=network.hpsj)
    users["hpsm_data"] = UserFactory(username="hpsm.data", role=Role.PLAN_DATA_ANALYST, organization=network.hpsm)
    users["compliance"] = UserFactory(username="hpsj.compl", role=Role.PLAN_COMPLIANCE, organization=network.hpsj)
    users["sup_m"] = UserFactory(username="sup_m", role=Role.PROVIDER_SUPERVISOR, organization=network.provider_m)
    return network


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.CALAIM_DATA_DIR = tmp_path / "data"
    return Path(settings.CALAIM_DATA_DIR)


def make_load(network: Any, status: str = LoadStatus.APPLIED, *, plan: str = "HPSJ", provider: Any = None,
              **fields: Any) -> ExchangeLoad:
    """A load as the import leaves it in `status`, uploaded by the provider's supervisor."""
    provider = provider or network.provider_a
    defaults: dict[str, Any] = {
        "kind": FileKind.RTF, "plan": Plan.objects.get(code=plan), "provider": provider,
        "file_name": "RTF_2026-11.csv", "file_format": "csv", "file_sha256": "ab" * 32, "file_size": 2048,
        "source": LoadSource.WEB, "status": status, "created_by": network.users["sup_a"], "actor_label": "sup_a",
        "period": "2026-11",
    }  # fmt: skip
    return ExchangeLoad.objects.create(**{**defaults, **fields})


def test_the_plan_page_and_the_provider_page_render(web, network):
    make_load(network)
    assert web("data").get("/data/exchange/").status_code == 200
    assert web("sup_a").get("/exchange/").status_code == 200
