"""Who may see which exam and which bank question, defined once for the command side (whose
refusals must not leak a draft's existence) and the query side (its SQL and documents).

Students see the published exams they are assigned to; proctors and analysts see every
published exam; teachers see their own exams in any state and everyone's published ones;
admins see all but deleted drafts. To anyone else an exam does not exist (404), so drafts do
not leak.
"""
from __future__ import annotations

from datetime import datetime

from schemas.events.exam import ExamStatus, ResultsRelease
from security.roles import Role


def may_see_exam(user_id: str, role: str, teacher_id: str | None, status: str,
                 assigned_to_caller: bool = False) -> bool:
    if status == ExamStatus.DELETED or status not in set(ExamStatus):
        return False
    if role == Role.ADMIN:
        return True
    if status == ExamStatus.PUBLISHED:
        return role != Role.STUDENT or assigned_to_caller
    return role == Role.TEACHER and user_id == teacher_id


def may_manage_exam(user_id: str, role: str, teacher_id: str | None) -> bool:
    """Edit, publish, delete: the exam's own teacher and admins."""
    return role == Role.ADMIN or (role == Role.TEACHER and user_id == teacher_id)


def may_read_exam_analytics(user_id: str, role: str, teacher_id: str | None,
                            status: str) -> bool:
    """Its figures (distribution, item statistics): whoever manages it, and analysts once it
    is published (a draft has no attempts, and must not leak)."""
    return may_manage_exam(user_id, role, teacher_id) or (
        role == Role.ANALYST and status == ExamStatus.PUBLISHED)


def may_supervise_exam(user_id: str, role: str, teacher_id: str | None) -> bool:
    """Watch its attempts, extend, pause: proctors and admins every exam, a teacher their own."""
    return role in (Role.PROCTOR, Role.ADMIN) or (role == Role.TEACHER and user_id == teacher_id)


def results_released(release: str, published_for_all: bool, published_for: list[str],
                     student_id: str, grading_status: str, last_window_close: datetime | None,
                     now: datetime) -> bool:
    """Whether a student sees their results (marks and feedback): once the teacher published
    them (to all or to them), or on the exam's own policy: as soon as every answer is graded,
    or once graded and every student's window has closed (an accommodated student still
    sitting must not meet classmates who already know the marks)."""
    if published_for_all or student_id in published_for:
        return True
    if release == ResultsRelease.WHEN_GRADED:
        return grading_status == "graded"
    if release == ResultsRelease.AFTER_WINDOW:
        return grading_status == "graded" and last_window_close is not None and \
            now >= last_window_close
    return False


def visible_exams_sql(role: str, user_id_param: str) -> str:
    """The same rule as ``may_see_exam`` as a SQL condition on columns ``status``,
    ``teacher_id`` and ``assigned`` (a JSON array of student ids); ``user_id_param`` is the
    placeholder bound to the caller's id."""
    if role == Role.ADMIN:
        return f"status <> '{ExamStatus.DELETED}'"
    published = f"status = '{ExamStatus.PUBLISHED}'"
    if role == Role.TEACHER:
        return f"status <> '{ExamStatus.DELETED}' AND (teacher_id = {user_id_param} OR {published})"
    if role == Role.STUDENT:
        return f"{published} AND assigned ? {user_id_param}"
    return published


# --- the question bank: a teacher's bank is theirs; they may share a question (read and copy)
# with other teachers; admins see and manage all. Students and proctors never see the bank
# (they see questions only inside an exam, through security.student_view).

def may_see_question(user_id: str, role: str, owner_id: str | None,
                     shared_with: list[str] | tuple[str, ...] = ()) -> bool:
    if role == Role.ADMIN:
        return owner_id is not None
    return role == Role.TEACHER and (user_id == owner_id or user_id in shared_with)


def visible_question_parts_sql(role: str, user_id_param: str) -> list[str]:
    """``visible_questions_sql`` on the search copy as disjoint parts whose union it is, each
    one an index can list in order: a teacher's own questions (by owner), then those shared
    with them (a partial index holds only shared questions). Listing a bank newest first
    through one index of every bank would step over every other teacher's newer rows."""
    if role == Role.ADMIN:
        return ["true"]
    if role == Role.TEACHER:
        return [f"owner_id = {user_id_param}",
                f"cardinality(viewers) > 1 AND viewers @> ARRAY[{user_id_param}::text] "
                f"AND owner_id <> {user_id_param}"]
    return ["false"]


def may_manage_question(user_id: str, role: str, owner_id: str | None) -> bool:
    """Revise, share, archive: the question's owner and admins."""
    return owner_id is not None and (role == Role.ADMIN or
                                     (role == Role.TEACHER and user_id == owner_id))


def visible_questions_sql(role: str, user_id_param: str, viewers: str | None = None) -> str:
    """``may_see_question`` as a SQL condition on ``owner_id`` and ``shared_with`` (jsonb),
    or, given ``viewers``, on that array of both (the search copy's, which its GIN index
    serves)."""
    if role == Role.ADMIN:
        return "true"
    if role == Role.TEACHER:
        if viewers is not None:
            return f"{viewers} @> ARRAY[{user_id_param}::text]"
        return f"(owner_id = {user_id_param} OR shared_with ? {user_id_param})"
    return "false"
