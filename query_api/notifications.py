"""The notification history: the emails the platform sent (or held back, and why) to a
person. Read by the person themself, and by admins for anyone (a student says "I never got
the email"). The address is never here: it is read from the account when a message is sent.
"""
from __future__ import annotations

from datetime import datetime

import asyncpg
from fastapi import APIRouter
from pydantic import BaseModel

from query_api.dependencies import CurrentUser, PageOf, PageOut, ReadModels, require_role
from schemas.text import EntityId
from security.roles import Role
from stream_processors.notifications.outbox import NOTIFICATIONS, NOTIFIER_EXAMS

router = APIRouter(tags=["notifications"])


class NotificationView(BaseModel):
    notification_id: str
    kind: str  # exam_assigned, exam_reminder, results_published
    exam_id: str
    exam_title: str | None
    # queued, sending, sent; skipped (``reason``: reminders_off, unassigned, erased, ...);
    # failed (the server kept refusing it: ``last_error``)
    status: str
    reason: str | None
    subject: str | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None = None  # admins only


class NotificationPage(PageOut):
    items: list[NotificationView]


async def _history(db, paging, user_id: str, for_admin: bool) -> dict:
    try:
        return await _read_history(db, paging, user_id, for_admin)
    except asyncpg.UndefinedTableError:  # the notifier has not started yet: nothing sent
        return paging.answer([], (0, True))


async def _read_history(db, paging, user_id: str, for_admin: bool) -> dict:
    from_where = f"FROM {NOTIFICATIONS} n WHERE n.user_id = $1"
    rows = await db.fetch(
        f"SELECT n.notification_id::text, n.kind, n.exam_id, e.title AS exam_title, n.status, "
        f"n.reason, n.subject, n.attempts, n.created_at, n.sent_at, n.last_error "
        f"FROM {NOTIFICATIONS} n LEFT JOIN {NOTIFIER_EXAMS} e USING (exam_id) "
        f"WHERE n.user_id = $1 ORDER BY n.created_at DESC, n.notification_id "
        f"{paging.sql()}", user_id)
    items = [{**dict(r), "last_error": r["last_error"] if for_admin else None} for r in rows]
    return paging.answer(items, await paging.total(db, from_where, user_id))


@router.get("/v1/auth/me/notifications", response_model=NotificationPage, tags=["auth"],
            summary="The emails sent to you, newest first")
async def my_notifications(user: CurrentUser, db: ReadModels, paging: PageOf):
    return await _history(db, paging, user.user_id, for_admin=False)


@router.get("/v1/users/{user_id}/notifications", response_model=NotificationPage,
            dependencies=[require_role(Role.ADMIN)],
            summary="The emails sent to a person, newest first (admins)")
async def user_notifications(user_id: EntityId, db: ReadModels, paging: PageOf):
    return await _history(db, paging, user_id, for_admin=True)
