"""Demo staff logins: plan staff, ECM provider supervisors and care managers, referrers and one superuser,
all sharing one documented demo password."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from calaim.accounts.models import Role, User
from calaim.demo.network import CONTRACTS, ORGANIZATIONS
from calaim.network.models import Organization, OrganizationKind, Program

DEMO_PASSWORD = "calaim-demo-2026"
ADMIN_USERNAME = "admin"
# Referrers: a PCP clinic, a CBO and a hospital transition-of-care nurse, for each plan's area.
REFERRERS: tuple[tuple[str, str, str], ...] = (
    ("STOCKTONFH", "referrer", "Referral coordinator"),
    ("STOCKTONSHELTER", "referrer", "Case worker"),
    ("STOCKTONGEN", "toc", "Transition-of-care nurse"),
    ("PENINSULACC", "referrer", "Referral coordinator"),
    ("PENBAYHOSP", "toc", "Transition-of-care nurse"),
)
PLAN_STAFF: tuple[tuple[str, Role], ...] = (
    ("intake", Role.PLAN_INTAKE),
    ("um", Role.PLAN_UM),
    ("memberservices", Role.MEMBER_SERVICES),
    ("compliance", Role.PLAN_COMPLIANCE),
    ("data", Role.PLAN_DATA_ANALYST),
    ("appeals", Role.PLAN_APPEALS),
)
STAFF_NAMES: tuple[tuple[str, str], ...] = (
    ("Ana", "Ruiz"),
    ("Brian", "Okafor"),
    ("Carmen", "Delgado"),
    ("Dana", "Whitfield"),
    ("Elena", "Petrova"),
    ("Farah", "Haddad"),
    ("Grace", "Liu"),
    ("Hector", "Salazar"),
    ("Irene", "Castro"),
    ("Jamal", "Reed"),
    ("Kim", "Tran"),
    ("Lena", "Sandoval"),
    ("Marcus", "Bell"),
    ("Nadia", "Sidhu"),
    ("Oscar", "Medina"),
    ("Priya", "Grewal"),
    ("Quinn", "Harper"),
    ("Rosa", "Villanueva"),
    ("Sam", "Xiong"),
    ("Tasha", "Moore"),
    ("Uma", "Patel"),
    ("Victor", "Nguyen"),
    ("Wendy", "Lo"),
    ("Yolanda", "Fifita"),
)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    organization_code: str | None
    title: str


def _ecm_care_manager_counts() -> dict[str, int]:
    """Care managers per ECM provider: three where its contracted capacity reaches 250, else two."""
    capacity: dict[str, int] = {}
    for contract in CONTRACTS:
        if contract.program == Program.ECM and contract.end is None:
            capacity[contract.org] = capacity.get(contract.org, 0) + contract.capacity
    return {org: 3 if total >= 250 else 2 for org, total in capacity.items()}


def demo_login_specs() -> list[Login]:
    """Every demo login, in a stable order, with usernames derived from short organization codes."""
    logins = [Login(ADMIN_USERNAME, "", None, "Superuser")]
    for plan in ("HPSJ", "HPSM"):
        logins += [Login(f"{plan.lower()}.{suffix}", role, plan, role.label) for suffix, role in PLAN_STAFF]
    care_managers = _ecm_care_manager_counts()
    for spec in ORGANIZATIONS:
        if spec.kind != OrganizationKind.ECM_PROVIDER:
            continue
        slug = spec.code.lower()
        logins.append(Login(f"{slug}.supervisor", Role.PROVIDER_SUPERVISOR, spec.code, "ECM supervisor"))
        logins += [
            Login(f"{slug}.cm{n}", Role.PROVIDER_CARE_MANAGER, spec.code, "Care manager")
            for n in range(1, care_managers.get(spec.code, 2) + 1)
        ]
    for spec in ORGANIZATIONS:
        if spec.kind == OrganizationKind.CS_PROVIDER:
            logins.append(
                Login(
                    f"{spec.code.lower()}.coordinator", Role.PROVIDER_CARE_MANAGER, spec.code, "CS service coordinator"
                )
            )
    logins += [Login(f"{code.lower()}.{suffix}", Role.REFERRER, code, title) for code, suffix, title in REFERRERS]
    return logins


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, organization) for every demo login; all use the password DEMO_PASSWORD."""
    names = {spec.code: spec.name for spec in ORGANIZATIONS}
    return [
        (login.username, login.title, names.get(login.organization_code or "", "(all)")) for login in demo_login_specs()
    ]


def staff_create(organizations: dict[str, Organization]) -> int:
    """Create the demo logins that do not exist yet (an existing username is left untouched)."""
    password = make_password(DEMO_PASSWORD)  # hashed once: every demo login shares it
    existing = set(User.objects.values_list("username", flat=True))
    users = []
    for index, login in enumerate(demo_login_specs()):
        if login.username in existing:
            continue
        first, last = ("Demo", "Administrator") if index == 0 else STAFF_NAMES[index % len(STAFF_NAMES)]
        org = organizations[login.organization_code] if login.organization_code else None
        users.append(
            User(
                username=login.username,
                password=password,
                first_name=first,
                last_name=last,
                email=f"{login.username}@{(login.organization_code or 'calaim').lower()}.example.org",
                role=login.role,
                organization=org,
                is_staff=login.username == ADMIN_USERNAME,
                is_superuser=login.username == ADMIN_USERNAME,
            )
        )
    User.objects.bulk_create(users)
    return len(users)
