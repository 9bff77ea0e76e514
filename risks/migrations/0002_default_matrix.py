"""Medway's default risk matrix, as its 2019 cabinet report rates risks ("B2", "C3").

Likelihood A (very high) to F (almost impossible) by impact 1 (catastrophic) to 4
(negligible); A1 is the worst. Councils change all of this in the admin (Risk matrices).
"""

from django.db import migrations

NAME = "Medway corporate risk matrix"

# code, label, score (used only by numeric formats); listed worst first (rank 1).
LIKELIHOODS = [
    ("A", "Very high", 6),
    ("B", "High", 5),
    ("C", "Significant", 4),
    ("D", "Low", 3),
    ("E", "Very low", 2),
    ("F", "Almost impossible", 1),
]
IMPACTS = [
    ("1", "Catastrophic", 4),
    ("2", "Critical", 3),
    ("3", "Marginal", 2),
    ("4", "Negligible", 1),
]
# Rows are likelihood A to F, columns impact 1 to 4.
COLOURS = """
A  red    red    amber  green
B  red    red    amber  green
C  red    amber  amber  green
D  amber  amber  green  green
E  amber  green  green  green
F  amber  green  green  green
"""


def create(apps, schema_editor):
    RiskMatrix = apps.get_model("risks", "RiskMatrix")
    LikelihoodLevel = apps.get_model("risks", "LikelihoodLevel")
    ImpactLevel = apps.get_model("risks", "ImpactLevel")
    MatrixCell = apps.get_model("risks", "MatrixCell")
    if RiskMatrix.objects.filter(name=NAME).exists():
        return
    matrix = RiskMatrix.objects.create(
        name=NAME,
        is_active=not RiskMatrix.objects.filter(is_active=True).exists(),
        rating_format="codes",
        description="Likelihood A (very high) to F (almost impossible) by impact 1 "
        "(catastrophic) to 4 (negligible). A1 is the worst rating.",
    )
    likelihoods = {
        code: LikelihoodLevel.objects.create(
            matrix=matrix, code=code, label=label, rank=rank, score=score
        )
        for rank, (code, label, score) in enumerate(LIKELIHOODS, start=1)
    }
    impacts = [
        ImpactLevel.objects.create(matrix=matrix, code=code, label=label, rank=rank, score=score)
        for rank, (code, label, score) in enumerate(IMPACTS, start=1)
    ]
    for line in COLOURS.strip().splitlines():
        code, *colours = line.split()
        for impact, colour in zip(impacts, colours, strict=True):
            MatrixCell.objects.create(likelihood=likelihoods[code], impact=impact, colour=colour)


def remove(apps, schema_editor):
    apps.get_model("risks", "RiskMatrix").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
