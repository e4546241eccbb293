from django.db import models


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"


class HelpCategory(models.TextChoices):
    DEAL = "deal", "A deal"
    TECHNICAL = "technical", "Technical"
    PROGRAM = "program", "The partner program"
    FUNDS = "funds", "Funds and payments"


class HelpStatus(models.TextChoices):
    OPEN = "open", "Open"
    WAITING_ON_PARTNER = "waiting_on_partner", "Waiting on partner"
    RESOLVED = "resolved", "Resolved"


class QuestionKind(models.TextChoices):
    NPS = "nps", "Net Promoter Score (0–10)"
    RATING = "rating", "Rating (1–5)"
    CHOICE = "choice", "Single choice"
    TEXT = "text", "Free text"


# Hours the vendor has to give a first answer, per help category.
HELP_RESPONSE_HOURS = {
    HelpCategory.DEAL: 8,
    HelpCategory.TECHNICAL: 24,
    HelpCategory.PROGRAM: 48,
    HelpCategory.FUNDS: 48,
}
