"""HTTP commands on media: ask for an upload (a presigned POST straight to the object store),
then confirm it (the stored object is checked again; a bad one is deleted and refused)."""
from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated
from uuid import NAMESPACE_URL, uuid5

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ConfigDict, Field

from command_api.dependencies import Command, SettingsDep, Store
from command_api.handling import handle, load_state
from command_api.media.decider import ConfirmUpload, OfferUpload, media_decider
from schemas.events.media import MediaStatus
from schemas.refusals import Invalid
from schemas.text import Text
from security.roles import Role
from storage import objects

router = APIRouter(prefix="/v1/media", tags=["media"])
_MEDIA_IDS = uuid5(NAMESPACE_URL, "https://soems.org/media")


class UploadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: Annotated[Text, Field(min_length=1, max_length=200)]
    content_type: Annotated[str, Field(max_length=100)]
    size_bytes: Annotated[int, Field(ge=1, le=2**31)]


class UploadForm(BaseModel):
    """POST these fields and then the file (as the form's last field, ``file``) to ``url``."""

    url: str
    fields: dict[str, str]
    expires_at: datetime


class MediaCommandResult(BaseModel):
    media_id: str
    status: str
    version: int
    upload: UploadForm | None = None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MediaCommandResult,
             summary="Ask to upload an image or audio file (teachers, admins)")
async def offer_upload(body: UploadIn, ctx: Command, store: Store, s: SettingsDep,
                       request: Request):
    media_id = str(uuid5(_MEDIA_IDS, str(ctx.command_id)))
    result = await handle(store, media_decider, media_id,
                          OfferUpload(media_id, ctx.actor, body.filename, body.content_type,
                                      body.size_bytes), ctx,
                          lambda state: {"media_id": media_id, "status": state.status})
    # The form is signed on every answer (a retry gets a fresh one) and never stored.
    state, _ = await load_state(store, media_decider, media_id)
    offer = await asyncio.to_thread(objects.offer_upload, s, state.object_key,
                                    state.content_type, state.max_bytes)
    url = objects.as_seen_by(s, offer.url, request.headers.get(objects.GATEWAY_PATH_HEADER))
    return {**result, "upload": {"url": url, "fields": offer.fields,
                                 "expires_at": offer.expires_at}}


@router.post("/{media_id}/confirm", response_model=MediaCommandResult,
             summary="Confirm an upload: the stored file is checked and kept, or deleted")
async def confirm_upload(media_id: str, ctx: Command, store: Store, s: SettingsDep):
    state, _ = await load_state(store, media_decider, media_id)
    stored = None
    if state.status == MediaStatus.OFFERED and \
            (state.owner_id == ctx.actor.user_id or ctx.actor.role == Role.ADMIN):
        found = await asyncio.to_thread(objects.inspect, s, state.object_key)
        stored = (found.size_bytes, found.content_type, found.first_bytes) if found else None
    result = await handle(store, media_decider, media_id,
                          ConfirmUpload(media_id, ctx.actor, stored), ctx,
                          lambda state: {"media_id": media_id, "status": state.status})
    if result["status"] == MediaStatus.REJECTED:
        await asyncio.to_thread(objects.remove, s, state.object_key)
        raise Invalid("media_rejected", "the uploaded file is not what was declared (type, "
                      "contents or size); it was deleted", field="file")
    return result
