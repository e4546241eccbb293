"""Enablement: courses (versioned, with modules, lessons and a quiz), learning paths,
certifications and their awards, assigned training, and the content library.

Who sees what is one rule for courses, paths and assets (`Audience`): published, and
aimed at the partner's type, tier and motions (empty lists mean everyone). Partners see
nothing else: not greyed out, absent (the pages answer 404).
"""

from .audience import (
    AssetQuerySet,
    Audience,
    AudienceQuerySet,
    CertificationQuerySet,
    CourseQuerySet,
    PublishedQuerySet,
)
from .certifications import (
    Assignment,
    AwardQuerySet,
    Certification,
    CertificationAward,
    CertificationCourse,
    LearningPath,
    LearningPathCourse,
)
from .courses import Choice, Course, CourseVersion, Lesson, Module, Question
from .learning import Enrolment, LessonProgress, QuizAttempt
from .library import Asset, AssetActivity

__all__ = [
    "Asset",
    "AssetActivity",
    "AssetQuerySet",
    "Assignment",
    "Audience",
    "AudienceQuerySet",
    "AwardQuerySet",
    "Certification",
    "CertificationAward",
    "CertificationCourse",
    "CertificationQuerySet",
    "Choice",
    "Course",
    "CourseQuerySet",
    "CourseVersion",
    "Enrolment",
    "LearningPath",
    "LearningPathCourse",
    "Lesson",
    "LessonProgress",
    "Module",
    "PublishedQuerySet",
    "Question",
    "QuizAttempt",
]
