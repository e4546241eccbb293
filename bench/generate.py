# ruff: noqa: E501, S608 - SQL text, built from constants and the models, never from input
"""Benchmark data: tenants, partners, people, catalogues and deals, in set-based SQL.

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/generate.py \
        [--tenants 20] [--partners 10000] [--deals 1000000]

Runs as the owner role of DATABASE_URL (it owns the tables; a superuser also bypasses
row-level security), on a migrated database, and replaces whatever it holds (TRUNCATE
of tenants and users, CASCADE). Speed comes from:
- `SET session_replication_role = replica` for the load: the audit triggers (pghistory)
  and the FK triggers do not fire, so no history rows are written for the generated
  data and referential integrity is guaranteed by construction instead of checked;
- the secondary indexes of the big tables are dropped before the load and re-created
  from their own definitions after it (constraint indexes stay);
- every big table is filled with one INSERT ... SELECT over generate_series / a plan
  table, never an ORM loop; then VACUUM ANALYZE.

Columns: each INSERT names the columns it means to fill; every other column of the
model gets its model default (or NULL, or '' for blank text) — read from the model at
run time, so columns added later are filled too, and a NOT NULL column with no default
stops the run with its name instead of failing half-way.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.postgres.fields import ArrayField  # noqa: E402
from django.db import connection as django_connection  # noqa: E402
from django.db import models  # noqa: E402

from deals import models as dm  # noqa: E402
from deals.services import normalize_company_name  # noqa: E402
from partners import models as pm  # noqa: E402
from prm.accounts.models import User  # noqa: E402
from prm.core.text import web_domain  # noqa: E402
from prm.tenancy.models import Membership, Tenant  # noqa: E402

PASSWORD = "bench-password-2026"  # noqa: S105 - benchmark login on a throwaway database
SLUG = "bench{:02d}"
BIG_TABLES = ("deals_deal", "deals_dealline", "deals_dealtransition", "deals_dealconflict")

T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {message}", flush=True)


# --- generic column filling ---------------------------------------------------------------


def literal(cursor, field, value) -> str:
    if isinstance(field, ArrayField) and value == []:
        return "'{}'"
    prepared = field.get_db_prep_save(value, django_connection)
    return cursor.mogrify("%s", [prepared]).decode()


def literal_text(cursor, value: str) -> str:
    return cursor.mogrify("%s", [value]).decode()


def fill_rest(cursor, model, given: dict[str, str]) -> dict[str, str]:
    """`given` (column → SQL expression) plus every other column's default."""
    out = dict(given)
    for field in model._meta.concrete_fields:
        column = field.column
        if column in out:
            continue
        if isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField):
            continue  # the sequence fills it
        if field.primary_key and isinstance(field, models.UUIDField):
            out[column] = "bench_uuid7(now())"
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            out[column] = "now()"
        elif field.has_default():
            out[column] = literal(cursor, field, field.get_default())
        elif field.null:
            out[column] = "NULL"
        elif field.empty_strings_allowed and field.blank:
            out[column] = "''"
        else:
            raise SystemExit(
                f"{model.__name__}.{field.name} ({column}) is NOT NULL with no default: "
                "teach bench/generate.py what to put in it."
            )
    return out


def insert_select(cursor, model, given: dict[str, str], from_sql: str, params=()) -> int:
    columns = fill_rest(cursor, model, given)
    names = ", ".join(f'"{c}"' for c in columns)
    exprs = ",\n    ".join(f'{e} AS "{c}"' for c, e in columns.items())
    # Only the FROM part takes parameters: the expressions are SQL as written (their
    # `%` is SQL's modulo or format()'s placeholder, never a parameter).
    if params:
        from_sql = cursor.mogrify(from_sql, params).decode()
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({names})\nSELECT\n    {exprs}\n{from_sql}")
    return cursor.rowcount


# --- word lists for realistic customers -----------------------------------------------------

SYLLABLES = [
    "al",
    "ar",
    "ba",
    "be",
    "bri",
    "ca",
    "cor",
    "da",
    "del",
    "en",
    "fa",
    "fer",
    "ga",
    "hal",
    "in",
    "ka",
    "kel",
    "la",
    "lu",
    "ma",
    "mar",
    "ne",
    "nor",
    "o",
    "pa",
    "per",
    "qua",
    "ra",
    "ri",
    "sa",
    "sel",
    "ta",
    "tor",
    "u",
    "va",
    "ven",
    "wi",
    "xa",
    "ya",
    "ze",
    "zen",
    "tri",
    "lo",
    "mi",
]
NOUNS = [
    "harbor",
    "summit",
    "river",
    "pine",
    "oak",
    "cedar",
    "maple",
    "stone",
    "iron",
    "silver",
    "golden",
    "bright",
    "clear",
    "north",
    "south",
    "east",
    "west",
    "blue",
    "green",
    "red",
    "prime",
    "apex",
    "vertex",
    "nova",
    "orbit",
    "quantum",
    "pixel",
    "atlas",
    "beacon",
    "bridge",
    "crest",
    "delta",
    "echo",
    "falcon",
    "granite",
    "horizon",
    "lumen",
    "meridian",
    "nimbus",
    "onyx",
    "pioneer",
    "ridge",
    "sierra",
    "tidal",
    "union",
    "vista",
    "willow",
    "zenith",
    "harvest",
]
INDUSTRIES = [
    "Logistics",
    "Foods",
    "Health",
    "Systems",
    "Analytics",
    "Energy",
    "Retail",
    "Manufacturing",
    "Consulting",
    "Capital",
    "Media",
    "Labs",
    "Networks",
    "Pharma",
    "Construction",
    "Insurance",
    "Motors",
    "Textiles",
    "Telecom",
    "Hospitality",
    "Software",
    "Robotics",
    "Aerospace",
    "Farms",
    "Clinics",
    "Partners",
    "Group",
    "Holdings",
]
LEGAL = ["Inc.", "Ltd", "GmbH", "LLC", "S.A.", "", "Corp.", "plc", "B.V.", "AG", "", ""]
TLDS = ["com", "com", "com", "io", "co.uk", "de", "fr", "net", "com.au", "nl"]
COUNTRIES = ["US", "US", "US", "GB", "DE", "FR", "CA", "AU", "NL", "ES", "IT", "SE", "JP", "BR"]
CUSTOMERS = 120_000  # distinct customer companies (each tenant draws from all of them)


def customers():
    n_syl = len(SYLLABLES)
    for i in range(CUSTOMERS):
        a = SYLLABLES[i % n_syl]
        b = SYLLABLES[(i // n_syl) % n_syl]
        c = SYLLABLES[(i * 7 + 3) % n_syl]
        brand = (a + b + (c if i % 3 else "")).capitalize()
        noun = NOUNS[(i // (n_syl * n_syl)) % len(NOUNS)].capitalize()
        industry = INDUSTRIES[(i * 13) % len(INDUSTRIES)]
        legal = LEGAL[(i * 5) % len(LEGAL)]
        name = " ".join(part for part in (brand, noun, industry, legal) if part)
        domain = f"{brand}{noun}{i % 97 if i % 4 == 0 else ''}.{TLDS[i % len(TLDS)]}".lower()
        yield i, name, normalize_company_name(value=name), web_domain(domain)


PARTNER_WORDS = [
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Adatum",
    "Litware",
    "Proseware",
    "Tailspin",
    "Wingtip",
    "Woodgrove",
    "Fourth",
    "Coffee",
    "Alpine",
    "Blue",
    "Yonder",
    "Lucerne",
    "Margie",
    "Trey",
    "Humongous",
    "Relecloud",
    "Wide",
    "World",
]


# --- the run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--partners", type=int, default=10_000, help="in total")
    parser.add_argument("--deals", type=int, default=1_000_000, help="in total")
    parser.add_argument("--cms", type=int, default=5, help="channel managers per tenant")
    args = parser.parse_args()
    per_tenant_orgs = max(1, args.partners // args.tenants)
    per_tenant_deals = max(1, args.deals // args.tenants)

    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname=db["NAME"],
        user=settings.DATABASE_OWNER_USER,
        password=settings.DATABASE_OWNER_PASSWORD or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("SET session_replication_role = replica")
    cur.execute("SET maintenance_work_mem = '512MB'")
    cur.execute("SET work_mem = '256MB'")
    cur.execute("SELECT setseed(0.42)")
    cur.execute(
        """
        CREATE OR REPLACE FUNCTION bench_uuid7(ts timestamptz) RETURNS uuid
        LANGUAGE sql VOLATILE AS $$
          SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
            PLACING substring(int8send(floor(extract(epoch FROM ts) * 1000)::bigint) FROM 3)
            FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
        $$;
        """
    )

    log("emptying the database (TRUNCATE tenants and users CASCADE)")
    cur.execute(f"TRUNCATE {Tenant._meta.db_table}, {User._meta.db_table}, django_session CASCADE")

    # --- tenants -------------------------------------------------------------------------
    log(f"{args.tenants} tenants")
    insert_select(
        cur,
        Tenant,
        {
            "id": "g",
            "slug": f"format('{SLUG.replace('{:02d}', '%s')}', lpad(g::text, 2, '0'))",
            "name": "format('Bench Vendor %s', lpad(g::text, 2, '0'))",
        },
        "FROM generate_series(1, %s) g",
        [args.tenants],
    )
    cur.execute(
        f"SELECT setval(pg_get_serial_sequence('{Tenant._meta.db_table}', 'id'), %s)",
        [args.tenants],
    )

    # --- people --------------------------------------------------------------------------
    password = make_password(PASSWORD)
    log(f"staff users: 1 admin and {args.cms} channel managers per tenant")
    cur.execute(
        "CREATE TEMP TABLE bench_staff AS SELECT t AS tenant_id, k, bench_uuid7(now()) AS user_id "
        "FROM generate_series(1, %s) t, generate_series(0, %s) k",
        [args.tenants, args.cms],
    )
    insert_select(
        cur,
        User,
        {
            "id": "s.user_id",
            "email": "CASE WHEN s.k = 0 THEN format('admin@bench%s.test', lpad(s.tenant_id::text, 2, '0')) "
            "ELSE format('cm%s@bench%s.test', s.k, lpad(s.tenant_id::text, 2, '0')) END",
            "full_name": "CASE WHEN s.k = 0 THEN 'Program Admin' ELSE format('Channel Manager %s', s.k) END",
            "password": literal_text(cur, password),
        },
        "FROM bench_staff s",
    )
    insert_select(
        cur,
        Membership,
        {
            "tenant_id": "s.tenant_id",
            "user_id": "s.user_id",
            "role": "CASE WHEN s.k = 0 THEN 'admin' ELSE 'channel_manager' END",
        },
        "FROM bench_staff s",
    )

    # --- program catalogue: partner types, tiers -----------------------------------------
    log("partner types and tiers")
    insert_select(
        cur,
        pm.PartnerType,
        {
            "tenant_id": "t",
            "key": "(ARRAY['reseller','referral','distributor'])[k]",
            "name": "(ARRAY['Reseller','Referral partner','Distributor'])[k]",
        },
        "FROM generate_series(1, %s) t, generate_series(1, 3) k",
        [args.tenants],
    )
    insert_select(
        cur,
        pm.Tier,
        {
            "tenant_id": "t",
            "name": "(ARRAY['Registered','Silver','Gold'])[k]",
            "rank": "k",
        },
        "FROM generate_series(1, %s) t, generate_series(1, 3) k",
        [args.tenants],
    )

    # --- partner organizations -----------------------------------------------------------
    log(f"{per_tenant_orgs * args.tenants} partner organizations")
    cur.execute(
        """
        CREATE TEMP TABLE bench_cm AS
        SELECT tenant_id, k - 1 AS k, user_id FROM bench_staff WHERE k > 0
        """
    )
    cur.execute(
        """
        CREATE TEMP TABLE bench_org AS
        SELECT t AS tenant_id, g AS idx, bench_uuid7(now() - interval '4 years'
               + g * interval '1 hour') AS org_id, bench_uuid7(now()) AS user_id
        FROM generate_series(1, %s) t, generate_series(0, %s - 1) g
        """,
        [args.tenants, per_tenant_orgs],
    )
    cur.execute("CREATE UNIQUE INDEX ON bench_org (tenant_id, idx)")
    words = "ARRAY[" + ",".join(f"'{w}'" for w in PARTNER_WORDS) + "]"
    countries = "ARRAY[" + ",".join(f"'{c}'" for c in COUNTRIES) + "]"
    n_cms = args.cms
    insert_select(
        cur,
        pm.PartnerOrganization,
        {
            "id": "o.org_id",
            "tenant_id": "o.tenant_id",
            "name": f"format('%s %s Partners %s', ({words})[1 + o.idx % {len(PARTNER_WORDS)}], "
            f"({words})[1 + (o.idx / {len(PARTNER_WORDS)}) % {len(PARTNER_WORDS)}], o.idx)",
            "website": "format('https://partner%s.bench%s.example', o.idx, o.tenant_id)",
            "domain": "format('partner%s.bench%s.example', o.idx, o.tenant_id)",
            "country": f"({countries})[1 + o.idx % {len(COUNTRIES)}]",
            "description": "'A partner generated for the benchmark.'",
            "partner_type_id": "(SELECT id FROM partners_partnertype pt WHERE pt.tenant_id = "
            "o.tenant_id ORDER BY key OFFSET o.idx % 3 LIMIT 1)",
            "tier_id": "(SELECT id FROM partners_tier ti WHERE ti.tenant_id = o.tenant_id "
            "AND ti.rank = 1 + (CASE WHEN o.idx < 20 THEN 2 WHEN o.idx % 5 = 0 THEN 1 ELSE 0 END))",
            "channel_manager_id": "(SELECT user_id FROM bench_cm c WHERE c.tenant_id = o.tenant_id "
            f"AND c.k = o.idx % {n_cms})",
            "lifecycle_stage": "'active'",
            "stage_changed_at": "now() - interval '1 year'",
            "last_activity_at": "now() - (o.idx % 90) * interval '1 day'",
            "is_active": "true",
            "created_at": "now() - interval '4 years' + o.idx * interval '1 hour'",
        },
        "FROM bench_org o",
    )

    log("one partner admin per organization")
    insert_select(
        cur,
        User,
        {
            "id": "o.user_id",
            "email": "format('p%s@partner%s.bench%s.example', o.idx, o.idx, o.tenant_id)",
            "full_name": "format('Partner Admin %s', o.idx)",
            "password": literal_text(cur, password),
        },
        "FROM bench_org o",
    )
    insert_select(
        cur,
        Membership,
        {
            "tenant_id": "o.tenant_id",
            "user_id": "o.user_id",
            "role": "'partner'",
            "partner_organization_id": "o.org_id",
            "partner_role": "'partner_admin'",
        },
        "FROM bench_org o",
    )
    from allauth.account.models import EmailAddress

    insert_select(
        cur,
        EmailAddress,
        {"user_id": "u.id", "email": "u.email", "verified": "true", "primary": "true"},
        f"FROM {User._meta.db_table} u",
    )

    # --- deal catalogue: products, motions, stages, settings ------------------------------
    log("products, motions and stages")
    insert_select(
        cur,
        dm.Product,
        {
            "tenant_id": "t",
            "name": "format('%s %s', (ARRAY['Cloud','Edge','Data','Secure','Insight'])[1 + k % 5],"
            " (ARRAY['Suite','Platform','Gateway','Analytics'])[1 + k / 5])",
            "sku": "format('SKU-%s', lpad(k::text, 3, '0'))",
            "family": "(ARRAY['Platform','Security','Data','Services'])[1 + k % 4]",
            "list_price": "1000 + 500 * k",
            "is_active": "true",
        },
        "FROM generate_series(1, %s) t, generate_series(0, 19) k",
        [args.tenants],
    )
    insert_select(
        cur,
        dm.Motion,
        {
            "tenant_id": "t",
            "key": "(ARRAY['resell','referral','co-sell'])[k]",
            "name": "(ARRAY['Resell','Referral','Co-sell'])[k]",
            "default_partner_role": "(ARRAY['reseller','referral','reseller'])[k]",
            "is_active": "true",
        },
        "FROM generate_series(1, %s) t, generate_series(1, 3) k",
        [args.tenants],
    )
    insert_select(
        cur,
        dm.MotionStage,
        {
            "tenant_id": "m.tenant_id",
            "motion_id": "m.id",
            "name": "(ARRAY['Qualify','Propose','Negotiate','Won','Lost'])[p]",
            "position": "p",
            "owner": "(ARRAY['partner','both','vendor','both','both'])[p]",
            "sla_days": "14",
            "is_won": "p = 4",
            "is_lost": "p = 5",
        },
        "FROM deals_motion m, generate_series(1, 5) p",
    )
    insert_select(
        cur, dm.DealSettings, {"tenant_id": "t"}, "FROM generate_series(1, %s) t", [args.tenants]
    )
    insert_select(
        cur,
        dm.DealNumberSequence,
        {"tenant_id": "t", "last_number": str(per_tenant_deals)},
        "FROM generate_series(1, %s) t",
        [args.tenants],
    )
    cur.execute(
        "CREATE TEMP TABLE bench_product AS SELECT tenant_id, "
        "(regexp_replace(sku, '\\D', '', 'g'))::int AS k, id, list_price FROM deals_product"
    )
    cur.execute("CREATE UNIQUE INDEX ON bench_product (tenant_id, k)")
    cur.execute(
        "CREATE TEMP TABLE bench_motion AS SELECT m.tenant_id, "
        "array_position(ARRAY['resell','referral','co-sell'], m.key::text) - 1 AS k, m.id, "
        "(SELECT id FROM deals_motionstage s WHERE s.motion_id = m.id AND position = 2) AS open_stage, "
        "(SELECT id FROM deals_motionstage s WHERE s.motion_id = m.id AND position = 4) AS won_stage, "
        "(SELECT id FROM deals_motionstage s WHERE s.motion_id = m.id AND position = 5) AS lost_stage "
        "FROM deals_motion m"
    )
    cur.execute("CREATE UNIQUE INDEX ON bench_motion (tenant_id, k)")

    # --- customers -----------------------------------------------------------------------
    log(f"{CUSTOMERS} customer companies (names normalised by deals.services)")
    cur.execute(
        "CREATE TEMP TABLE bench_customer (i int PRIMARY KEY, name text, norm text, domain text)"
    )
    import io

    buf = io.StringIO()
    for i, name, norm, domain in customers():
        buf.write(f"{i}\t{name}\t{norm}\t{domain}\n")
    buf.seek(0)
    cur.copy_expert("COPY bench_customer FROM STDIN", buf)

    # --- the plan of every deal ------------------------------------------------------------
    log(f"planning {per_tenant_deals * args.tenants} deals")
    cur.execute(
        """
        CREATE TEMP TABLE bench_plan AS
        WITH g AS (
            SELECT t AS tenant_id, n, n::float8 / %(per)s AS f, random() AS r1, random() AS r2,
                   random() AS r3, (random() * 2147483647)::int AS h
            FROM generate_series(1, %(tenants)s) t, generate_series(1, %(per)s) n
        )
        SELECT g.tenant_id, g.n, g.h,
               -- skewed: the first organizations of a tenant have far more deals
               floor(%(orgs)s * g.r1 * g.r1)::int AS org_idx,
               (g.h %% %(customers)s) AS cust,
               now() - (1 - g.f) * interval '3 years' - g.r3 * interval '12 hours' AS created_at,
               CASE
                 WHEN g.f > 0.97 THEN
                   CASE WHEN g.r2 < 0.2 THEN 'draft' WHEN g.r2 < 0.85 THEN 'submitted'
                        ELSE 'info_requested' END
                 WHEN g.f > 0.75 THEN
                   CASE WHEN g.r2 < 0.6 THEN 'approved' WHEN g.r2 < 0.7 THEN 'rejected'
                        WHEN g.r2 < 0.85 THEN 'won' ELSE 'lost' END
                 ELSE
                   CASE WHEN g.r2 < 0.45 THEN 'won' WHEN g.r2 < 0.75 THEN 'lost'
                        WHEN g.r2 < 0.9 THEN 'expired' ELSE 'rejected' END
               END AS status,
               g.h %% 3 AS motion_k,
               g.h %% 20 AS p1, 1 + (g.h / 20) %% 10 AS q1,
               CASE WHEN (g.h / 200) %% 2 = 0 THEN (g.h %% 20 + 1 + (g.h / 400) %% 19) %% 20 END
                 AS p2,
               1 + (g.h / 8000) %% 5 AS q2
        FROM g
        """,
        {
            "per": per_tenant_deals,
            "tenants": args.tenants,
            "orgs": per_tenant_orgs,
            "customers": CUSTOMERS,
        },
    )
    cur.execute("ALTER TABLE bench_plan ADD COLUMN id uuid")
    cur.execute("UPDATE bench_plan SET id = bench_uuid7(created_at)")
    cur.execute("CREATE UNIQUE INDEX ON bench_plan (tenant_id, n)")
    cur.execute("ANALYZE bench_plan")

    # --- drop secondary indexes of the big tables, load, re-create ---------------------------
    cur.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [list(BIG_TABLES)],
    )
    dropped = cur.fetchall()
    for name, _ in dropped:
        cur.execute(f'DROP INDEX "{name}"')
    log(f"dropped {len(dropped)} secondary indexes for the load")

    log("deals")
    stmt_status = "p.status"
    submitted = "p.status <> 'draft'"
    reviewed = "p.status NOT IN ('draft', 'submitted', 'info_requested')"
    approved_ever = "p.status IN ('approved', 'won', 'lost', 'expired')"
    amount = "(p.q1 * pr1.list_price + coalesce(p.q2 * pr2.list_price, 0))"
    insert_select(
        cur,
        dm.Deal,
        {
            "id": "p.id",
            "tenant_id": "p.tenant_id",
            "number": "p.n",
            "organization_id": "o.org_id",
            "motion_id": "mo.id",
            "stage_id": "CASE p.status WHEN 'approved' THEN mo.open_stage WHEN 'won' THEN "
            "mo.won_stage WHEN 'lost' THEN mo.lost_stage WHEN 'expired' THEN mo.open_stage END",
            "status": stmt_status,
            "customer_name": "c.name",
            "customer_name_normalized": "c.norm",
            "customer_domain": "c.domain",
            "country": f"({countries})[1 + p.h % {len(COUNTRIES)}]",
            "contact_name": "format('Buyer %s', p.h % 1000)",
            "contact_email": "format('buyer%s@%s', p.h % 1000, c.domain)",
            "expected_close_date": "(p.created_at + interval '90 days')::date",
            "notes": "''",
            "amount": amount,
            "created_by_id": "o.user_id",
            "submitted_by_id": f"CASE WHEN {submitted} THEN o.user_id END",
            "submitted_at": f"CASE WHEN {submitted} THEN p.created_at + interval '1 hour' END",
            "first_submitted_at": f"CASE WHEN {submitted} THEN p.created_at + interval '1 hour' END",
            "reviewed_by_id": f"CASE WHEN {reviewed} THEN cm.user_id END",
            "approved_at": f"CASE WHEN {approved_ever} THEN p.created_at + interval '2 days' END",
            "protection_expires_on": f"CASE WHEN {approved_ever} THEN "
            "(p.created_at + interval '92 days')::date END",
            "rejection_code": "CASE WHEN p.status = 'rejected' THEN 'not_qualified' ELSE '' END",
            "rejection_reason": "CASE WHEN p.status = 'rejected' THEN "
            "'Opportunity not qualified by the vendor.' ELSE '' END",
            "info_request": "CASE WHEN p.status = 'info_requested' THEN "
            "'Please add the decision maker.' ELSE '' END",
            "closed_on": "CASE WHEN p.status IN ('won', 'lost') THEN "
            "(p.created_at + interval '80 days')::date END",
            "final_amount": f"CASE WHEN p.status = 'won' THEN {amount} END",
            "stage_entered_at": f"CASE WHEN {approved_ever} THEN p.created_at + interval '2 days' END",
            "created_at": "p.created_at",
            "updated_at": "p.created_at + interval '3 days'",
        },
        """
        FROM bench_plan p
        JOIN bench_org o ON o.tenant_id = p.tenant_id AND o.idx = p.org_idx
        JOIN bench_customer c ON c.i = p.cust
        JOIN bench_motion mo ON mo.tenant_id = p.tenant_id AND mo.k = p.motion_k
        JOIN bench_product pr1 ON pr1.tenant_id = p.tenant_id AND pr1.k = p.p1
        LEFT JOIN bench_product pr2 ON pr2.tenant_id = p.tenant_id AND pr2.k = p.p2
        LEFT JOIN bench_cm cm ON cm.tenant_id = p.tenant_id AND cm.k = p.n %% %s
        """,
        [n_cms],
    )
    log("deal lines")
    for which, qty in (("p1", "q1"), ("p2", "q2")):
        insert_select(
            cur,
            dm.DealLine,
            {
                "tenant_id": "p.tenant_id",
                "deal_id": "p.id",
                "product_id": "pr.id",
                "quantity": f"p.{qty}",
                "amount": f"p.{qty} * pr.list_price",
            },
            f"FROM bench_plan p JOIN bench_product pr ON pr.tenant_id = p.tenant_id "
            f"AND pr.k = p.{which}",
        )
    log("deal transitions (submitted, then the review decision)")
    insert_select(
        cur,
        dm.DealTransition,
        {
            "tenant_id": "p.tenant_id",
            "deal_id": "p.id",
            "kind": "'status'",
            "from_value": "'draft'",
            "to_value": "'submitted'",
            "actor_id": "o.user_id",
            "created_at": "p.created_at + interval '1 hour'",
        },
        "FROM bench_plan p JOIN bench_org o ON o.tenant_id = p.tenant_id AND o.idx = p.org_idx "
        "WHERE p.status <> 'draft'",
    )
    insert_select(
        cur,
        dm.DealTransition,
        {
            "tenant_id": "p.tenant_id",
            "deal_id": "p.id",
            "kind": "'status'",
            "from_value": "'submitted'",
            "to_value": "CASE WHEN p.status IN ('rejected', 'info_requested') THEN p.status "
            "ELSE 'approved' END",
            "reason": "''",
            "actor_id": "cm.user_id",
            "created_at": "p.created_at + interval '2 days'",
        },
        "FROM bench_plan p LEFT JOIN bench_cm cm ON cm.tenant_id = p.tenant_id AND cm.k = p.n %% %s "
        "WHERE p.status NOT IN ('draft', 'submitted')",
        [n_cms],
    )
    log("open conflicts: pending registrations against an earlier open one of the customer")
    insert_select(
        cur,
        dm.DealConflict,
        {
            "tenant_id": "x.tenant_id",
            "deal_id": "x.id",
            "other_deal_id": "x.other_id",
            "score": "0.85",
            "domain_match": "true",
            "name_similarity": "1.0",
            "overlapping_products": "'[]'::jsonb",
            "reasons": "jsonb_build_array('Same customer domain')",
            "status": "'open'",
        },
        """
        FROM (
            SELECT DISTINCT ON (p.id) p.tenant_id, p.id, q.id AS other_id
            FROM bench_plan p
            JOIN bench_plan q ON q.tenant_id = p.tenant_id AND q.cust = p.cust AND q.n < p.n
                 AND q.status IN ('submitted', 'info_requested', 'approved')
            WHERE p.status IN ('submitted', 'info_requested')
            ORDER BY p.id, q.n
        ) x
        """,
    )

    for name, definition in dropped:
        log(f"re-creating {name}")
        cur.execute(definition)
    cur.execute("SET session_replication_role = origin")
    conn.commit()

    log("VACUUM ANALYZE")
    conn.autocommit = True
    cur.execute("VACUUM ANALYZE")

    cur.execute(
        "SELECT (SELECT count(*) FROM tenancy_tenant), (SELECT count(*) FROM "
        "partners_partnerorganization), (SELECT count(*) FROM accounts_user), "
        "(SELECT count(*) FROM deals_deal), (SELECT count(*) FROM deals_dealline), "
        "(SELECT count(*) FROM deals_dealtransition), (SELECT count(*) FROM deals_dealconflict), "
        "pg_size_pretty(pg_database_size(current_database()))"
    )
    t, o, u, d, dl, dt, dc, size = cur.fetchone()
    log(
        f"done: {t} tenants, {o} partner organizations, {u} users, {d} deals, {dl} deal lines, "
        f"{dt} transitions, {dc} open conflicts; database {size}"
    )
    conn.close()


if __name__ == "__main__":
    main()
