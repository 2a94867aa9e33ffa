"""Demo care plans and tasks for enrolled members, written through the real services (so the audit trail is
real); a few dates are then moved back so the worklists show overdue tasks and reviews."""

from __future__ import annotations

import datetime as dt
from random import Random

from calaim.accounts.models import User
from calaim.careplans import care_plan_services as plans
from calaim.careplans.models import CarePlan, Task
from calaim.careplans.services import care_team_add, task_create
from calaim.core.clock import plan_today
from calaim.ecm.models import Enrollment

# (domain, the goal in the member's words, [(intervention, who: "me" / a name / "pcp", frequency)])
GOALS = [
    (
        "housing",
        "I want a place of my own before winter.",
        [("Complete the coordinated entry assessment", "me", ""), ("Apply for a housing voucher", "me", "")],
    ),
    (
        "physical_health",
        "I want my sugar under control so I can keep working.",
        [("Check blood sugar and log it", "Member", "daily"), ("Review A1c and medications", "pcp", "every 3 months")],
    ),
    (
        "behavioral_health",
        "I want to sleep through the night and feel less worried.",
        [("Connect to county behavioral health for therapy", "me", ""), ("Check in by phone", "me", "weekly")],
    ),
    (
        "food",
        "I want enough food for me and my kids every week.",
        [("Apply for CalFresh", "me", ""), ("Enroll in the medically tailored meals program", "me", "")],
    ),
    (
        "social",
        "I want to see my grandkids more.",
        [("Arrange rides to family visits", "Daughter (Rosa)", "monthly")],
    ),
]

TASKS = [
    ("appointment", "Cardiology follow-up at the county clinic"),
    ("medication_review", "Medication review and 90-day refills with the pharmacist"),
    ("transportation", "Book the NEMT ride for Thursday's dialysis"),
    ("community_referral", "Refer to the food bank's home delivery"),
    ("discharge_follow_up", "Call within 7 days of the hospital discharge"),
]


def _goals(worker: User, plan: CarePlan, rng: Random, today: dt.date) -> None:
    for domain, words, interventions in rng.sample(GOALS, k=rng.randint(2, 3)):
        goal = plans.goal_add(
            actor=worker,
            care_plan=plan,
            description=words,
            domain=domain,
            target_date=today + dt.timedelta(days=rng.choice([60, 90, 180])),
        )
        for n, (what, who, frequency) in enumerate(interventions):
            pcp = plan.member.care_team.filter(role="pcp", active=True).first()
            team_id = pcp.pk if who == "pcp" and pcp else None
            username = worker.username if who == "me" else None
            item = plans.intervention_add(
                actor=worker,
                goal=goal,
                description=what,
                responsible_username=username,
                responsible_care_team_member_id=team_id,
                responsible_name="" if team_id or username else who.replace("pcp", "The member's PCP"),
                due_date=None if frequency else today + dt.timedelta(days=7 * (n + 1)),
                frequency=frequency,
            )
            if rng.random() < 0.4:
                plans.intervention_update_status(actor=worker, intervention=item, status="in-progress")
        if rng.random() < 0.2:
            plans.goal_update_status(actor=worker, goal=goal, status="met", note="Member confirmed.")


def _tasks(worker: User, enrollment: Enrollment, rng: Random, today: dt.date) -> None:
    for kind, description in TASKS:
        task = task_create(
            actor=worker,
            enrollment=enrollment,
            kind=kind,
            due_date=today + dt.timedelta(days=rng.randint(0, 14)),
            description=description,
            owner=worker.username if rng.random() < 0.8 else None,
        )
        if rng.random() < 0.3:  # missed: overdue in the worklist
            Task.objects.filter(pk=task.pk).update(due_date=today - dt.timedelta(days=rng.randint(1, 10)))


def demo_care_plan_create(*, worker: User, enrollment: Enrollment) -> CarePlan:
    """A care plan with goals and interventions, a pharmacist on the care team, and a task of each kind."""
    rng = Random(enrollment.member.cin)  # its own stream, so the lifecycle's draws stay as they were
    today = plan_today()
    if rng.random() < 0.5:
        care_team_add(actor=worker, member=enrollment.member, role="pharmacist", name="Sam Ortiz, PharmD")
    plan = plans.care_plan_create(
        actor=worker,
        enrollment=enrollment,
        next_review_on=today + dt.timedelta(days=90),
        summary="Wants stable housing first; strong support from family; prefers calls in the afternoon.",
    )
    _goals(worker, plan, rng, today)
    _tasks(worker, enrollment, rng, today)
    if rng.random() < 0.2:  # a plan whose quarterly review was missed
        CarePlan.objects.filter(pk=plan.pk).update(
            last_reviewed_on=today - dt.timedelta(days=120), next_review_on=today - dt.timedelta(days=30)
        )
    return plan
