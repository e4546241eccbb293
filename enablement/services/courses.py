"""Authoring courses: versions, modules, lessons, the quiz bank, publishing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from prm.core.markdown import render_markdown
from prm.tenancy.models import Membership

from ..choices import LessonKind, QuestionKind
from ..choices import VersionStatus as VS
from ..files import upload_validate
from ..models import Choice, Course, CourseVersion, Lesson, Module, Question
from ..video import video_embed_url

READ_ONLY = "A published version cannot change: edit the course to start a new draft."


def _require_draft(version: CourseVersion) -> None:
    if version.status != VS.DRAFT:
        raise ValidationError(READ_ONLY)


def course_create(
    *, acting_membership: Membership, course: Course, summary: str = ""
) -> CourseVersion:
    """Save a new course (title and audience already on `course`) with its first draft."""
    with transaction.atomic():
        course.created_by = acting_membership.user
        course.save()
        return CourseVersion.objects.create(
            course=course,
            number=1,
            title=course.title,
            summary=summary,
            summary_html=render_markdown(summary),
        )


def course_update(*, acting_membership: Membership, course: Course) -> Course:
    """Title and audience (who sees it) apply to every version at once."""
    with transaction.atomic():
        course.save()
        CourseVersion.objects.filter(course=course, status=VS.DRAFT).update(title=course.title)
    return course


def course_draft(*, acting_membership: Membership, course: Course) -> CourseVersion:
    """The course's draft, made now as a copy of the published version if there is none.

    Learners keep the version they started: the published one is never edited.
    """
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=course.pk)
        draft = CourseVersion.objects.filter(course=course, status=VS.DRAFT).first()
        if draft is not None:
            return draft
        source = course.published_version
        if source is None:
            source = CourseVersion.objects.filter(course=course).order_by("-number").first()
        number = (
            CourseVersion.objects.filter(course=course).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        draft = CourseVersion.objects.create(
            course=course,
            number=number,
            title=course.title,
            summary=source.summary if source else "",
            summary_html=source.summary_html if source else "",
            estimated_minutes=source.estimated_minutes if source else 30,
            quiz_enabled=source.quiz_enabled if source else False,
            pass_mark_percent=source.pass_mark_percent if source else 80,
            questions_per_attempt=source.questions_per_attempt if source else 0,
            max_attempts=source.max_attempts if source else 3,
            cooldown_minutes=source.cooldown_minutes if source else 0,
            time_limit_minutes=source.time_limit_minutes if source else 0,
        )
        if source is not None:
            _copy_content(source, draft)
        return draft


def _copy_content(source: CourseVersion, draft: CourseVersion) -> None:
    for module in source.modules.prefetch_related("lessons"):
        new_module = Module.objects.create(
            version=draft, position=module.position, title=module.title
        )
        Lesson.objects.bulk_create(
            Lesson(
                tenant_id=draft.tenant_id,
                version=draft,
                module=new_module,
                position=lesson.position,
                title=lesson.title,
                kind=lesson.kind,
                body=lesson.body,
                body_html=lesson.body_html,
                video_url=lesson.video_url,
                video_embed_url=lesson.video_embed_url,
                # The stored file is shared: files are never changed in place.
                file=lesson.file.name,
                file_name=lesson.file_name,
                file_type=lesson.file_type,
                file_size=lesson.file_size,
            )
            for lesson in module.lessons.all()
        )
    for question in source.questions.prefetch_related("choices"):
        new_question = Question.objects.create(
            version=draft, position=question.position, kind=question.kind, text=question.text
        )
        Choice.objects.bulk_create(
            Choice(
                tenant_id=draft.tenant_id,
                question=new_question,
                position=choice.position,
                text=choice.text,
                is_correct=choice.is_correct,
            )
            for choice in question.choices.all()
        )


def version_update(*, acting_membership: Membership, version: CourseVersion) -> CourseVersion:
    """Summary, duration and quiz settings of a draft (the quiz's revision moves on)."""
    _require_draft(version)
    if version.quiz_enabled and version.questions_per_attempt:
        bank = Question.objects.filter(version=version).count()
        if bank and version.questions_per_attempt > bank:
            raise ValidationError(
                {
                    "questions_per_attempt": (
                        f"The bank has {bank} question(s); draw at most that many."
                    )
                }
            )
    version.summary_html = render_markdown(version.summary)
    version.quiz_revision = F("quiz_revision") + 1
    version.save()
    version.refresh_from_db()
    return version


def module_add(*, acting_membership: Membership, version: CourseVersion, title: str) -> Module:
    _require_draft(version)
    position = (Module.objects.filter(version=version).aggregate(p=Max("position"))["p"] or 0) + 1
    return Module.objects.create(version=version, title=title, position=position)


def module_rename(*, acting_membership: Membership, module: Module, title: str) -> Module:
    _require_draft(module.version)
    module.title = title
    module.save(update_fields=["title"])
    return module


def module_delete(*, acting_membership: Membership, module: Module) -> None:
    _require_draft(module.version)
    module.delete()


def _swap(queryset, item, direction: str) -> None:
    """Move `item` one place up or down among `queryset` (renumbered 1..n)."""
    items = list(queryset.select_for_update())
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        if other.position != position:
            type(other).objects.filter(pk=other.pk).update(position=position)


def module_move(*, acting_membership: Membership, module: Module, direction: str) -> None:
    _require_draft(module.version)
    with transaction.atomic():
        _swap(Module.objects.filter(version=module.version_id), module, direction)


def lesson_move(*, acting_membership: Membership, lesson: Lesson, direction: str) -> None:
    _require_draft(lesson.version)
    with transaction.atomic():
        _swap(Lesson.objects.filter(module=lesson.module_id), lesson, direction)


def lesson_save(*, acting_membership: Membership, lesson: Lesson, upload=None) -> Lesson:
    """Check and save a lesson of a draft: Markdown sanitised, the video allow-listed, the
    file checked by content and stored under the tenant's prefix."""
    _require_draft(lesson.version)
    errors: dict[str, list[str]] = {}
    lesson.body_html = render_markdown(lesson.body)
    if lesson.kind == LessonKind.VIDEO:
        try:
            lesson.video_embed_url = video_embed_url(lesson.video_url)
        except ValidationError as exc:
            errors["video_url"] = exc.messages
    else:
        lesson.video_embed_url = ""
    if upload is not None:
        try:
            lesson.file_type = upload_validate(upload)
        except ValidationError as exc:
            errors["file"] = exc.messages
        else:
            lesson.file_name = upload.name[:200]
            lesson.file_size = upload.size
    if lesson.kind == LessonKind.FILE and upload is None and not lesson.file:
        errors.setdefault("file", []).append("Choose the file learners will download.")
    if lesson.kind == LessonKind.TEXT and not lesson.body.strip():
        errors["body"] = ["Write the lesson's text."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if lesson.position == 0:
            last = Lesson.objects.filter(module=lesson.module).aggregate(p=Max("position"))["p"]
            lesson.position = (last or 0) + 1
        if upload is not None:
            lesson.file.save(upload.name, upload, save=False)
        lesson.save()
    return lesson


def lesson_delete(*, acting_membership: Membership, lesson: Lesson) -> None:
    _require_draft(lesson.version)
    lesson.delete()


def question_add(
    *,
    acting_membership: Membership,
    version: CourseVersion,
    kind: str,
    text: str,
    choices: list[tuple[str, bool]],
) -> Question:
    """Add a question to a draft's bank; the right answers must make sense for its kind."""
    _require_draft(version)
    choices = _checked_choices(kind, choices)
    with transaction.atomic():
        position = (
            Question.objects.filter(version=version).aggregate(p=Max("position"))["p"] or 0
        ) + 1
        question = Question.objects.create(version=version, kind=kind, text=text, position=position)
        Choice.objects.bulk_create(
            Choice(
                tenant_id=version.tenant_id,
                question=question,
                position=i,
                text=choice_text,
                is_correct=is_correct,
            )
            for i, (choice_text, is_correct) in enumerate(choices, start=1)
        )
        CourseVersion.objects.filter(pk=version.pk).update(quiz_revision=F("quiz_revision") + 1)
    return question


def _checked_choices(kind: str, choices: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": ["Choose the kind of question."]})
    if kind == QuestionKind.TRUE_FALSE:
        correct = [c for c in choices if c[1]]
        truth = bool(correct) and correct[0][0].strip().lower() in ("true", "yes")
        choices = [("True", truth), ("False", not truth)]
    if len(choices) < 2:
        raise ValidationError({"choices": ["Give at least two answers."]})
    right = sum(1 for _, is_correct in choices if is_correct)
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and right != 1:
        raise ValidationError({"choices": ["Mark exactly one answer as right (start it with *)."]})
    if kind == QuestionKind.MULTIPLE and right < 1:
        raise ValidationError({"choices": ["Mark at least one answer as right (start it with *)."]})
    return choices


def question_update(
    *,
    acting_membership: Membership,
    question: Question,
    kind: str,
    text: str,
    choices: list[tuple[str, bool]],
) -> Question:
    """Change a draft's question in place: its text, kind, answers and which are right.

    Answers whose text is kept keep their row (and history); the quiz revision moves on,
    so an attempt drawn from the old question (a preview) is voided rather than graded
    against new answers.
    """
    _require_draft(question.version)
    if not (text or "").strip():
        raise ValidationError({"text": ["Write the question."]})
    choices = _checked_choices(kind, choices)
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        question.kind, question.text = kind, text.strip()
        question.save(update_fields=["kind", "text"])
        current = list(Choice.objects.filter(question=question))
        existing = {}
        for choice in current:
            existing.setdefault(choice.text, choice)
        kept = set()
        for position, (choice_text, is_correct) in enumerate(choices, start=1):
            choice = existing.get(choice_text)
            if choice is not None and choice.pk not in kept:
                kept.add(choice.pk)
                if (choice.position, choice.is_correct) != (position, is_correct):
                    choice.position, choice.is_correct = position, is_correct
                    choice.save(update_fields=["position", "is_correct"])
            else:
                Choice.objects.create(
                    tenant_id=question.tenant_id,
                    question=question,
                    position=position,
                    text=choice_text,
                    is_correct=is_correct,
                )
        Choice.objects.filter(pk__in=[c.pk for c in current if c.pk not in kept]).delete()
        CourseVersion.objects.filter(pk=question.version_id).update(
            quiz_revision=F("quiz_revision") + 1
        )
    return question


def question_delete(*, acting_membership: Membership, question: Question) -> None:
    _require_draft(question.version)
    with transaction.atomic():
        CourseVersion.objects.filter(pk=question.version_id).update(
            quiz_revision=F("quiz_revision") + 1
        )
        question.delete()


def course_publish(*, acting_membership: Membership, course: Course) -> CourseVersion:
    """Publish the draft: it replaces the published version for new learners."""
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        draft = CourseVersion.objects.filter(course=course, status=VS.DRAFT).first()
        if draft is None:
            raise ValidationError("There is no draft to publish.")
        if not Lesson.objects.filter(version=draft).exists():
            raise ValidationError("Add at least one lesson before publishing.")
        if draft.quiz_enabled:
            bank = Question.objects.filter(version=draft).count()
            if not bank:
                raise ValidationError("The quiz is on but has no questions.")
            if draft.questions_per_attempt > bank:
                raise ValidationError(
                    f"The quiz draws {draft.questions_per_attempt} questions from a bank of {bank}."
                )
        CourseVersion.objects.filter(course=course, status=VS.PUBLISHED).update(status=VS.RETIRED)
        draft.status = VS.PUBLISHED
        draft.published_at = timezone.now()
        draft.title = course.title
        draft.save(update_fields=["status", "published_at", "title"])
        course.published_version = draft
        course.save(update_fields=["published_version"])
        return draft


def course_unpublish(*, acting_membership: Membership, course: Course) -> None:
    """Withdraw a course from the catalogue (enrolled learners keep their version)."""
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        course.published_version = None
        course.save(update_fields=["published_version"])
