"""The six risks of Medway's cabinet report of 3 September 2019 (seed 002), with their
ratings, descriptions and mitigations in the report's own words, on the default matrix.

The report gives no owners, target ratings, appetites or review dates: those are demo
choices (owners from accounts.demo, targets one step better, review dates around today so
that some reviews are overdue), as are the links to plan actions.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from actions.models import Action
from risks.models import Colour, ImpactLevel, LikelihoodLevel, Risk, RiskMatrix, RiskRating

MATRIX = "Medway corporate risk matrix"
RATED_ON = dt.date(2019, 9, 3)

# reference, title, description, mitigation, rating, target, owner, appetite,
# review (days from today), actions, causes, consequences
RISKS = [
    (
        "R1",
        "Actions are not implemented in a timely manner",
        "If the actions within the Action Plan are not implemented in a timely manner then Medway's vulnerable children & young people may remain at risk or living in situations of harm",
        "The Improvement Board will monitor progress and will hold people to account if progress is not positive",
        "B2",
        "D2",
        "lead",
        Colour.AMBER,
        -12,
        ["3.1", "4.4"],
        "The actions within the Action Plan are not implemented in a timely manner.",
        "Medway's vulnerable children & young people may remain at risk or living in situations of harm.",
    ),
    (
        "R2",
        "Resource is not in place to deliver rapid improvement",
        "The authority cannot evidence it is sufficiently strong to maintain the necessary long-term sustainable improvement to Children's Social Care",
        "The Local Authority and its partners will commit to support the improvement journey",
        "C3",
        "D3",
        "hmarsh",
        Colour.AMBER,
        20,
        ["2.1"],
        "",
        "",
    ),
    (
        "R3",
        "The Council loses control of Children's Social Care Services.",
        "In cases of persistent or systemic failure there is a presumption that children's social care services should be removed from local authority control, for a period of time, in order to bring about sustainable improvement, unless there are compelling reasons not to do so",
        "The leadership of the council will prioritise the needs of children. This will be reflected in corporate decision-making, action and active attendance at key committees and boards\n\n"
        "The chief executive and lead member will ensure they are well informed and will hold the DCS and their leadership team to account for the quality of practice and the challenges in the local area\n\n"
        "Strategic leaders will ensure that relationships with key partners including the health community, the police, schools, Cafcass and the family courts provide a helpful and effective context for social workers and practitioners to work effectively with children and families\n\n"
        "The local authority will continue to be an active, strong and committed corporate parent – in line with the corporate parenting principles",
        "C3",
        "E3",
        "hmarsh",
        Colour.AMBER,
        45,
        ["3.1", "3.6"],
        "",
        "",
    ),
    (
        "R4",
        "Recruitment & retention",
        "Issues relating to recruitment & retention of Social Workers increase due to the Ofsted judgement",
        "Introduce an engagement forum to support staff, ensure they feel valued and have a voice",
        "C3",
        "D3",
        "gokafor",
        Colour.AMBER,
        -3,
        ["2.3", "2.5", "2.7", "2.8"],
        "",
        "",
    ),
    (
        "R5",
        "Financial Implications",
        "Improving Children's Services will bring with it financial implications. This will create additional budget pressures for the authority",
        "Maximise the use of the skills and expertise of colleagues within the council to improve Children's Services as opposed to commissioning external consultants\n\n"
        "Continue engagement with Partners in Practice to learn best practice and introduce this in Medway",
        "B2",
        "C3",
        "dkhan",
        Colour.AMBER,
        30,
        [],
        "",
        "",
    ),
    (
        "R6",
        "Caseloads",
        "Whilst additional resource has been introduced to reduce caseloads, there is a risk that the published judgement will bring with it an increase in the number of referrals, which will require further Social Work resource",
        "Ensure engagement with partners is increased and discussions regarding the outcome take place to reassure them that safeguarding children is a priority for Medway",
        "C2",
        "D3",
        "officer",
        Colour.AMBER,
        60,
        ["2.1", "2.2", "5.1"],
        "",
        "",
    ),
]


@transaction.atomic
def load(*, today: dt.date | None = None, **kwargs) -> dict[str, Risk]:
    today = today or timezone.localdate()
    matrix = RiskMatrix.objects.get(name=MATRIX)
    likelihoods = {level.code: level for level in LikelihoodLevel.objects.filter(matrix=matrix)}
    impacts = {level.code: level for level in ImpactLevel.objects.filter(matrix=matrix)}
    people = {u.username: u for u in User.objects.all()}
    actions = {a.reference: a for a in Action.objects.all()}
    recorder = people["lead"]
    risks = {}
    for (reference, title, description, mitigation, rating, target, owner, appetite,
         review_in, action_refs, causes, consequences) in RISKS:  # fmt: skip
        levels = {
            "likelihood": likelihoods[rating[0]],
            "impact": impacts[rating[1:]],
            "target_likelihood": likelihoods[target[0]],
            "target_impact": impacts[target[1:]],
        }
        risk, _ = Risk.objects.update_or_create(
            reference=reference,
            defaults={
                "title": title,
                "description": description,
                "mitigation": mitigation,
                "causes": causes,
                "consequences": consequences,
                "owner": people[owner],
                "appetite": appetite,
                "review_date": today + dt.timedelta(days=review_in),
                "status": "open",
                **levels,
            },
        )
        risk.actions.set([actions[ref] for ref in action_refs if ref in actions])
        if not risk.ratings.exists():
            RiskRating.objects.create(
                risk=risk,
                rated_on=RATED_ON,
                recorded_by=recorder,
                note="Rated in the cabinet report of 3 September 2019.",
                **levels,
            )
        risks[reference] = risk
    return risks
