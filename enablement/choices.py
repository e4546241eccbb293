from django.db import models


class VersionStatus(models.TextChoices):
    """A course version: drafted, then published (one at a time), then retired."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class LessonKind(models.TextChoices):
    TEXT = "text", "Text"
    VIDEO = "video", "Video"
    FILE = "file", "File"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    TRUE_FALSE = "true_false", "True / false"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    # Submitted after the time limit: graded as failed, answers not read.
    TIMED_OUT = "timed_out", "Out of time"
    # The quiz changed while the attempt was open: not counted against the limit.
    VOID = "void", "Void (quiz changed)"


# Statuses that count against the attempt limit.
COUNTED_ATTEMPTS = (AttemptStatus.PASSED, AttemptStatus.FAILED, AttemptStatus.TIMED_OUT)


class AssetKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class AssetActivityKind(models.TextChoices):
    VIEW = "view", "View"
    DOWNLOAD = "download", "Download"
