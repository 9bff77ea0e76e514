"""Medway's inspection history for the demo, from the documents in ../shared/seeds/.

Judgements, areas for improvement, areas covered and strengths use the seeds' wording.
Findings are our own short summaries of the letters.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from inspections.models import (
    AreaCovered,
    AreaForImprovement,
    Grade,
    Inspection,
    Judgement,
    JudgementArea,
    LocalAuthority,
    Strength,
)

LA_NAME = "Medway"

G = Grade

INSPECTIONS: list[dict] = [
    {
        "key": "ilacs-2019",
        "kind": Inspection.Kind.ILACS_STANDARD,
        "title": "Inspection of Medway local authority children's services",
        "start_date": dt.date(2019, 7, 15),
        "end_date": dt.date(2019, 7, 26),
        "published_date": dt.date(2019, 8, 27),
        "inspectors": [],
        "framework": "ILACS (2018)",
        "summary": (
            "Six Ofsted inspectors, with a quality assurance inspector for two days. Services "
            "were judged inadequate overall. The Department for Education issued a statutory "
            "direction and appointed a Children's Services Commissioner on 27 August 2019."
        ),
        "judgements": [
            (
                "leaders",
                "The impact of leaders on social work practice with children and families",
                G.INADEQUATE,
            ),
            (
                "help-and-protection",
                "The experiences and progress of children who need help and protection",
                G.INADEQUATE,
            ),
            (
                "children-in-care-and-care-leavers",
                "The experiences and progress of children in care and care leavers",
                G.REQUIRES_IMPROVEMENT,
            ),
            ("overall", "Overall effectiveness", G.INADEQUATE),
        ],
        "areas": [
            (
                "Senior managers' oversight",
                "Senior managers' oversight and understanding about vulnerable children's experiences, including through the quality, accuracy and effectiveness of audits",
            ),
            (
                "Staffing capacity",
                "Staffing capacity across children's social care, early help hubs and leaving care teams",
            ),
            (
                "Response to risk",
                "The response to risk for children who have experienced neglect, those exposed to parental domestic abuse and young people in danger of exploitation",
            ),
            (
                "Early help",
                "The coordination and management oversight of early help services to support children to receive the right help at the right time",
            ),
            (
                "Management oversight and supervision",
                "The quality and effectiveness of management oversight and supervision to make sure that children are protected from significant harm",
            ),
            (
                "Permanence planning",
                "The effectiveness of managers' formal permanence planning and decision-making at every point in the child's journey",
            ),
            (
                "Missing children",
                "The system for tracking children who go missing from home, care or education",
            ),
            (
                "Care leavers' services",
                "Services to help care leavers access suitable accommodation, education employment and training and to understand their rights and entitlements",
            ),
            (
                "Health services",
                "The strategic relationship with health services, and operational delivery across a range of health functions to support children and young people in care and care leavers",
            ),
            (
                "Fostering and adoption",
                "Leadership direction and assertive action to improve and develop the services to foster carers and prospective adopters.",
            ),
        ],
        "strengths": [
            "Marked improvements in the First Response Service since the Ofsted Focused Visit in February",
            "Early signs of improvements in our work in the area based social work teams (pods)",
            "Recruitment and retention of staff has been a key priority",
            "Social workers know children really well",
            "Stable foster placements and well supported carers",
            "Care leavers were unanimously positive about the support they get from their Personal Advisors",
            "Disabled children receive an effective service",
            "Virtual school – potential to improve education outcomes for Looked After Children",
            "Allegations made against professionals and the associated risks to children are managed well by the designated officer. The response to referrals is both prompt and proportionate. Outcomes are well recorded, with detailed analysis. This is a vast improvement since the previous inspection.",
        ],
        "covered": [],
    },
    {
        "key": "mv-2022-01",
        "kind": Inspection.Kind.MONITORING_VISIT,
        "title": "Monitoring visit: children in care and the impact of leaders",
        "start_date": dt.date(2022, 1, 25),
        "end_date": dt.date(2022, 1, 26),
        "published_date": dt.date(2022, 3, 1),
        "inspectors": ["Rachel Griffiths", "Andy Waugh"],
        "framework": "ILACS",
        "summary": (
            "The fourth monitoring visit since the inadequate judgement of August 2019. Steady "
            "progress for children in care, with the pace of change quickening in the last six "
            "months; practice still inconsistent, so not all children achieve permanence quickly."
        ),
        "judgements": [],
        "areas": [],
        "strengths": [],
        "covered": [
            (
                "Decision-making for children who come into care, including the effectiveness of pre-proceedings.",
                ("ilacs-2019", 6),
                "Pre-proceedings work has improved, with tracking and more legal and management "
                "oversight, but is not yet effective for every child; too many children already "
                "known to the service come into care in an emergency.",
            ),
            (
                "Permanence planning for children in care, including all permanence options.",
                ("ilacs-2019", 6),
                "All permanence options are now considered and more children have been matched "
                "with adopters and long-term carers, but delays remain for many children.",
            ),
            (
                "Help and support for children in care in relation to all aspects of their health and well-being.",
                ("ilacs-2019", 9),
                "Most children have up-to-date health and dental checks; help with emotional "
                "well-being and mental health is not yet timely for all, and pilots are too new "
                "to show impact.",
            ),
            (
                "The impact of leaders on practice, including quality assurance processes.",
                ("ilacs-2019", 1),
                "A stable, committed leadership team with an embedded audit and moderation "
                "process; the new recording system is not yet reporting data accurately.",
            ),
        ],
    },
    {
        "key": "mv-2022-05",
        "kind": Inspection.Kind.MONITORING_VISIT,
        "title": "Monitoring visit: care leavers and older children in care",
        "start_date": dt.date(2022, 5, 11),
        "end_date": dt.date(2022, 5, 12),
        "published_date": None,
        "inspectors": [],
        "framework": "ILACS",
        "summary": (
            "Inspectors found significant progress in support and care for young people in care "
            "and care leavers: a 16-plus service and a care-leaver hub, and a well-organised "
            "corporate parenting board. They named areas for continued focus."
        ),
        "judgements": [],
        "areas": [
            (
                "Transition planning",
                "Transition planning for older children in care for preparation of living more independently",
                ("ilacs-2019", 8),
            ),
            ("Safety plans", "The quality of written safety plans", ("ilacs-2019", 3)),
            ("Care leavers 21 plus", "The support to care leavers aged 21 plus", ("ilacs-2019", 8)),
            (
                "Pathway plans and trauma",
                "The effectiveness of pathway plans in identifying the impact of trauma on young people's emotional needs",
                None,
            ),
            (
                "Mental health support",
                "Mental health support available for care leavers and older children",
                ("ilacs-2019", 9),
            ),
            (
                "Accommodation for complex needs",
                "Sufficiency and choice of accommodation for young people with the most complex needs",
                ("ilacs-2019", 8),
            ),
        ],
        "strengths": [
            "A 16-plus service has been formed and a care-leaver hub has opened",
            "A well-organised corporate parenting board",
        ],
        "covered": [
            (
                "Services for care leavers and older children in care.",
                ("ilacs-2019", 8),
                "Significant progress: social workers and personal advisers are committed to "
                "young people, and support continues past 16 years.",
            ),
        ],
    },
    {
        "key": "ilacs-2023",
        "kind": Inspection.Kind.ILACS_STANDARD,
        "title": "Inspection of Medway local authority children's services",
        "start_date": dt.date(2023, 7, 17),
        "end_date": dt.date(2023, 7, 28),
        "published_date": dt.date(2023, 9, 11),
        "inspectors": [],
        "framework": "ILACS (2023)",
        "summary": (
            "Services for children and families have substantially improved since 2019. "
            "Overall effectiveness judged good: the first time in Medway's history."
        ),
        "judgements": [
            (
                "help-and-protection",
                "The experiences and progress of children who need help and protection",
                G.REQUIRES_IMPROVEMENT,
            ),
            (
                "children-in-care",
                "The experiences and progress of children in care",
                G.GOOD,
            ),
            (
                "care-leavers",
                "The experiences and progress of care leavers",
                G.GOOD,
            ),
            (
                "leaders",
                "The impact of leaders on social work practice with children and families",
                G.GOOD,
            ),
            ("overall", "Overall effectiveness", G.GOOD),
        ],
        "areas": [
            (
                "Support for adolescents",
                "The quality and impact of social work practice, specifically in the longer-term support provided to adolescents",
                None,
            ),
            (
                "Exploitation and risk outside the home",
                "The quality and effectiveness of assessments, plans, interventions and responses for children who are at risk of exploitation and/or risk outside of the home.",
                ("ilacs-2019", 3),
            ),
            (
                "Direct work and life-story work",
                "The quality and variety of direct work and life-story work available to children.",
                None,
            ),
            (
                "Disabled children",
                "The quality and consistency of assessments and planning to support disabled children.",
                None,
            ),
            (
                "Management oversight",
                "The quality and consistency of management oversight.",
                ("ilacs-2019", 5),
            ),
        ],
        "strengths": [
            "Most families receive the right support at the earliest opportunity and their situations improve",
            "Managers and social workers demonstrate a clear understanding of risk, and thresholds are applied appropriately",
            "The majority of children in care live in stable homes with carers who are nurturing, supportive and caring",
            "Personal advisers are strong advocates for their young people, and are committed to improving their lives",
            "Corporate and political leaders have addressed the systemic weaknesses and there is now a strong, determined and cohesive leadership team",
            "A robust and effective quality assurance process, strengthened by the newly formed Practice Development Service",
        ],
        "covered": [],
    },
    {
        "key": "fv-2024",
        "kind": Inspection.Kind.FOCUSED_VISIT,
        "title": "Focused visit: children in need and children subject to a child protection plan",
        # The seed gives the month only; the on-site days are placeholders for the demo.
        "start_date": dt.date(2024, 4, 16),
        "end_date": dt.date(2024, 4, 17),
        "published_date": None,
        "inspectors": [],
        "framework": "ILACS",
        "summary": (
            "Progress since 2023, particularly for 16- and 17-year-olds at risk of homelessness, "
            "but staff turnover threatens the tenuous progress made and practice quality "
            "still varies. No grades are given on a focused visit. (On-site dates are "
            "approximate: the source gives April 2024.)"
        ),
        "judgements": [],
        "areas": [
            (
                "Workforce stability",
                "The stability and experience of the workforce, so that caseloads are manageable and practice quality is consistent",
                ("ilacs-2019", 2),
            ),
            (
                "Consistency of practice",
                "The consistency of the quality and impact of assessments, plans, interventions, management oversight and supervision",
                ("ilacs-2023", 5),
            ),
            (
                "Pace of decisions",
                "The pace of decisions and actions when children's circumstances do not improve, considering the impact of delay on the whole family",
                None,
            ),
        ],
        "strengths": [
            "Children are seen regularly by social workers who know them well",
            "Families have access to a wide variety of services, including practical parenting support",
            "Timely and appropriate action when concerns escalate",
        ],
        "covered": [
            (
                "Support for 16- and 17-year-olds at risk of homelessness.",
                ("ilacs-2023", 1),
                "Improved: inspectors saw better support for older children at risk of "
                "homelessness.",
            ),
            (
                "The response to teenagers at risk of exploitation.",
                ("ilacs-2023", 2),
                "A clear focus on developing the response; changes need time to embed.",
            ),
            (
                "The response to disabled children.",
                ("ilacs-2023", 4),
                "Developing; leaders understand the areas to improve.",
            ),
            (
                "Management oversight and supervision of children in need and on child "
                "protection plans.",
                ("ilacs-2023", 5),
                "Quality of oversight and supervision still varies widely between teams.",
            ),
        ],
    },
]


@transaction.atomic
def load(**kwargs) -> dict[str, Inspection]:
    """Create or update Medway's inspections. Safe to run again: matched on natural keys."""
    la, _ = LocalAuthority.objects.get_or_create(name=LA_NAME)
    areas = {a.key: a for a in JudgementArea.objects.all()}
    by_key: dict[str, Inspection] = {}
    afis: dict[tuple[str, int], AreaForImprovement] = {}
    for data in INSPECTIONS:
        inspection, _ = Inspection.objects.update_or_create(
            local_authority=la,
            kind=data["kind"],
            start_date=data["start_date"],
            defaults={
                field: data[field]
                for field in (
                    "title",
                    "end_date",
                    "published_date",
                    "inspectors",
                    "framework",
                    "summary",
                )
            },
        )
        by_key[data["key"]] = inspection
        for area_key, wording, grade in data["judgements"]:
            Judgement.objects.update_or_create(
                inspection=inspection,
                area=areas[area_key],
                defaults={"wording": wording, "grade": grade},
            )
        for order, item in enumerate(data["areas"], start=1):
            short_title, text, *rest = item
            continues = afis[rest[0]] if rest and rest[0] else None
            afi, _ = AreaForImprovement.objects.update_or_create(
                inspection=inspection,
                order=order,
                defaults={"text": text, "short_title": short_title, "continues": continues},
            )
            afis[(data["key"], order)] = afi
        for order, text in enumerate(data["strengths"], start=1):
            Strength.objects.update_or_create(
                inspection=inspection, order=order, defaults={"text": text}
            )
        for order, (text, revisits, finding) in enumerate(data["covered"], start=1):
            AreaCovered.objects.update_or_create(
                inspection=inspection,
                order=order,
                defaults={
                    "text": text,
                    "revisits": afis[revisits] if revisits else None,
                    "finding": finding,
                },
            )
    return by_key


def area(inspection_key: str, order: int) -> AreaForImprovement:
    data = next(d for d in INSPECTIONS if d["key"] == inspection_key)
    return AreaForImprovement.objects.get(
        inspection__kind=data["kind"], inspection__start_date=data["start_date"], order=order
    )
