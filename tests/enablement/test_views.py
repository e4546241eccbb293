"""The console and portal pages: authoring, audience rules, learning, the quiz, the
certificate and its public check, the library; bounded queries on every list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enablement import models, services
from tests.conftest import client_for
from tests.enablement.factories import answers_for, partner, published_course
from tests.partners.factories import PartnerTypeFactory, TierFactory

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- console authoring ------------------------------------------------------------------


def test_admin_authors_previews_and_publishes_a_course(admin_membership):
    client = client_for(admin_membership)
    response = client.post(reverse("enablement:course_create"), {"title": "Security 101"})
    course = models.Course.objects.get(title="Security 101")
    assert response.status_code == 302
    version = course.versions.get()
    client.post(reverse("enablement:module_add", args=[version.pk]), {"title": "Basics"})
    module = version.modules.get()
    response = client.post(
        reverse("enablement:lesson_create", args=[module.pk]),
        {"title": "Watch", "kind": "video", "video_url": "https://evil.test/v/1", "body": ""},
    )
    assert response.status_code == 400
    assert "YouTube or Vimeo" in response.content.decode()
    client.post(
        reverse("enablement:lesson_create", args=[module.pk]),
        {"title": "Watch", "kind": "video", "video_url": "https://youtu.be/dQw4w9WgXcQ"},
    )
    response = client.post(
        reverse("enablement:lesson_create", args=[module.pk]),
        {"title": "Slides", "kind": "file", "upload": SimpleUploadedFile("s.exe", b"MZ\x90\x00")},
    )
    assert response.status_code == 400 and "not accepted" in response.content.decode()
    client.post(
        reverse("enablement:lesson_create", args=[module.pk]),
        {"title": "Slides", "kind": "file", "upload": SimpleUploadedFile("s.pdf", PDF)},
    )
    preview = client.get(reverse("enablement:course_preview", args=[course.pk]))
    body = preview.content.decode()
    assert "Preview of version 1" in body
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in body
    assert "youtube-nocookie.com" in preview.headers["Content-Security-Policy"]
    client.post(reverse("enablement:course_action", args=[course.pk]), {"action": "publish"})
    course.refresh_from_db()
    assert course.published_version.number == 1
    page = client.get(reverse("enablement:course_detail", args=[course.pk])).content.decode()
    assert "Edit (new draft)" in page


def test_bad_question_shows_form_errors(admin_membership):
    course = published_course(admin_membership)
    draft = services.course_draft(acting_membership=admin_membership, course=course)
    response = client_for(admin_membership).post(
        reverse("enablement:question_add", args=[draft.pk]),
        {"kind": "single", "text": "Which?", "choices": "*A\n*B"},
    )
    assert response.status_code == 400
    assert "exactly one answer" in response.content.decode()


# --- audience -------------------------------------------------------------------------


def test_course_of_another_type_is_invisible_and_its_file_404(admin_membership, partner_org):
    reseller, referral = PartnerTypeFactory(), PartnerTypeFactory()
    partner_org.partner_type = referral
    partner_org.save()
    member = partner(partner_org)
    course = published_course(
        admin_membership, title="Reseller only", audience_type_ids=[reseller.pk]
    )
    lesson = models.Lesson.objects.filter(version=course.published_version).first()
    models.Lesson.objects.filter(pk=lesson.pk).update(file="tenants/x/enablement/y/f.pdf")
    client = client_for(member)
    assert "Reseller only" not in client.get(reverse("enablement:catalogue")).content.decode()
    assert client.get(reverse("enablement:portal_course", args=[course.pk])).status_code == 404
    assert client.post(reverse("enablement:portal_course", args=[course.pk])).status_code == 404
    assert client.get(reverse("enablement:lesson_file", args=[lesson.pk])).status_code == 404
    partner_org.partner_type = reseller
    partner_org.save()
    assert client.get(reverse("enablement:portal_course", args=[course.pk])).status_code == 200


def test_min_tier_and_motion_audience(admin_membership, partner_org):
    from deals.models import Motion, MotionPartnerType

    gold, silver = TierFactory(rank=3), TierFactory(rank=2)
    kind = PartnerTypeFactory()
    cosell = Motion.objects.create(key="co-sell", name="Co-sell")
    MotionPartnerType.objects.create(motion=cosell, partner_type=PartnerTypeFactory())
    gold_course = published_course(admin_membership, title="Gold course", min_tier=gold)
    motion_course = published_course(
        admin_membership, title="Co-sell course", audience_motion_ids=[cosell.pk]
    )
    partner_org.tier, partner_org.partner_type = silver, kind
    partner_org.save()
    client = client_for(partner(partner_org))
    page = client.get(reverse("enablement:catalogue")).content.decode()
    assert "Gold course" not in page and "Co-sell course" not in page
    assert client.get(reverse("enablement:portal_course", args=[gold_course.pk])).status_code == 404
    assert (
        client.get(reverse("enablement:portal_course", args=[motion_course.pk])).status_code == 404
    )
    MotionPartnerType.objects.create(motion=cosell, partner_type=kind)
    partner_org.tier = gold
    partner_org.save()
    page = client.get(reverse("enablement:catalogue")).content.decode()
    assert "Gold course" in page and "Co-sell course" in page


# --- learning -------------------------------------------------------------------------


def test_partner_takes_a_course_fails_then_passes_and_gets_a_certificate(
    admin_membership, partner_org
):
    member = partner(partner_org)
    course = published_course(admin_membership, questions=2, max_attempts=3)
    cert = models.Certification(name="Platform Certified", is_published=True)
    services.certification_save(
        acting_membership=admin_membership, certification=cert, courses=[course]
    )
    client = client_for(member)
    response = client.post(reverse("enablement:portal_course", args=[course.pk]))
    first, second = models.Lesson.objects.filter(version=course.published_version).order_by(
        "position"
    )
    assert response.url == reverse("enablement:portal_lesson", args=[course.pk, first.pk])
    response = client.post(response.url)
    assert response.url == reverse("enablement:portal_lesson", args=[course.pk, second.pk])
    client.post(response.url)
    # resume: the course page offers the quiz now
    assert (
        "Take the quiz"
        in client.get(reverse("enablement:portal_course", args=[course.pk])).content.decode()
    )
    response = client.post(reverse("enablement:quiz_start", args=[course.pk]))
    attempt = models.QuizAttempt.objects.get()
    wrong = answers_for(attempt, wrong_count=1)
    data = {f"q-{q}": c for q, c in wrong.items()}
    client.post(response.url, data)
    result = client.get(response.url).content.decode()
    assert "Failed" in result and "50%" in result and 'data-testid="wrong"' in result
    assert "(right answer)" not in result  # attempts remain
    # a replayed submission changes nothing
    right = {f"q-{q}": c for q, c in answers_for(attempt).items()}
    assert client.post(response.url, right).status_code == 400
    response = client.post(reverse("enablement:quiz_start", args=[course.pk]))
    attempt2 = models.QuizAttempt.objects.get(number=2)
    client.post(response.url, {f"q-{q}": c for q, c in answers_for(attempt2).items()})
    award = models.CertificationAward.objects.get(membership=member)
    page = client.get(reverse("enablement:certificate", args=[award.pk])).content.decode()
    assert award.code in page and "Platform Certified" in page
    public = client_for(None, tenant=member.tenant).get(f"/verify/{award.code}/")
    text = public.content.decode()
    assert public.status_code == 200 and "Platform Certified" in text and "Valid" in text
    assert member.user.email not in text and award.code not in text


def test_verify_expired_and_unknown(admin_membership, partner_org, other_tenant):
    member = partner(partner_org)
    cert = models.Certification.objects.create(name="Old cert", is_published=True)
    award = models.CertificationAward.objects.create(
        certification=cert,
        membership=member,
        organization=partner_org,
        code="ABCD-EFGH-JKMN",
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    anonymous = client_for(None, tenant=member.tenant)
    page = anonymous.get(f"/verify/{award.code}/").content.decode()
    assert "Expired" in page and "no longer valid" in page
    assert anonymous.get("/verify/NOPE-NOPE-NOPE/").status_code == 404
    assert client_for(None, tenant=other_tenant).get(f"/verify/{award.code}/").status_code == 404


def test_team_page_for_partner_admin_only(admin_membership, partner_org, partner_admin_membership):
    member = partner(partner_org)
    assert client_for(member).get(reverse("enablement:team")).status_code == 403
    page = client_for(partner_admin_membership).get(reverse("enablement:team")).content.decode()
    assert member.user.email in page


# --- library --------------------------------------------------------------------------


def test_library_search_audience_and_recorded_downloads(admin_membership, partner_org):
    member = partner(partner_org)
    client = client_for(admin_membership)
    response = client.post(
        reverse("enablement:asset_create"),
        {
            "title": "Pricing deck",
            "kind": "file",
            "version": "2.0",
            "tags_text": "pricing, sales",
            "description": "How we price the platform",
            "is_published": "on",
            "upload": SimpleUploadedFile("deck.pdf", PDF),
        },
    )
    assert response.status_code == 302, response.content.decode()
    asset = models.Asset.objects.get()
    secret = models.Asset(
        title="Distributor terms",
        kind="link",
        url="https://x.test/t",
        audience_type_ids=[PartnerTypeFactory().pk],
    )
    services.asset_save(acting_membership=admin_membership, asset=secret)
    bad = client.post(
        reverse("enablement:asset_create"),
        {"title": "Bad", "kind": "file", "upload": SimpleUploadedFile("a.pdf", b"hello")},
    )
    assert bad.status_code == 400 and "not accepted" in bad.content.decode()
    portal = client_for(member)
    found = portal.get(reverse("enablement:resource_list"), {"q": "pricing"}).content.decode()
    assert "Pricing deck" in found
    assert (
        "Pricing deck"
        not in portal.get(
            reverse("enablement:resource_list"), {"q": "distributor"}
        ).content.decode()
    )
    assert portal.get(reverse("enablement:resource", args=[secret.pk])).status_code == 404
    download = portal.get(reverse("enablement:resource_download", args=[asset.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    portal.get(reverse("enablement:resource", args=[asset.pk]))
    stats = client.get(reverse("enablement:asset_detail", args=[asset.pk])).content.decode()
    assert member.user.email in stats and partner_org.name in stats
    assert models.AssetActivity.objects.filter(asset=asset).count() == 2


# --- reports --------------------------------------------------------------------------


def test_roster_csv_and_below_tier_report(admin_membership, partner_org):
    gold = TierFactory(rank=5, min_certified_people=2)
    partner_org.tier = gold
    partner_org.save()
    member = partner(partner_org)
    cert = models.Certification.objects.create(name="Cert =cmd", is_published=True)
    models.CertificationAward.objects.create(
        certification=cert,
        membership=member,
        organization=partner_org,
        code="AAAA-BBBB-CCCC",
        valid_until=timezone.localdate() + timedelta(days=30),
    )
    client = client_for(admin_membership)
    csv_body = b"".join(client.get(reverse("enablement:roster_export")).streaming_content).decode()
    assert "AAAA-BBBB-CCCC" in csv_body and "'=cmd" not in csv_body.split("Cert")[0]
    report = client.get(reverse("enablement:report_courses")).content.decode()
    assert partner_org.name in report


def test_roster_rows_show_each_award_soonest_expiry_first(admin_membership, partner_org):
    # Given three awards: valid, expired, and revoked, one holder without a full name.
    today = timezone.localdate()
    cert = models.Certification.objects.create(name="Cloud Certified", is_published=True)
    people = [partner(partner_org) for _ in range(3)]
    people[1].user.full_name = ""
    people[1].user.save()
    issued = timezone.now() - timedelta(days=400)
    awards = [
        models.CertificationAward.objects.create(
            certification=cert,
            membership=person,
            organization=partner_org,
            code=f"ROST-{n}",
            issued_at=issued,
            valid_until=today + timedelta(days=days),
        )
        for n, (person, days) in enumerate(zip(people, (90, -5, 30), strict=True))
    ]
    services.award_revoke(acting_membership=admin_membership, award=awards[2], reason="Cheated")
    client = client_for(admin_membership)
    # When the roster is read, then each row says who, where, what, when and its status,
    # soonest expiry first, with a revoke link only where it is not revoked yet.
    text = client.get(reverse("enablement:roster")).content.decode()
    rows = text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 3
    expired, revoked, valid = rows
    assert f"<td>{people[1].user.email}</td><td>{partner_org.name}</td>" in expired
    assert "<td>Cloud Certified</td>" in expired
    expected_issued = timezone.localtime(issued).date().isoformat()
    assert f"<td>{expected_issued}</td><td>{(today - timedelta(days=5)).isoformat()}</td>" in (
        expired
    )
    assert '<span class="pill pill-bad">expired</span>' in expired
    assert '<span class="pill pill-bad">revoked</span>' in revoked
    assert '<span class="pill pill-ok">valid</span>' in valid
    assert f"<td>{people[0].user.full_name}</td>" in valid
    for row, award in ((expired, awards[1]), (valid, awards[0])):
        url = reverse("enablement:award_revoke", args=[award.pk])
        assert f'href="{url}"' in row
    assert "Revoke</a>" not in revoked
    # And the status filter and the pages pick the same rows.
    text = client.get(reverse("enablement:roster"), {"status": "valid"}).content.decode()
    assert people[0].user.full_name in text and people[1].user.email not in text


# --- bounded queries ------------------------------------------------------------------


def _make_rows(admin, org, member, n, start=0):
    for i in range(start, start + n):
        course = models.Course(title=f"Course {i:03}")
        services.course_create(acting_membership=admin, course=course)
        version = course.versions.get()
        module = services.module_add(acting_membership=admin, version=version, title="M")
        services.lesson_save(
            acting_membership=admin,
            lesson=models.Lesson(version=version, module=module, title="L", body="x"),
        )
        services.course_publish(acting_membership=admin, course=course)
        course.refresh_from_db()
        services.enrolment_start(acting_membership=member, course=course)
        cert = models.Certification.objects.create(name=f"Cert {i:03}", is_published=True)
        models.CertificationAward.objects.create(
            certification=cert,
            membership=member,
            organization=org,
            code=f"C{i:03}-X",
            valid_until=timezone.localdate() + timedelta(days=30),
        )
        models.Asset.objects.create(title=f"Asset {i:03}", kind="link", url="https://x.test")
        path = models.LearningPath.objects.create(title=f"Path {i:03}", is_published=True)
        models.LearningPathCourse.objects.create(path=path, course=course)
        models.Assignment.objects.create(
            course=course, organization=org, due_on=timezone.localdate()
        )


LISTS = [
    ("enablement:course_list", "staff"),
    ("enablement:path_list", "staff"),
    ("enablement:certification_list", "staff"),
    ("enablement:assignment_list", "staff"),
    ("enablement:roster", "staff"),
    ("enablement:asset_list", "staff"),
    ("enablement:report_courses", "staff"),
    ("enablement:catalogue", "partner"),
    ("enablement:my_learning", "partner"),
    ("enablement:certificates", "partner"),
    ("enablement:resource_list", "partner"),
    ("enablement:team", "partner"),
]


@pytest.mark.parametrize(("url_name", "who"), LISTS)
def test_list_queries_do_not_grow_with_rows(
    url_name,
    who,
    admin_membership,
    partner_org,
    partner_admin_membership,
    django_assert_max_num_queries,
):
    member = partner_admin_membership
    viewer = admin_membership if who == "staff" else member
    _make_rows(admin_membership, partner_org, member, 1)
    client = client_for(viewer)
    client.get(reverse(url_name))  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prm.tenancy import resolver

    # The host → tenant cache expires with time: measure both sizes from a cold one.
    resolver.clear_cache()
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(url_name)).status_code == 200
    _make_rows(admin_membership, partner_org, member, 49, start=1)
    resolver.clear_cache()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200
