"""Demo people: one sign-in per role plus the officers and managers who own actions.

Names are fictional. The password is for local demos only (DEMO_PASSWORD overrides it).
"""

from __future__ import annotations

import os

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Role, User

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "improve-demo-only")

# username, first name, last name, job title, role
PEOPLE = [
    ("chair", "Alex", "Morgan", "Independent chair, Improvement Board", Role.BOARD_MEMBER),
    ("adviser", "Priya", "Shah", "DfE improvement adviser", Role.BOARD_MEMBER),
    ("cllr", "Chris", "Doyle", "Lead member for children's services", Role.BOARD_MEMBER),
    ("lead", "Jordan", "Reeve", "Head of improvement", Role.IMPROVEMENT_LEAD),
    ("admin", "Casey", "Lee", "Systems administrator", Role.ADMINISTRATOR),
    ("officer", "Sam", "Patel", "Service manager, First Response", Role.OFFICER),
    ("nhussain", "Nadia", "Hussain", "Head of quality assurance", Role.OFFICER),
    ("tfletcher", "Tom", "Fletcher", "Service manager, children in care", Role.OFFICER),
    ("gokafor", "Grace", "Okafor", "Workforce development lead", Role.OFFICER),
    ("bcarter", "Ben", "Carter", "Head of early help", Role.OFFICER),
    ("eward", "Ellie", "Ward", "Service manager, leaving care", Role.OFFICER),
    ("mprice", "Martin", "Price", "Service manager, disabled children", Role.OFFICER),
    ("hmarsh", "Helen", "Marsh", "Assistant director, children's social care", Role.OFFICER),
    ("dkhan", "David", "Khan", "Assistant director, partnerships", Role.OFFICER),
]

SIGN_INS = ["chair", "officer", "lead", "admin"]


@transaction.atomic
def load(**kwargs) -> dict[str, User]:
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    people = {}
    for username, first, last, title, role in PEOPLE:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "job_title": title,
                "email": f"{username}@medway.example",
                "is_staff": role == Role.ADMINISTRATOR,
                "is_superuser": role == Role.ADMINISTRATOR,
            },
        )
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.set([groups[role.value]])
        people[username] = user
    return people


def sign_in_lines() -> list[str]:
    roles = {username: role for username, *_, role in PEOPLE}
    return [
        f"  {roles[name].label:<17} username {name:<8} password {DEMO_PASSWORD}"
        for name in SIGN_INS
    ]
