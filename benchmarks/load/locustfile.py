"""The load: every role's reads and writes through the API with bearer tokens, and page reads with a session that
passed the second factor. Started by benchmarks/load/run.py (`locust --headless`), which prepares the data.

Each simulated person works on its own members (no two race for one referral), so every request is expected to
succeed: any answer other than the one expected counts as an error. Each write answered 2xx is appended to
LOAD_WRITES (JSON lines) so run.py can check afterwards that the database holds every one of them.

Environment: LOAD_CONFIG (prepare.py's JSON), LOAD_WRITES (the file of acknowledged writes), LOAD_RETRIES (requests
sent again after their connection closed before any answer, as a browser does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
from collections import deque
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from locust import HttpUser, between, task
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

CONFIG: dict[str, Any] = json.loads(Path(os.environ["LOAD_CONFIG"]).read_text())
WRITES = Path(os.environ["LOAD_WRITES"]).open("a", buffering=1)  # noqa: SIM115  (open for the whole run)
RETRIES = Path(os.environ["LOAD_RETRIES"]).open("a", buffering=1)  # noqa: SIM115
PROXY = {"X-Forwarded-Proto": "https"}  # what the TLS proxy in front adds
ECM_CANDIDATES = deque(CONFIG["ecm_candidates"])
CS_CANDIDATES = deque(CONFIG["cs_candidates"])
PAGE_USERS = itertools.cycle(CONFIG["page_users"])
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEMO_PASSWORD = "calaim-demo-2026"


def today() -> str:
    return dt.datetime.now(ZoneInfo("America/Los_Angeles")).date().isoformat()


def totp(key_hex: str, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows now (RFC 6238, SHA-1), as django-otp's TOTP devices check it."""
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", int(time.time()) // step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


class BrowserLikeRetry(Retry):
    """Send a request again, once, when its connection failed before any answer, as browsers do: a kept-alive
    connection the server closed (idle timeout, a recycled worker) just as the client reused it. Only GETs are
    sent again after the request went out; every retry is written to LOAD_RETRIES and reported."""

    def increment(self, method: str | None = None, url: str | None = None, *args: Any, **kwargs: Any) -> Retry:
        again = super().increment(method, url, *args, **kwargs)  # raises when the request is not sent again
        RETRIES.write(json.dumps({"method": method, "url": url, "error": repr(kwargs.get("error"))}) + "\n")
        return again


def browser_like(user: HttpUser) -> None:
    retry = BrowserLikeRetry(total=1, connect=1, read=1, status=0, other=0, allowed_methods={"GET"})
    user.client.mount("http://", HTTPAdapter(max_retries=retry))


def record(kind: str, object_id: str, **expect: Any) -> None:
    WRITES.write(json.dumps({"kind": kind, "id": object_id, **expect}) + "\n")


class ApiUser(HttpUser):
    """A person using the API through bearer tokens; `call` checks the status and names the request by its kind."""

    abstract = True
    wait_time = between(1, 3)

    def on_start(self) -> None:
        browser_like(self)

    def call(
        self, who: str, method: str, path: str, name: str, body: Any = None, expect: tuple[int, ...] = (200,)
    ) -> Any:
        headers = {**PROXY, "Authorization": f"Bearer {CONFIG['tokens'][who]}"}
        with self.client.request(
            method, f"/api{path}", json=body, headers=headers, name=name, catch_response=True
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code} {response.text[:300]}")
                return None
            response.success()
            return response.json() if response.text else None

    def member(self, plan: str | None = None) -> dict[str, str]:
        members = [m for m in CONFIG["members"] if plan is None or m["plan"] == plan]
        return random.choice(members)


class EcmPipeline(ApiUser):
    """A referral through to enrollment: referrer, intake, UM, intake, supervisor, care manager, each with its role."""

    weight = 12

    @task
    def referral_to_enrollment(self) -> None:
        if not ECM_CANDIDATES:
            self.read_queue()
            return
        member = ECM_CANDIDATES.popleft()
        staff = CONFIG["plans"][member["plan"]]
        body = {
            "member_cin": member["cin"],
            "member_birth_date": member["birth_date"],
            "source_type": "pcp",
            "form": "ecm_adult",
            "referrer_name": "Load Run",
            "member_aware": True,
            "attested_by": "Load Run",
            "attested_on": today(),
            "pof_attestations": [{"pof": "A1", "criteria": ["homeless", "complex_need"], "facts": "Sleeping in car"}],
        }
        referral = self.call(staff["referrer"], "POST", "/referrals", "POST /referrals", body, expect=(201,))
        if referral is None:
            return
        record("referral", referral["id"])
        self.call(staff["referrer"], "GET", f"/referrals/{referral['id']}", "GET /referrals/{id}")
        self.wait()
        path = f"/referrals/{referral['id']}/eligibility-determination"
        determination = self.call(staff["intake"], "POST", path, "POST eligibility-determination", expect=(201,))
        if determination is None:
            return
        record("determination", determination["id"])
        if determination["outcome"] != "eligible":
            return
        self.wait()
        found = self.call(staff["um"], "GET", f"/authorizations?member_id={member['id']}", "GET /authorizations?member")
        ours = [a for a in (found or {}).get("items", []) if a["referral_id"] == referral["id"]]
        if not ours:
            return
        authorization = ours[0]
        decided = self.call(
            staff["um"],
            "POST",
            f"/authorizations/{authorization['id']}/decision",
            "POST decision",
            {"outcome": "approve", "reason": "Meets A1"},
        )
        if decided is None:
            return
        record("decision", authorization["id"], status=decided["status"])
        self.wait()
        self.assign_and_enroll(staff, referral["id"], member)

    def assign_and_enroll(self, staff: dict[str, str], referral_id: str, member: dict[str, str]) -> None:
        path = f"/referrals/{referral_id}/assignment"
        enrollment = self.call(staff["intake"], "POST", path, "POST assignment", {}, expect=(201,))
        if enrollment is None:
            return
        record("assignment", enrollment["id"])
        provider = CONFIG["providers"][enrollment["provider_id"]]
        cm = provider["cms"][0]
        self.wait()
        path = f"/enrollments/{enrollment['id']}/lead-care-manager"
        if self.call(provider["supervisor"], "POST", path, "POST lead-care-manager", {"care_manager": cm}) is None:
            return
        record("lead_care_manager", enrollment["id"], username=cm)
        self.wait()
        attempt = {"attempted_on": today(), "method": "phone", "reached": True, "minutes_spent": 20}
        path = f"/enrollments/{enrollment['id']}/outreach-attempts"
        outreach = self.call(cm, "POST", path, "POST outreach-attempts", attempt, expect=(201,))
        if outreach is None:
            return
        record("outreach", outreach["id"])
        path = f"/enrollments/{enrollment['id']}/enroll"
        if self.call(cm, "POST", path, "POST enroll", {"enrolled_on": today()}) is None:
            return
        record("enroll", enrollment["id"])
        self.call(cm, "GET", f"/tasks?member_id={member['id']}", "GET /tasks?member")
        self.call(staff["referrer"], "GET", f"/referrals/{referral_id}", "GET /referrals/{id}")

    def read_queue(self) -> None:
        staff = CONFIG["plans"][random.choice(list(CONFIG["plans"]))]
        self.call(staff["intake"], "GET", "/referrals?status=received", "GET /referrals?status")


class CsPipeline(ApiUser):
    """Community Supports: the hospital refers recuperative care, UM approves, the provider records the stay."""

    weight = 4

    @task
    def recuperative_care(self) -> None:
        cs = CONFIG["cs"]
        staff = CONFIG["plans"][cs["plan"]]
        if not CS_CANDIDATES:
            self.call(cs["provider"], "GET", "/community-supports/requests", "GET /community-supports/requests")
            return
        member = CS_CANDIDATES.popleft()
        start = dt.date.fromisoformat(today())
        body = {
            "member_cin": member["cin"],
            "member_birth_date": member["birth_date"],
            "source_type": "hospital_transition_of_care",
            "referrer_name": "RN Load",
            "member_aware": True,
            "attested_by": "RN Load",
            "attested_on": start.isoformat(),
            "services": [
                {
                    "service_code": "recuperative_care",
                    "justification": "IV antibiotics, no home",
                    "criteria": ["needs_recovery_care"],
                    "requested_start": start.isoformat(),
                    "requested_end": (start + dt.timedelta(days=13)).isoformat(),
                }
            ],
        }
        created = self.call(cs["toc"], "POST", "/community-supports/requests", "POST cs requests", body, expect=(201,))
        if not created:
            return
        request = created[0]
        record("cs_request", request["id"])
        self.wait()
        if request["status"] == "pending_authorization":
            path = f"/authorizations/{request['authorization_id']}/decision"
            decided = self.call(staff["um"], "POST", path, "POST decision", {"outcome": "approve"})
            if decided is None:
                return
            record("decision", request["authorization_id"], status=decided["status"])
            self.wait()
        elif request["status"] != "authorized":
            return
        request = self.call(cs["toc"], "GET", f"/community-supports/requests/{request['id']}", "GET cs request")
        if not request or not request["provider_id"]:
            return  # every bed of the service's providers is taken: the request waits for a place
        stay = {"start_date": start.isoformat(), "end_date": start.isoformat(), "units": 1, "cost": "180.00"}
        path = f"/community-supports/requests/{request['id']}/deliveries"
        delivery = self.call(cs["provider"], "POST", path, "POST cs deliveries", stay, expect=(201,))
        if delivery is None:
            return
        record("cs_delivery", delivery["id"])
        self.wait()
        # The member is discharged: the stay ends and the bed is free for the next one.
        path = f"/community-supports/requests/{request['id']}/close"
        closed = self.call(cs["provider"], "POST", path, "POST cs close", {"reason": "Discharged to housing"})
        if closed is not None:
            record("cs_close", request["id"], status=closed["status"])


class CareManager(ApiUser):
    """A provider's care manager working a caseload: reads, outreach, the care team and tasks."""

    weight = 10

    def on_start(self) -> None:
        super().on_start()
        staffed = [p for p in CONFIG["providers"].values() if p["enrollments"] and p["cms"]]
        self.provider = random.choice(staffed)
        self.cm = random.choice(self.provider["cms"])

    @task(4)
    def caseload(self) -> None:
        self.call(self.cm, "GET", "/enrollments", "GET /enrollments")
        enrollment = random.choice(self.provider["enrollments"])
        self.call(self.cm, "GET", f"/members/{enrollment['member_id']}", "GET /members/{id}")
        self.call(self.cm, "GET", f"/tasks?member_id={enrollment['member_id']}", "GET /tasks?member")
        path = f"/enrollments/{enrollment['id']}/outreach-attempts"
        self.call(self.cm, "GET", path, "GET outreach-attempts")

    @task(2)
    def outreach(self) -> None:
        enrollment = random.choice(self.provider["enrollments"])
        attempt = {"attempted_on": today(), "method": "in_person", "reached": False, "minutes_spent": 15}
        path = f"/enrollments/{enrollment['id']}/outreach-attempts"
        created = self.call(self.cm, "POST", path, "POST outreach-attempts", attempt, expect=(201,))
        if created:
            record("outreach", created["id"])

    @task(1)
    def care_team(self) -> None:
        enrollment = random.choice(self.provider["enrollments"])
        person = {"role": "social_services", "name": "Load Worker", "organization_name": "County", "phone": ""}
        path = f"/members/{enrollment['member_id']}/care-team"
        created = self.call(self.cm, "POST", path, "POST care-team", person, expect=(201,))
        if created:
            record("care_team", created["id"])

    @task(1)
    def new_task(self) -> None:
        enrollment = random.choice(self.provider["enrollments"])
        body = {"kind": "appointment", "description": "Load run follow-up", "due_date": today()}
        created = self.call(self.cm, "POST", f"/enrollments/{enrollment['id']}/tasks", "POST tasks", body, (201,))
        if created:
            record("task", created["id"])


class PlanStaff(ApiUser):
    """Plan intake, UM, member services and compliance reading their queues and members."""

    weight = 14

    def on_start(self) -> None:
        super().on_start()
        self.plan = random.choice(list(CONFIG["plans"]))
        self.staff = CONFIG["plans"][self.plan]

    @task(3)
    def member_lookup(self) -> None:
        member = self.member(self.plan)
        ms = self.staff["member_services"]
        self.call(ms, "GET", f"/members?q={member['last_name']}", "GET /members?q")
        self.call(ms, "GET", f"/members/{member['id']}", "GET /members/{id}")
        self.call(ms, "GET", f"/members/{member['id']}/care-team", "GET care-team")

    @task(1)
    def cs_options(self) -> None:
        member = self.member(self.plan)
        path = f"/members/{member['id']}/community-supports"
        self.call(self.staff["member_services"], "GET", path, "GET member community-supports")

    @task(2)
    def um_queue(self) -> None:
        self.call(self.staff["um"], "GET", "/authorizations?overdue=true", "GET /authorizations?overdue")
        self.call(self.staff["um"], "GET", "/authorizations", "GET /authorizations")

    @task(2)
    def intake_queue(self) -> None:
        self.call(self.staff["intake"], "GET", "/referrals?status=received", "GET /referrals?status")
        member = self.member(self.plan)
        path = f"/members/{member['id']}/eligibility?on={today()}"
        self.call(self.staff["intake"], "GET", path, "GET member eligibility")

    @task(1)
    def audit(self) -> None:
        member = self.member(self.plan)
        self.call(self.staff["intake"], "GET", f"/members/{member['id']}/audit-events", "GET audit-events")
        self.call(self.staff["compliance"], "GET", "/phi-reads", "GET /phi-reads")


class Referrer(ApiUser):
    """A clinic's referral coordinator following their referrals' closed loop."""

    weight = 5

    @task
    def follow_up(self) -> None:
        plan = random.choice(list(CONFIG["plans"]))
        referrer = CONFIG["plans"][plan]["referrer"]
        page = self.call(referrer, "GET", "/referrals", "GET /referrals")
        if page and page["items"]:
            referral = random.choice(page["items"])
            self.call(referrer, "GET", f"/referrals/{referral['id']}", "GET /referrals/{id}")
        self.call(referrer, "GET", "/reference/populations-of-focus", "GET reference")


class PageReader(HttpUser):
    """Staff on the web pages: signed in with password and authenticator code, then worklists, search, records.

    The session and CSRF cookies are Secure (production): sent by hand, since this client talks plain http to
    gunicorn the way the TLS proxy in front would.
    """

    weight = 5
    wait_time = between(2, 5)

    def on_start(self) -> None:
        browser_like(self)
        self.person = next(PAGE_USERS)
        self.cookies: dict[str, str] = {}
        self.sign_in()

    def page(self, method: str, path: str, name: str, data: dict[str, str] | None = None) -> Any:
        headers = {**PROXY, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method == "POST":
            headers["Origin"] = self.host.replace("http://", "https://")
            headers["Referer"] = headers["Origin"] + path
        with self.client.request(
            method, path, data=data, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            self.cookies.update(response.cookies.get_dict())
            expected = (302,) if method == "POST" else (200,)
            if response.status_code not in expected:
                response.failure(f"{response.status_code} at {path}")
            else:
                response.success()
            return response

    def sign_in(self) -> None:
        form = self.page("GET", "/login/", "page /login/")
        token = CSRF_FIELD.search(form.text)
        credentials = {"username": self.person["username"], "password": DEMO_PASSWORD}
        self.page("POST", "/login/", "page POST /login/", {**credentials, "csrfmiddlewaretoken": token.group(1)})
        form = self.page("GET", "/otp/verify/", "page /otp/verify/")
        token = CSRF_FIELD.search(form.text)
        code = totp(self.person["key"])
        verify = {"code": code, "csrfmiddlewaretoken": token.group(1)}
        self.page("POST", "/otp/verify/", "page POST /otp/verify/", verify)

    @task(2)
    def worklist(self) -> None:
        self.page("GET", "/", "page worklist")

    @task(2)
    def member_record(self) -> None:
        if self.person["plan"]:
            member = random.choice([m for m in CONFIG["members"] if m["plan"] == self.person["plan"]])
            self.page("GET", f"/members/search/?q={member['last_name']}", "page search")
        else:
            provider = CONFIG["providers"][self.person["org"]]
            if not provider["enrollments"]:
                return
            member = {"id": random.choice(provider["enrollments"])["member_id"]}
        self.page("GET", f"/members/{member['id']}/", "page member record")
