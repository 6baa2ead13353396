"""Media files for staff: a short-lived URL to an image or audio file that passed its checks.
Its owner and admins may fetch it, and so may any teacher who can see a bank question that
shows it (a shared question's media travel with it)."""
from __future__ import annotations

import asyncio
from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from projections.media_library import MEDIA_LIBRARY
from projections.question_bank import QUESTION_BANK
from query_api.dependencies import CurrentUser, ReadModels, require_role
from schemas.events.media import MediaStatus
from schemas.refusals import NotFound
from security.dependencies import SettingsDep
from security.roles import Role
from security.visibility import visible_questions_sql
from storage import objects

router = APIRouter(prefix="/v1/media", tags=["media"],
                   dependencies=[require_role(Role.TEACHER, Role.ADMIN)])


class MediaLink(BaseModel):
    media_id: str
    filename: str
    content_type: str
    size_bytes: int
    url: str
    url_expires_at: datetime


@router.get("/{media_id}", response_model=MediaLink,
            summary="A short-lived URL to a stored image or audio file")
async def media_link(media_id: str, user: CurrentUser, db: ReadModels, s: SettingsDep,
                     request: Request):
    row = await db.fetchrow(
        f"SELECT m.* FROM {MEDIA_LIBRARY.qualified} m WHERE m.media_id = $2 AND m.status = $3 "
        f"AND (m.owner_id = $1 OR $4 OR EXISTS (SELECT 1 FROM {QUESTION_BANK.qualified} "
        f"WHERE content -> 'media_ids' ? $2 AND {visible_questions_sql(user.role, '$1')}))",
        user.user_id, media_id, MediaStatus.STORED.value, user.role == Role.ADMIN)
    if row is None:
        raise NotFound("media_not_found", f"media {media_id} not found", field="media_id")
    url, expires = await asyncio.to_thread(objects.download_url, s, row["object_key"],
                                           row["content_type"], row["filename"])
    url = objects.as_seen_by(s, url, request.headers.get(objects.GATEWAY_PATH_HEADER))
    return {**dict(row), "url": url, "url_expires_at": expires}
