"""Pages of this app: partner portal under /portal/, vendor console under /manage/."""

from django.urls import path

from .views import console, console_program, portal, public

app_name = "enablement"

urlpatterns = [
    # --- public ---------------------------------------------------------------------
    path("verify/<str:code>/", public.verify, name="verify"),
    # --- partner portal -------------------------------------------------------------
    path("portal/learn/", portal.CatalogueView.as_view(), name="catalogue"),
    path("portal/learn/my/", portal.MyLearningView.as_view(), name="my_learning"),
    path("portal/learn/team/", portal.TeamView.as_view(), name="team"),
    path("portal/learn/courses/<uuid:pk>/", portal.CourseView.as_view(), name="portal_course"),
    path(
        "portal/learn/courses/<uuid:course_pk>/lessons/<uuid:pk>/",
        portal.LessonView.as_view(),
        name="portal_lesson",
    ),
    path("portal/learn/courses/<uuid:pk>/quiz/", portal.QuizStartView.as_view(), name="quiz_start"),
    path("portal/learn/attempts/<uuid:pk>/", portal.AttemptView.as_view(), name="attempt"),
    path("portal/learn/files/<uuid:pk>/", portal.LessonFileView.as_view(), name="lesson_file"),
    path("portal/learn/certificates/", portal.CertificateListView.as_view(), name="certificates"),
    path(
        "portal/learn/certificates/<uuid:pk>/",
        portal.CertificateView.as_view(),
        name="certificate",
    ),
    path(
        "portal/learn/certificates/<uuid:pk>/renew/",
        portal.CertificateRenewView.as_view(),
        name="certificate_renew",
    ),
    path("portal/resources/", portal.ResourceListView.as_view(), name="resource_list"),
    path("portal/resources/<uuid:pk>/", portal.ResourceView.as_view(), name="resource"),
    path(
        "portal/resources/<uuid:pk>/download/",
        portal.ResourceDownloadView.as_view(),
        name="resource_download",
    ),
    # --- vendor console -------------------------------------------------------------
    path("manage/enablement/", console_program.console_home, name="console_home"),
    path("manage/enablement/courses/", console.CourseListView.as_view(), name="course_list"),
    path(
        "manage/enablement/courses/new/", console.CourseCreateView.as_view(), name="course_create"
    ),
    path(
        "manage/enablement/courses/<uuid:pk>/",
        console.CourseDetailView.as_view(),
        name="course_detail",
    ),
    path(
        "manage/enablement/courses/<uuid:pk>/edit/",
        console.CourseEditView.as_view(),
        name="course_edit",
    ),
    path(
        "manage/enablement/courses/<uuid:pk>/action/",
        console.CourseActionView.as_view(),
        name="course_action",
    ),
    path(
        "manage/enablement/courses/<uuid:pk>/preview/",
        console.CoursePreviewView.as_view(),
        name="course_preview",
    ),
    path(
        "manage/enablement/versions/<uuid:pk>/",
        console.VersionEditView.as_view(),
        name="version_edit",
    ),
    path(
        "manage/enablement/versions/<uuid:pk>/modules/",
        console.ModuleAddView.as_view(),
        name="module_add",
    ),
    path(
        "manage/enablement/versions/<uuid:pk>/questions/",
        console.QuestionAddView.as_view(),
        name="question_add",
    ),
    path(
        "manage/enablement/modules/<uuid:pk>/",
        console.ModuleActionView.as_view(),
        name="module_action",
    ),
    path(
        "manage/enablement/modules/<uuid:module_pk>/lessons/new/",
        console.LessonFormView.as_view(),
        name="lesson_create",
    ),
    path(
        "manage/enablement/lessons/<uuid:pk>/",
        console.LessonFormView.as_view(),
        name="lesson_edit",
    ),
    path(
        "manage/enablement/lessons/<uuid:pk>/action/",
        console.LessonActionView.as_view(),
        name="lesson_action",
    ),
    path(
        "manage/enablement/questions/<uuid:pk>/edit/",
        console.QuestionEditView.as_view(),
        name="question_edit",
    ),
    path(
        "manage/enablement/questions/<uuid:pk>/delete/",
        console.QuestionDeleteView.as_view(),
        name="question_delete",
    ),
    path("manage/enablement/paths/", console_program.PathListView.as_view(), name="path_list"),
    path(
        "manage/enablement/paths/new/", console_program.PathFormView.as_view(), name="path_create"
    ),
    path(
        "manage/enablement/paths/<uuid:pk>/",
        console_program.PathFormView.as_view(),
        name="path_edit",
    ),
    path(
        "manage/enablement/path-courses/<uuid:pk>/move/",
        console_program.PathStepMoveView.as_view(),
        name="path_step_move",
    ),
    path(
        "manage/enablement/certifications/",
        console_program.CertificationListView.as_view(),
        name="certification_list",
    ),
    path(
        "manage/enablement/certifications/new/",
        console_program.CertificationFormView.as_view(),
        name="certification_create",
    ),
    path(
        "manage/enablement/certifications/<uuid:pk>/",
        console_program.CertificationFormView.as_view(),
        name="certification_edit",
    ),
    path(
        "manage/enablement/assignments/",
        console_program.AssignmentListView.as_view(),
        name="assignment_list",
    ),
    path(
        "manage/enablement/reports/",
        console_program.CourseReportView.as_view(),
        name="report_courses",
    ),
    path("manage/enablement/roster/", console_program.RosterView.as_view(), name="roster"),
    path(
        "manage/enablement/awards/<uuid:pk>/revoke/",
        console_program.AwardRevokeView.as_view(),
        name="award_revoke",
    ),
    path(
        "manage/enablement/roster/export.csv",
        console_program.RosterExportView.as_view(),
        name="roster_export",
    ),
    path(
        "manage/enablement/resources/", console_program.AssetListView.as_view(), name="asset_list"
    ),
    path(
        "manage/enablement/resources/new/",
        console_program.AssetFormView.as_view(),
        name="asset_create",
    ),
    path(
        "manage/enablement/resources/<uuid:pk>/",
        console_program.AssetDetailView.as_view(),
        name="asset_detail",
    ),
    path(
        "manage/enablement/resources/<uuid:pk>/edit/",
        console_program.AssetFormView.as_view(),
        name="asset_edit",
    ),
]
