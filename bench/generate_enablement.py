# ruff: noqa: E501, S608 - SQL text, built from constants and the models, never from input
"""Enablement data on top of bench/generate.py's tenants and partners, in set-based SQL.

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/generate_enablement.py

Per tenant: 60 published courses (one module, three lessons), 3 certifications, and for
every partner membership 5 enrolments (2 completed) and 1-2 certification awards, some
of them expired; plus 40 library assets. Replaces the enablement rows it finds. Runs as
the owner role with triggers off (see generate.py); columns it does not name get their
model defaults through generate.py's `insert_select`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402

from bench.generate import insert_select  # noqa: E402  (sets Django up)
from enablement import models as em  # noqa: E402

COURSES = 60
T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {message}", flush=True)


def main() -> None:
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname=db["NAME"],
        user=settings.DATABASE_OWNER_USER,
        password=settings.DATABASE_OWNER_PASSWORD or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    cur = conn.cursor()
    cur.execute("SET session_replication_role = replica")
    log("emptying the enablement tables")
    cur.execute(
        "TRUNCATE enablement_course, enablement_courseversion, enablement_certification, "
        "enablement_asset CASCADE"
    )
    log("courses and their published versions")
    cur.execute(
        f"CREATE TEMP TABLE bench_course AS SELECT t.id AS tenant_id, k, gen_random_uuid() AS course_id, "
        f"gen_random_uuid() AS version_id, gen_random_uuid() AS module_id "
        f"FROM tenancy_tenant t, generate_series(1, {COURSES}) k"
    )
    insert_select(
        cur,
        em.Course,
        {
            "id": "c.course_id",
            "tenant_id": "c.tenant_id",
            "title": "format('Course %s: %s', lpad(c.k::text, 2, '0'), (ARRAY['Selling','Security','Data','Cloud','Services'])[1 + c.k % 5])",
        },
        "FROM bench_course c",
    )
    insert_select(
        cur,
        em.CourseVersion,
        {
            "id": "c.version_id",
            "tenant_id": "c.tenant_id",
            "course_id": "c.course_id",
            "number": "1",
            "status": "'published'",
            "published_at": "now()",
            "title": "format('Course %s', c.k)",
            "summary": "'About this course.'",
            "summary_html": "'<p>About this course.</p>'",
        },
        "FROM bench_course c",
    )
    cur.execute(
        "UPDATE enablement_course co SET published_version_id = c.version_id "
        "FROM bench_course c WHERE co.id = c.course_id"
    )
    insert_select(
        cur,
        em.Module,
        {
            "id": "c.module_id",
            "tenant_id": "c.tenant_id",
            "version_id": "c.version_id",
            "position": "1",
            "title": "'Essentials'",
        },
        "FROM bench_course c",
    )
    insert_select(
        cur,
        em.Lesson,
        {
            "id": "gen_random_uuid()",
            "tenant_id": "c.tenant_id",
            "version_id": "c.version_id",
            "module_id": "c.module_id",
            "position": "l",
            "title": "format('Lesson %s', l)",
            "body": "'Text'",
            "body_html": "'<p>Text</p>'",
        },
        "FROM bench_course c, generate_series(1, 3) l",
    )
    log("certifications")
    cur.execute(
        "CREATE TEMP TABLE bench_cert AS SELECT t.id AS tenant_id, k, gen_random_uuid() AS cert_id "
        "FROM tenancy_tenant t, generate_series(1, 3) k"
    )
    insert_select(
        cur,
        em.Certification,
        {
            "id": "c.cert_id",
            "tenant_id": "c.tenant_id",
            "is_published": "true",
            "name": "format('Certification %s', c.k)",
        },
        "FROM bench_cert c",
    )
    insert_select(
        cur,
        em.CertificationCourse,
        {
            "id": "gen_random_uuid()",
            "tenant_id": "c.tenant_id",
            "certification_id": "c.cert_id",
            "course_id": "bc.course_id",
        },
        "FROM bench_cert c JOIN bench_course bc ON bc.tenant_id = c.tenant_id AND bc.k = c.k",
    )
    log("enrolments (5 per partner person, 2 completed)")
    cur.execute(
        "CREATE TEMP TABLE bench_person AS SELECT m.id AS membership_id, m.tenant_id, "
        "m.partner_organization_id AS org_id, row_number() OVER (PARTITION BY m.tenant_id ORDER BY m.id) AS rn "
        "FROM tenancy_membership m WHERE m.role = 'partner'"
    )
    insert_select(
        cur,
        em.Enrolment,
        {
            "id": "gen_random_uuid()",
            "tenant_id": "p.tenant_id",
            "course_id": "c.course_id",
            "version_id": "c.version_id",
            "membership_id": "p.membership_id",
            "organization_id": "p.org_id",
            "started_at": "now() - interval '30 days'",
            "completed_at": "CASE WHEN e <= 2 THEN now() - interval '10 days' END",
            "lessons_done": "CASE WHEN e <= 2 THEN 3 ELSE 1 END",
            "lessons_total": "3",
        },
        "FROM bench_person p CROSS JOIN generate_series(1, 5) e JOIN bench_course c "
        f"ON c.tenant_id = p.tenant_id AND c.k = 1 + (p.rn + e) % {COURSES}",
    )
    log("certification awards (1-2 per partner person, a tenth expired)")
    insert_select(
        cur,
        em.CertificationAward,
        {
            "id": "gen_random_uuid()",
            "tenant_id": "p.tenant_id",
            "certification_id": "c.cert_id",
            "membership_id": "p.membership_id",
            "organization_id": "p.org_id",
            "code": "upper(substr(md5(p.membership_id::text || c.cert_id::text), 1, 14))",
            "issued_at": "now() - (p.rn % 300) * interval '1 day'",
            "valid_until": "(now() + ((p.rn % 400) - 40) * interval '1 day')::date",
        },
        "FROM bench_person p JOIN bench_cert c ON c.tenant_id = p.tenant_id "
        "AND (c.k = 1 OR (c.k = 2 AND p.rn % 2 = 0))",
    )
    log("library assets")
    insert_select(
        cur,
        em.Asset,
        {
            "id": "gen_random_uuid()",
            "tenant_id": "t.id",
            "kind": "'link'",
            "url": "'https://example.com/asset'",
            "title": "format('Asset %s', k)",
            "category": "(ARRAY['Sales decks','Pricing','Security','Case studies'])[1 + k % 4]",
            "tags": "ARRAY['sales']::varchar[]",
        },
        "FROM tenancy_tenant t, generate_series(1, 40) k",
    )
    cur.execute("SET session_replication_role = DEFAULT")
    conn.commit()
    conn.autocommit = True
    for table in ("course", "courseversion", "lesson", "enrolment", "certificationaward", "asset"):
        cur.execute(f"VACUUM ANALYZE enablement_{table}")
    cur.execute(
        "SELECT (SELECT count(*) FROM enablement_course), (SELECT count(*) FROM enablement_enrolment), "
        "(SELECT count(*) FROM enablement_certificationaward)"
    )
    courses, enrolments, awards = cur.fetchone()
    log(f"done: {courses} courses, {enrolments} enrolments, {awards} awards")


if __name__ == "__main__":
    main()
