"""Who may see which exam, defined once for the command side (whose refusals must not leak a
draft's existence) and the query side (the catalogue's SQL and the exam document).

Students and proctors see published exams; teachers see their own exams in any state and
everyone's published ones; admins see all but deleted drafts. To anyone else an exam does not
exist (404), so drafts do not leak.
"""
from __future__ import annotations

from schemas.events.exam import ExamStatus
from security.roles import Role


def may_see_exam(user_id: str, role: str, teacher_id: str | None, status: str) -> bool:
    if status == ExamStatus.DELETED or status not in set(ExamStatus):
        return False
    if role == Role.ADMIN or status == ExamStatus.PUBLISHED:
        return True
    return role == Role.TEACHER and user_id == teacher_id


def may_manage_exam(user_id: str, role: str, teacher_id: str | None) -> bool:
    """Edit, publish, delete: the exam's own teacher and admins."""
    return role == Role.ADMIN or (role == Role.TEACHER and user_id == teacher_id)


def visible_exams_sql(role: str, user_id_param: str) -> str:
    """The same rule as ``may_see_exam`` as a SQL condition on columns ``status`` and
    ``teacher_id``; ``user_id_param`` is the placeholder bound to the caller's id."""
    if role == Role.ADMIN:
        return f"status <> '{ExamStatus.DELETED}'"
    published = f"status = '{ExamStatus.PUBLISHED}'"
    if role == Role.TEACHER:
        return f"status <> '{ExamStatus.DELETED}' AND (teacher_id = {user_id_param} OR {published})"
    return published
