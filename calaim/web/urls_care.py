"""Web routes for the care plan, tasks and care team; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import care

urlpatterns: list[URLPattern] = [
    path("enrollments/<uuid:enrollment_id>/care-plan/", care.care_plan_create, name="care_plan_create"),
    path("care-plans/<uuid:care_plan_id>/review/", care.care_plan_review, name="care_plan_review"),
    path("care-plans/<uuid:care_plan_id>/goals/", care.goal_add, name="goal_add"),
    path("goals/<uuid:goal_id>/status/", care.goal_status, name="goal_status"),
    path("goals/<uuid:goal_id>/interventions/", care.intervention_add, name="intervention_add"),
    path("interventions/<uuid:intervention_id>/status/", care.intervention_status, name="intervention_status"),
    path("enrollments/<uuid:enrollment_id>/tasks/", care.task_create, name="task_create"),
    path("tasks/<uuid:task_id>/start/", care.task_start, name="task_start"),
    path("tasks/<uuid:task_id>/complete/", care.task_complete, name="task_complete"),
    path("tasks/<uuid:task_id>/cancel/", care.task_cancel, name="task_cancel"),
    path("members/<uuid:member_id>/care-team/", care.care_team_add, name="care_team_add"),
    path("care-team/<uuid:person_id>/remove/", care.care_team_remove, name="care_team_remove"),
]
