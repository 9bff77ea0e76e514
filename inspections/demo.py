"""Medway's inspection history for the demo, from its real Ofsted reports and letters
(inspections/demo_documents/, each kept as the inspection's source document) and the
documents in ../shared/seeds/.

Dates, inspectors, judgements and areas for improvement are as the reports print them;
where a seed differs from a report, the report is the truth. The two 2022 monitoring visits,
the strengths and the areas covered come from the seeds. Findings, summaries and short
titles are our own.

Contains public sector information licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.db.models import F, ProtectedError

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
DOCUMENTS = Path(__file__).resolve().parent / "demo_documents"
# Records earlier versions of the demo made that the real documents replace: the focused
# visit the seeds dated April 2024 (it was 29-30 April 2025).
RETIRED = [(Inspection.Kind.FOCUSED_VISIT, dt.date(2024, 4, 16))]

G = Grade

INSPECTIONS: list[dict] = [
    {
        "key": "fv-2019",
        "kind": Inspection.Kind.FOCUSED_VISIT,
        "title": "Focused visit: responding to contacts and referrals at the ‘front door’",
        "start_date": dt.date(2019, 2, 5),
        "end_date": dt.date(2019, 2, 5),
        "published_date": dt.date(2019, 2, 28),
        "inspectors": ["Maire Atherton", "Dominic Stevens"],
        "framework": "ILACS (2018)",
        "document": "focused_visit_medway_2019-feb-28.pdf",
        "summary": (
            "The First Response Team (the single point of access and the multi-agency "
            "safeguarding hub). Marked improvements in the response to contacts and referrals "
            "since the joint targeted area inspection of June 2018: most children and families "
            "now receive a timely and proportionate response. No grades are given on a focused "
            "visit."
        ),
        "judgements": [],
        "areas": [
            (
                "Health partners in strategy meetings",
                "The participation of health partners in strategy meetings, to ensure that timely and full information is provided to facilitate the comprehensive consideration of risks to children.",
                None,
            ),
            (
                "Police contacts and referrals",
                "The timeliness of contacts and referrals that are sent by the police to the MASH.",
                None,
            ),
            (
                "Assessments and initial visits",
                "The quality of assessments, and the timeliness of initial visits to children and their families.",
                None,
            ),
        ],
        "strengths": [],
        "covered": [],
    },
    {
        "key": "ilacs-2019",
        "kind": Inspection.Kind.ILACS_STANDARD,
        "title": "Inspection of Medway local authority children's services",
        "start_date": dt.date(2019, 7, 15),
        "end_date": dt.date(2019, 7, 26),
        "published_date": dt.date(2019, 8, 27),
        "inspectors": ["Brenda McLaughlin"],
        "framework": "ILACS (2018)",
        "document": "ilacs_medway_2019-aug-27.pdf",
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
                "Senior managers’ oversight",
                "Senior managers’ oversight and understanding about vulnerable children’s experiences, including through the quality, accuracy and effectiveness of audits.",
                None,
            ),
            (
                "Staffing capacity",
                "Staffing capacity across children’s social care, early help hubs and leaving care teams.",
                None,
            ),
            (
                "Response to risk",
                "The response to risk for children who have experienced neglect, those exposed to parental domestic abuse and young people in danger of exploitation.",
                None,
            ),
            (
                "Early help",
                "The coordination and management oversight of early help services to support children to receive the right help at the right time.",
                None,
            ),
            (
                "Management oversight and supervision",
                "The quality and effectiveness of management oversight and supervision to make sure that children are protected from significant harm.",
                None,
            ),
            (
                "Permanence planning",
                "The effectiveness of managers’ formal permanence planning and decision-making at every point in the child’s journey.",
                None,
            ),
            (
                "Missing children",
                "The system for tracking children who go missing from home, care or education.",
                None,
            ),
            (
                "Care leavers’ services",
                "Services to help care leavers access suitable accommodation, education, employment and training and to understand their rights and entitlements.",
                None,
            ),
            (
                "Health services",
                "The strategic relationship with health services, and operational delivery across a range of health functions, to support children and young people in care and care leavers.",
                None,
            ),
            (
                "Fostering and adoption",
                "Leadership direction and assertive action to improve and develop the services to foster carers and prospective adopters.",
                None,
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
        "key": "fv-2021",
        "kind": Inspection.Kind.FOCUSED_VISIT,
        "title": "Focused visit, carried out remotely during the COVID-19 pandemic",
        "start_date": dt.date(2021, 5, 25),
        "end_date": dt.date(2021, 5, 26),
        "published_date": dt.date(2021, 7, 8),
        "inspectors": [
            "Amanda Maxwell",
            "Maire Atherton",
            "Alexander Dignan",
            "Lorna Schlechte",
            "Janet Pearce",
        ],
        "framework": "ILACS",
        "document": "focused_visit_medway_2021-jul-08.pdf",
        "summary": (
            "Part of Ofsted's work on child-centred practice during the COVID-19 restrictions, "
            "in line with the ILACS framework and carried out fully by remote means. No grades "
            "are given on a focused visit."
        ),
        "judgements": [],
        "areas": [
            (
                "Neglect: analysis of need and planning",
                "The analysis of need and planning for children who are at risk of harm and experiencing long-term neglect.",
                ("ilacs-2019", 3),
            ),
            (
                "Children placed at a distance or missing",
                "Management oversight and case planning for children who are placed at a distance from Medway and children who go missing and are at risk of exploitation.",
                ("ilacs-2019", 7),
            ),
            (
                "Emotional health and well-being services",
                "The availability of and access to emotional health and well-being services for older children in care and care leavers.",
                ("ilacs-2019", 9),
            ),
        ],
        "strengths": [],
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
                ("fv-2021", 3),
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
        "inspectors": ["Amanda Maxwell"],
        "framework": "ILACS (2023)",
        "document": "ilacs_medway_2023-sep-11.pdf",
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
        # The report has four "What needs to improve" bullets. (The 2023 scrutiny slides list
        # a fifth, "support for adolescents", taken from the report's summary.)
        "areas": [
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
        "key": "fv-2025",
        "kind": Inspection.Kind.FOCUSED_VISIT,
        "title": "Focused visit: children in need or children subject to a child protection plan",
        # The news article in the seeds dates this visit April 2024; the letter itself says
        # 29 and 30 April 2025, and the letter is the truth.
        "start_date": dt.date(2025, 4, 29),
        "end_date": dt.date(2025, 4, 30),
        "published_date": dt.date(2025, 6, 2),
        "inspectors": ["Amanda Maxwell", "Rodica Cobarzan"],
        "framework": "ILACS",
        "document": "focused_visit_medway_2025-jun-02.pdf",
        "summary": (
            "Progress since 2023, particularly for 16- and 17-year-olds at risk of homelessness, "
            "but staff turnover threatens the tenuous progress made and practice quality "
            "still varies. No grades are given on a focused visit."
        ),
        "judgements": [],
        "areas": [
            (
                "Assessment and planning",
                "The quality of assessment and planning.",
                None,
            ),
            (
                "Timeliness of intervention",
                "The timeliness of intervention, including during pre-proceedings, to support prompt decision-making and inform permanence planning.",
                None,
            ),
            (
                "Management oversight and supervision",
                "The quality and impact of management oversight and supervision to support children’s experiences improving in a timely way.",
                ("ilacs-2023", 4),
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
                None,
                "Improved: inspectors saw better support for older children at risk of "
                "homelessness.",
            ),
            (
                "The response to teenagers at risk of exploitation.",
                ("ilacs-2023", 1),
                "A clear focus on developing the response; changes need time to embed.",
            ),
            (
                "The response to disabled children.",
                ("ilacs-2023", 3),
                "Developing; leaders understand the areas to improve.",
            ),
            (
                "Management oversight and supervision of children in need and on child "
                "protection plans.",
                ("ilacs-2023", 4),
                "Quality of oversight and supervision still varies widely between teams.",
            ),
        ],
    },
    {
        "key": "fv-2025-11",
        "kind": Inspection.Kind.FOCUSED_VISIT,
        "title": "Focused visit: children in care",
        "start_date": dt.date(2025, 11, 25),
        "end_date": dt.date(2025, 11, 26),
        "published_date": dt.date(2026, 1, 12),
        "inspectors": ["Michael Taylor", "Jenny-Ellen Scotland"],
        "framework": "ILACS",
        "document": "focused_visit_medway_2026-jan-12.pdf",
        "summary": (
            "Matching, placement and decision-making for children in care, children at risk "
            "from exploitation or missing from care, and children in unregistered provision. "
            "Senior leaders continue to show a strong commitment to children in care: children "
            "enter care at the right time, most live in stable homes, and oversight by "
            "independent reviewing officers is strong. No grades are given on a focused visit."
        ),
        "judgements": [],
        "areas": [
            (
                "Children placed outside Medway",
                "The consistency with which the needs of children placed outside the local authority area are met, particularly in relation to education, and emotional and mental health. (Outcome 4 National Social Care Framework)",
                ("fv-2021", 2),
            ),
            (
                "Missing and exploitation risk assessment",
                "How consistently the risk assessment tool is applied to support the quality and impact of work with children who go missing or at risk of exploitation. (Outcome 3 National Social Care Framework)",
                ("ilacs-2023", 1),
            ),
        ],
        "strengths": [],
        "covered": [],
    },
]


@transaction.atomic
def load(**kwargs) -> dict[str, Inspection]:
    """Create or update Medway's inspections. Safe to run again: matched on natural keys."""
    la, _ = LocalAuthority.objects.get_or_create(name=LA_NAME)
    areas = {a.key: a for a in JudgementArea.objects.all()}
    by_key: dict[str, Inspection] = {}
    afis: dict[tuple[str, int], AreaForImprovement] = {}
    for kind, start_date in RETIRED:
        with contextlib.suppress(ProtectedError):  # someone's board decision is about it
            Inspection.objects.filter(local_authority=la, kind=kind, start_date=start_date).delete()
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
        if data.get("document"):
            _attach_document(inspection, data["document"])
        for area_key, wording, grade in data["judgements"]:
            Judgement.objects.update_or_create(
                inspection=inspection,
                area=areas[area_key],
                defaults={"wording": wording, "grade": grade},
            )
        for order, afi in enumerate(_load_areas(inspection, data["areas"], afis), start=1):
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


def _same_words(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().rstrip(" .").split())


def _load_areas(inspection: Inspection, areas: list[tuple], afis: dict) -> list:
    """Create or update the inspection's areas for improvement, in order.

    An existing area is matched by its words first, then by its place, so that a database
    loaded from an earlier demo (whose 2023 inspection had a fifth area, taken from the
    report's summary) keeps the links boards and actions made to the areas that remain."""
    existing = list(inspection.areas_for_improvement.all())
    claimed: dict[int, AreaForImprovement] = {}
    for order, (_, text, _) in enumerate(areas, start=1):
        match = next((a for a in existing if _same_words(a.text) == _same_words(text)), None)
        if match and match not in claimed.values():
            claimed[order] = match
    for order in range(1, len(areas) + 1):
        if order not in claimed:
            spare = next(
                (a for a in existing if a.order == order and a not in claimed.values()), None
            )
            if spare:
                claimed[order] = spare
    if any(afi.order != order for order, afi in claimed.items()):
        # Make room: orders are unique within an inspection.
        inspection.areas_for_improvement.update(order=F("order") + 1000)
        for area in existing:
            area.order += 1000
    loaded = []
    for order, (short_title, text, continues_key) in enumerate(areas, start=1):
        values = {
            "text": text,
            "short_title": short_title,
            "continues": afis[continues_key] if continues_key else None,
            "order": order,
        }
        afi = claimed.get(order)
        if afi is None:
            afi = AreaForImprovement.objects.create(inspection=inspection, **values)
        elif any(getattr(afi, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(afi, field, value)
            afi.save()
        loaded.append(afi)
    for afi in existing:
        if afi not in loaded:
            with contextlib.suppress(ProtectedError):  # a board decision or challenge is about it
                afi.delete()
    return loaded


def _attach_document(inspection: Inspection, filename: str) -> None:
    """Keep the real PDF with the inspection, once: a second run finds it already stored."""
    stored = inspection.source_document
    name = stored.name or ""
    same = name and Path(name).name.startswith(Path(filename).stem)
    if same and stored.storage.exists(name):
        return
    with (DOCUMENTS / filename).open("rb") as document:
        inspection.source_document.save(filename, File(document), save=False)
    inspection.save(update_fields=["source_document"])


def area(inspection_key: str, order: int) -> AreaForImprovement:
    data = next(d for d in INSPECTIONS if d["key"] == inspection_key)
    return AreaForImprovement.objects.get(
        inspection__kind=data["kind"], inspection__start_date=data["start_date"], order=order
    )
