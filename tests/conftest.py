"""Shared fixtures: real reference data, a small network, one user per role, and API clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from calaim.accounts.models import ApiToken, Role, User
from calaim.core.clock import plan_today
from calaim.network.models import Organization
from calaim.plans.models import Plan
from calaim.plans.refcache import reference_cache_clear
from calaim.referrals.models import LoopTransition
from calaim.workflows.reference import reference_data_load
from tests.factories import MemberFactory, OrganizationFactory, UserFactory, ecm_contract


@dataclass
class Network:
    hpsj: Organization
    hpsm: Organization
    provider_a: Organization  # ECM provider in San Joaquin, speaks en/es
    provider_b: Organization  # ECM provider in San Joaquin, speaks en/vi
    provider_m: Organization  # ECM provider in San Mateo (HPSM)
    clinic: Organization  # PCP clinic affiliated with provider_b
    cbo: Organization
    kaiser: Organization
    users: dict[str, User]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness protects real passwords; test users need none of it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The reference data loaded once into each worker's test database (half a second a test on PostgreSQL when
    every test loaded it); each test's transaction then rolls back whatever it changed."""
    with django_db_blocker.unblock():
        reference_data_load()


@pytest.fixture(scope="session")
def _worker_data_dir(tmp_path_factory: Any) -> Any:
    return tmp_path_factory.mktemp("calaim-data")


@pytest.fixture(autouse=True)
def _private_data_dir(settings: Any, _worker_data_dir: Any) -> None:
    # Each test worker its own data folder: two workers writing the demo's roster file under one shared folder
    # read each other's bytes ("The file changed after it was offered").
    settings.CALAIM_DATA_DIR = _worker_data_dir


@pytest.fixture(autouse=True)
def _reference_cache_fresh() -> None:
    # A test's reference rows roll back without a signal: no test may read another's cached rows.
    reference_cache_clear()


@pytest.fixture
def reference(db: Any) -> None:
    # A transactional test (transaction=True) empties every table when it ends; load the data again after one.
    if not (Plan.objects.exists() and LoopTransition.objects.exists()):
        reference_data_load()


@pytest.fixture
def network(reference: None) -> Network:
    hpsj = OrganizationFactory(name="Health Plan of San Joaquin", kind="plan", plan=Plan.objects.get(code="HPSJ"))
    hpsm = OrganizationFactory(name="Health Plan of San Mateo", kind="plan", plan=Plan.objects.get(code="HPSM"))
    provider_a = OrganizationFactory(name="Alpha Care Partners")
    provider_b = OrganizationFactory(name="Bravo Health Navigators")
    provider_m = OrganizationFactory(name="Mateo ECM Collaborative")
    ecm_contract(provider_a, "HPSJ", ["San Joaquin", "Stanislaus"], languages=["en", "es"])
    ecm_contract(provider_b, "HPSJ", ["San Joaquin"], languages=["en", "vi"])
    ecm_contract(provider_m, "HPSM", ["San Mateo"])
    clinic = OrganizationFactory(name="Valley PCP Clinic", kind="pcp_clinic", ecm_affiliate=provider_b)
    cbo = OrganizationFactory(name="Delta Food Bank", kind="cbo")
    kaiser = OrganizationFactory(name="Kaiser Permanente", kind="delegate", code="KAISER")
    users = {
        "intake": UserFactory(username="intake", role=Role.PLAN_INTAKE, organization=hpsj),
        "um": UserFactory(username="um", role=Role.PLAN_UM, organization=hpsj),
        "member_services": UserFactory(username="ms", role=Role.MEMBER_SERVICES, organization=hpsj),
        "hpsm_intake": UserFactory(username="hpsm_intake", role=Role.PLAN_INTAKE, organization=hpsm),
        "hpsm_um": UserFactory(username="hpsm_um", role=Role.PLAN_UM, organization=hpsm),
        "cm_a": UserFactory(username="cm_a", role=Role.PROVIDER_CARE_MANAGER, organization=provider_a),
        "cm_a2": UserFactory(username="cm_a2", role=Role.PROVIDER_CARE_MANAGER, organization=provider_a),
        "sup_a": UserFactory(username="sup_a", role=Role.PROVIDER_SUPERVISOR, organization=provider_a),
        "cm_b": UserFactory(username="cm_b", role=Role.PROVIDER_CARE_MANAGER, organization=provider_b),
        "referrer": UserFactory(username="dr_pcp", role=Role.REFERRER, organization=clinic),
        "referrer_cbo": UserFactory(username="cbo_worker", role=Role.REFERRER, organization=cbo),
    }
    return Network(hpsj, hpsm, provider_a, provider_b, provider_m, clinic, cbo, kaiser, users)


@pytest.fixture
def member(network: Network) -> Any:
    return MemberFactory(experiencing_homelessness=True, language="es")


class Api:
    """A JSON client acting as one user through a real API token."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, raw = ApiToken.issue(user=user, name="test")
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api{path}", params, headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            f"/api{path}", body or {}, content_type="application/json", headers={**self.headers, **(headers or {})}
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/api{path}", headers=self.headers)


@pytest.fixture
def api(network: Network) -> Any:
    cache: dict[str, Api] = {}

    def as_user(name: str | None) -> Api:
        key = name or "anonymous"
        if key not in cache:
            cache[key] = Api(network.users[name] if name else None)
        return cache[key]

    return as_user


@pytest.fixture
def web(network: Any) -> Any:
    """A browser client for a named user, signed in and verified the way django_otp.login records it."""
    cache: dict[str, Client] = {}

    def as_user(name: str | None) -> Client:
        key = name or "anonymous"
        if key not in cache:
            client = Client()
            if name is not None:
                user = network.users[name]
                device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
                client.force_login(user)
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
            cache[key] = client
        return cache[key]

    return as_user


def referral_body(member: Any, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "member_cin": member.cin,
        "member_birth_date": member.birth_date.isoformat(),
        "source_type": "pcp",
        "form": "ecm_adult",
        "referrer_name": "Dr. Rivera",
        "referrer_npi": "1234567890",
        "member_aware": True,
        "attested_by": "Dr. Rivera",
        "attested_on": plan_today().isoformat(),
        "pof_attestations": [
            {
                "pof": "A1",
                "criteria": ["homeless", "complex_need"],
                "facts": "Sleeping in car; CHF with 3 missed visits",
            }
        ],
    }
    body.update(overrides)
    return body
