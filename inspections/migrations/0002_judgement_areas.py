import datetime as dt

from django.db import migrations

# The canonical judgement areas of the ILACS framework. The 2018 framework judged children
# in care and care leavers together; from 2023 they are judged separately.
AREAS = [
    ("overall", "Overall effectiveness", "Overall effectiveness", 0, True, None, None),
    (
        "leaders",
        "The impact of leaders on social work practice with children and families",
        "Impact of leaders",
        1,
        False,
        None,
        None,
    ),
    (
        "help-and-protection",
        "The experiences and progress of children who need help and protection",
        "Help and protection",
        2,
        False,
        None,
        None,
    ),
    (
        "children-in-care-and-care-leavers",
        "The experiences and progress of children in care and care leavers",
        "Children in care and care leavers",
        3,
        False,
        None,
        dt.date(2023, 1, 1),
    ),
    (
        "children-in-care",
        "The experiences and progress of children in care",
        "Children in care",
        4,
        False,
        dt.date(2023, 1, 1),
        None,
    ),
    (
        "care-leavers",
        "The experiences and progress of care leavers",
        "Care leavers",
        5,
        False,
        dt.date(2023, 1, 1),
        None,
    ),
]


def create_areas(apps, schema_editor):
    JudgementArea = apps.get_model("inspections", "JudgementArea")
    for key, name, short, order, overall, introduced, retired in AREAS:
        JudgementArea.objects.update_or_create(
            key=key,
            defaults={
                "name": name,
                "short_name": short,
                "order": order,
                "is_overall": overall,
                "introduced_on": introduced,
                "retired_on": retired,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(create_areas, migrations.RunPython.noop)]
