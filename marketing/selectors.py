"""Reads that span models: campaign figures, lookups for audience labels."""

from __future__ import annotations

from deals.models import Motion
from partners.models import PartnerType, Tier

from .audience import audience_summary
from .models import Campaign, CampaignLaunch

STAT_KEYS = ("views", "leads", "accepted", "deals", "won")


def audience_lookups() -> dict:
    """Names of types, tiers and motions by id (three small queries per page)."""
    return {
        "types": dict(PartnerType.objects.values_list("pk", "name")),
        "tiers": dict(Tier.objects.values_list("pk", "name")),
        "motions": dict(Motion.objects.values_list("pk", "name")),
    }


def describe_audiences(rows, lookups: dict | None = None) -> None:
    """Set `.audience_text` on each row (campaigns, announcements, surveys)."""
    lookups = lookups if lookups is not None else audience_lookups()
    for row in rows:
        row.audience_text = "; ".join(audience_summary(row, lookups=lookups))


def campaign_stats(*, campaign: Campaign) -> dict:
    row = (
        Campaign.objects.filter(pk=campaign.pk)
        .with_stats()
        .values(
            "stat_views", "stat_launches", "stat_leads", "stat_accepted", "stat_deals", "stat_won"
        )[0]
    )
    return {key.removeprefix("stat_"): value or 0 for key, value in row.items()}


def campaign_launches(*, campaign: Campaign):
    """Every partner's launch of a campaign with its figures, for the vendor."""
    return (
        CampaignLaunch.objects.filter(campaign=campaign)
        .select_related("organization")
        .with_stats()
        .order_by("organization__name")
    )


# ---------------------------------------------------------------------------------------
# Campaign links: kit assets from the content library, MDF requests funding campaigns
# ---------------------------------------------------------------------------------------


def campaign_library_items(*, campaign: Campaign, membership) -> list:
    """The kit's library assets as this member may open them (enablement LibraryItems):
    for a partner user only those the library's own rules show it (published, current,
    in its audience); for staff all of them, each with the reason partners may not see
    it (`hidden_reason`) and the link's id (`link_id`, to take it out of the kit)."""
    from enablement.selectors import library_assets_visible_to, library_items

    from .models import CampaignLibraryAsset

    links = dict(
        CampaignLibraryAsset.objects.filter(campaign=campaign).values_list("asset_id", "pk")
    )
    if not links:
        return []
    assets = library_assets_visible_to(membership).filter(pk__in=list(links)).order_by("title")
    items = library_items(assets)
    return [{"item": item, "link_id": links[item.pk]} for item in items]


def funding_describe(fund_requests) -> dict:
    """Registered in incentives.providers.fund_request_links: the campaign each request
    funds, {request pk: LinkedItem} (one query)."""
    from django.urls import reverse

    from incentives.providers import LinkedItem

    from .models import CampaignFunding

    rows = CampaignFunding.objects.filter(
        fund_request_id__in=[r.pk for r in fund_requests]
    ).select_related("launch__campaign")
    return {
        row.fund_request_id: LinkedItem(
            value=str(row.launch.campaign_id),
            label=row.launch.campaign.name,
            console_url=reverse("marketing:console_campaign_detail", args=[row.launch.campaign_id]),
            portal_url=reverse("marketing:portal_launch_detail", args=[row.launch_id]),
        )
        for row in rows
    }


def campaign_mdf(*, campaign_ids=None, launch_ids=None, by: str = "campaign") -> dict:
    """MDF requested and approved for campaigns (by="campaign") or for partners' launches
    (by="launch"): {id: [{"currency", "requests", "requested", "approved"}]}, one query
    (incentives sums it; never across currencies)."""
    from incentives.models import FundRequest
    from incentives.selectors import fund_request_totals

    requests = FundRequest.objects.filter(campaign_funding__isnull=False)
    if campaign_ids is not None:
        requests = requests.filter(campaign_funding__launch__campaign_id__in=list(campaign_ids))
    if launch_ids is not None:
        requests = requests.filter(campaign_funding__launch_id__in=list(launch_ids))
    launch = "campaign_funding__launch"
    group_by = f"{launch}__campaign_id" if by == "campaign" else f"{launch}_id"
    return fund_request_totals(requests=requests, group_by=group_by)


def set_campaign_mdf(rows, *, by: str = "campaign") -> None:
    """Set `.mdf` (a list per currency, empty for none) on campaigns or launches."""
    rows = list(rows)
    if not rows:
        return
    ids = [row.pk for row in rows]
    totals = (
        campaign_mdf(campaign_ids=ids, by="campaign")
        if by == "campaign"
        else campaign_mdf(launch_ids=ids, by="launch")
    )
    for row in rows:
        row.mdf = totals.get(row.pk, [])


# ---------------------------------------------------------------------------------------
# Announcements
# ---------------------------------------------------------------------------------------


def announcements_unread_count(*, membership) -> int:
    """Live announcements aimed at this partner user that it has not opened (one query
    after the audience profile)."""
    from .models import Announcement, AnnouncementRead

    if membership is None or not membership.is_partner:
        return 0
    read = AnnouncementRead.objects.filter(user_id=membership.user_id).values("announcement_id")
    return Announcement.objects.visible_to(membership).exclude(pk__in=read).count()


def announcement_receipts(*, announcement) -> list:
    """Every person the announcement targets, with when they read it (None: not yet)."""
    from django.db.models import OuterRef, Subquery

    from .audience import audience_memberships
    from .models import AnnouncementRead

    read_at = AnnouncementRead.objects.filter(
        announcement=announcement, user=OuterRef("user_id")
    ).values("read_at")[:1]
    return list(
        audience_memberships(announcement)
        .select_related("user", "partner_organization")
        .annotate(read_at=Subquery(read_at))
        .order_by("partner_organization__name", "user__email")
    )


def announcement_digest_lines(since) -> dict:
    """Digest provider: announcements marked for the digest published since `since`,
    for each targeted person who has not read them."""
    from django.utils import timezone

    from .audience import audience_memberships
    from .models import Announcement, AnnouncementRead

    lines: dict = {}
    fresh = Announcement.objects.live().filter(
        include_in_digest=True, published_at__gte=since, published_at__lte=timezone.now()
    )
    for announcement in fresh:
        read = AnnouncementRead.objects.filter(announcement=announcement).values("user_id")
        user_ids = (
            audience_memberships(announcement)
            .exclude(user_id__in=read)
            .values_list("user_id", flat=True)
        )
        for user_id in user_ids:
            lines.setdefault(user_id, []).append(f"Announcement: {announcement.title}")
    return lines


def announcements_header_count(request) -> list:
    """Header provider: the partner user's unread announcements, beside the inbox."""
    from django.urls import reverse

    from prm.core.providers import HeaderCount

    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_partner:
        return []
    return [
        HeaderCount(
            label="News",
            url=reverse("marketing:portal_announcement_list"),
            count=announcements_unread_count(membership=membership),
            testid="announcements-unread",
        )
    ]


# ---------------------------------------------------------------------------------------
# Surveys
# ---------------------------------------------------------------------------------------


def nps_summary(scores: dict[int, int]) -> dict:
    """NPS from a {score: count} distribution: % promoters (9–10) − % detractors (0–6)."""
    total = sum(scores.values())
    promoters = sum(n for s, n in scores.items() if s >= 9)
    passives = sum(n for s, n in scores.items() if 7 <= s <= 8)
    detractors = sum(n for s, n in scores.items() if s <= 6)
    score = round(100 * (promoters - detractors) / total) if total else None
    return {
        "responses": total,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "nps": score,
    }


def survey_results(*, survey, partner_type_id=None, tier_id=None) -> dict:
    """Everything the results page shows, in a fixed number of queries.

    Distribution per question, NPS, free text (with the person only when the survey is
    not anonymous), NPS by partner type and by tier; optionally narrowed to one type or
    tier.
    """
    from collections import defaultdict

    from django.db.models import Count

    from partners.models import PartnerType, Tier

    from .audience import audience_memberships
    from .choices import QuestionKind
    from .models import SurveyAnswer, SurveyResponse

    responses = SurveyResponse.objects.filter(survey=survey)
    if partner_type_id:
        responses = responses.filter(partner_type_id=partner_type_id)
    if tier_id:
        responses = responses.filter(tier_id=tier_id)
    questions = list(survey.questions.all())
    answers = SurveyAnswer.objects.filter(response__in=responses)
    counts = (
        answers.exclude(question__kind=QuestionKind.TEXT)
        .values("question_id", "number", "choice")
        .annotate(n=Count("id"))
        .order_by()
    )
    dist: dict = defaultdict(dict)
    for row in counts:
        key = row["number"] if row["number"] is not None else row["choice"]
        dist[row["question_id"]][key] = row["n"]
    texts: dict = defaultdict(list)
    text_rows = (
        answers.filter(question__kind=QuestionKind.TEXT)
        .select_related("response__user", "response__organization")
        .order_by("response__submitted_at")
    )
    for answer in text_rows:
        who = (
            ""
            if survey.is_anonymous
            else f"{answer.response.user.display_name} ({answer.response.organization.name})"
        )
        texts[answer.question_id].append({"text": answer.text, "who": who})
    results = []
    nps_question = None
    for question in questions:
        scores = dist.get(question.pk, {})
        if question.kind == QuestionKind.NPS:
            options = list(range(0, 11))
            nps_question = question
        elif question.kind == QuestionKind.RATING:
            options = list(range(1, 6))
        elif question.kind == QuestionKind.CHOICE:
            options = list(question.choices)
        else:
            options = []
        total = sum(scores.values())
        rows = [
            {
                "option": o,
                "count": scores.get(o, 0),
                "percent": round(100 * scores.get(o, 0) / total) if total else 0,
            }
            for o in options
        ]
        results.append(
            {
                "question": question,
                "answered": total if options else len(texts.get(question.pk, [])),
                "distribution": rows,
                "texts": texts.get(question.pk, []),
                "nps": nps_summary(scores) if question.kind == QuestionKind.NPS else None,
            }
        )
    by_segment = {"types": [], "tiers": []}
    if nps_question is not None:
        rows = (
            answers.filter(question=nps_question)
            .values("response__partner_type_id", "response__tier_id", "number")
            .annotate(n=Count("id"))
            .order_by()
        )
        per_type: dict = defaultdict(dict)
        per_tier: dict = defaultdict(dict)
        for row in rows:
            t, r = row["response__partner_type_id"], row["response__tier_id"]
            per_type[t][row["number"]] = per_type[t].get(row["number"], 0) + row["n"]
            per_tier[r][row["number"]] = per_tier[r].get(row["number"], 0) + row["n"]
        type_names = dict(PartnerType.objects.values_list("pk", "name"))
        tier_names = dict(Tier.objects.values_list("pk", "name"))
        by_segment["types"] = sorted(
            ({"name": type_names.get(k, "No type"), **nps_summary(v)} for k, v in per_type.items()),
            key=lambda r: r["name"],
        )
        by_segment["tiers"] = sorted(
            ({"name": tier_names.get(k, "No tier"), **nps_summary(v)} for k, v in per_tier.items()),
            key=lambda r: r["name"],
        )
    return {
        "responses": responses.count(),
        "targeted": audience_memberships(survey).count(),
        "questions": results,
        "by_type": by_segment["types"],
        "by_tier": by_segment["tiers"],
    }


def survey_csv_rows(*, survey):
    """Header and one row per response, anonymised when the survey says so."""
    from django.db.models import Prefetch

    from prm.core.text import csv_cell

    from .models import SurveyAnswer, SurveyResponse

    questions = list(survey.questions.all())
    yield [
        "respondent",
        "organization",
        "partner type",
        "tier",
        "answered at",
        *[q.text for q in questions],
    ]
    responses = (
        SurveyResponse.objects.filter(survey=survey)
        .select_related("user", "organization", "partner_type", "tier")
        .prefetch_related(Prefetch("answers", queryset=SurveyAnswer.objects.all()))
        .order_by("submitted_at")
    )
    for n, response in enumerate(responses.iterator(chunk_size=500), start=1):
        by_question = {a.question_id: a for a in response.answers.all()}
        values = []
        for question in questions:
            answer = by_question.get(question.pk)
            value = ""
            if answer is not None:
                value = (
                    answer.number if answer.number is not None else (answer.choice or answer.text)
                )
            values.append(csv_cell(value))
        yield [
            f"Respondent {n}" if survey.is_anonymous else csv_cell(response.user.email),
            "" if survey.is_anonymous else csv_cell(response.organization.name),
            csv_cell(response.partner_type.name if response.partner_type else ""),
            csv_cell(response.tier.name if response.tier else ""),
            response.updated_at.isoformat(),
            *values,
        ]
