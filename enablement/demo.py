"""Demo data of enablement: three courses (one with a quiz), a certification, ten library
assets, and progress for the demo partners. Idempotent: looked up before created."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from prm.core.demo import DemoPeople

from . import services
from .models import Asset, Certification, Course, Enrolment, Lesson, QuizAttempt

COURSES = {
    "Platform fundamentals": [
        ("What the platform does", "The platform connects **data**, **people** and **workflows**."),
        ("Who buys it", "IT leaders in mid-sized companies; see the buyer personas."),
        ("Demo in ten minutes", "Follow the demo script: log in, import, report."),
    ],
    "Selling Acme Cloud": [
        ("Discovery questions", "Ask about *pain*, *impact* and *timeline* before pricing."),
        ("Pricing and packaging", "Three editions; discounts follow your tier."),
    ],
    "Security and compliance": [
        ("Our security model", "Encryption at rest and in transit; SSO; audit logs."),
        ("Answering questionnaires", "Use the library's security pack for RFP answers."),
    ],
}

QUIZ = [
    (
        "Which three things does the platform connect?",
        [
            ("Data, people and workflows", True),
            ("Printers, scanners and fax", False),
            ("Only spreadsheets", False),
        ],
    ),
    (
        "Who is the typical buyer?",
        [("IT leaders in mid-sized companies", True), ("Consumers", False), ("Students", False)],
    ),
    ("The demo starts with…", [("Logging in", True), ("A price quote", False)]),
]

ASSETS = [
    ("Platform overview deck", "Sales decks", ["overview", "sales"], "Slides for a first meeting."),
    ("Pricing sheet 2026", "Pricing", ["pricing"], "List prices and editions."),
    ("Security whitepaper", "Security", ["security", "compliance"], "How we protect data."),
    ("RFP answer pack", "Security", ["rfp", "security"], "Answers to common questionnaires."),
    ("Battlecard: competitors", "Competitive", ["competition"], "How we win against others."),
    ("Customer story: Fabrikam", "Case studies", ["retail"], "Retail chain, 40 stores."),
    ("Customer story: Litware", "Case studies", ["healthcare"], "Healthcare group."),
    ("Demo script", "Enablement", ["demo"], "The ten-minute demo, step by step."),
    ("Co-branding guidelines", "Marketing", ["brand"], "Logo use and co-branded material."),
    ("Partner program guide", "Program", ["program", "tiers"], "Tiers, benefits and rules."),
]


def _course(people: DemoPeople, title: str, lessons, quiz=None) -> Course:
    course = Course.objects.filter(title=title).first()
    if course is not None:
        return course
    admin = people.admin
    course = Course(title=title)
    version = services.course_create(
        acting_membership=admin, course=course, summary=f"{title}: what a partner needs to know."
    )
    module = services.module_add(acting_membership=admin, version=version, title="Essentials")
    for lesson_title, body in lessons:
        services.lesson_save(
            acting_membership=admin,
            lesson=Lesson(version=version, module=module, title=lesson_title, body=body),
        )
    if quiz:
        version.quiz_enabled = True
        version.pass_mark_percent = 66
        version.max_attempts = 3
        services.version_update(acting_membership=admin, version=version)
        for text, choices in quiz:
            services.question_add(
                acting_membership=admin, version=version, kind="single", text=text, choices=choices
            )
    services.course_publish(acting_membership=admin, course=course)
    course.refresh_from_db()
    return course


def seed(people: DemoPeople) -> None:
    courses = [
        _course(people, title, lessons, QUIZ if i == 0 else None)
        for i, (title, lessons) in enumerate(COURSES.items())
    ]
    cert = Certification.objects.filter(name="Certified Platform Associate").first()
    if cert is None:
        cert = Certification(
            name="Certified Platform Associate",
            description="Knows the platform, its buyers and its demo.",
            validity_months=12,
            renewal_window_days=60,
            is_published=True,
        )
        services.certification_save(
            acting_membership=people.admin, certification=cert, courses=[courses[0]]
        )
    for title, category, tags, description in ASSETS:
        if not Asset.objects.filter(title=title).exists():
            services.asset_save(
                acting_membership=people.admin,
                asset=Asset(
                    title=title,
                    category=category,
                    tags=tags,
                    description=description,
                    kind="link",
                    url=f"https://example.com/{tags[0]}",
                    expires_on=timezone.localdate() + timedelta(days=365),
                ),
            )
    if not people.partner_admins:
        return
    # The first partner's admin is certified; the second partner's member is halfway.
    first_admin = people.partner_admins[0]
    enrolment = services.enrolment_start(acting_membership=first_admin, course=courses[0])
    if enrolment.completed_at is None:
        for lesson in Lesson.objects.filter(version=enrolment.version):
            services.lesson_complete(
                acting_membership=first_admin, enrolment=enrolment, lesson=lesson
            )
        if not QuizAttempt.objects.filter(enrolment=enrolment).exists():
            attempt = services.attempt_start(acting_membership=first_admin, enrolment=enrolment)
            from .models import Choice

            answers = {
                item["question"]: [
                    str(c.pk)
                    for c in Choice.objects.filter(pk__in=item["choices"], is_correct=True)
                ]
                for item in attempt.drawn
            }
            services.attempt_submit(acting_membership=first_admin, attempt=attempt, answers=answers)
    if len(people.partner_members) > 1:
        member = people.partner_members[1]
        enrolment = services.enrolment_start(acting_membership=member, course=courses[1])
        first = Lesson.objects.filter(version=enrolment.version).order_by("position").first()
        if not Enrolment.objects.filter(pk=enrolment.pk, lessons_done__gt=0).exists():
            services.lesson_complete(acting_membership=member, enrolment=enrolment, lesson=first)
