"""Media decisions, pure: which uploads are offered, and whether a stored object is usable.

An upload is offered for one content type and size limit; on confirmation the object the
browser stored is checked again (size, type, and its first bytes against the declared type:
a renamed executable or an SVG with script is not an image), and kept or rejected."""
from __future__ import annotations

from dataclasses import dataclass, replace

from command_api.handling import Decider
from schemas.envelope import Actor, DomainEvent
from schemas.events.media import (MEDIA, MediaRejected, MediaStatus, MediaStored,
                                  MediaUploadOffered)
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound
from security.roles import Role

MiB = 2**20
# What a question may show or play, with the most bytes each may have. No SVG: it can carry
# script, and it is served from the bucket's origin.
MEDIA_TYPES = {
    "image/png": 5 * MiB, "image/jpeg": 5 * MiB, "image/gif": 5 * MiB, "image/webp": 5 * MiB,
    "audio/mpeg": 20 * MiB, "audio/ogg": 20 * MiB, "audio/wav": 20 * MiB,
    "audio/webm": 20 * MiB,
}


def looks_like(content_type: str, first: bytes) -> bool:
    """Whether a file's first bytes are those of ``content_type`` (its magic number)."""
    riff = first[:4] == b"RIFF"
    return {
        "image/png": first.startswith(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg": first.startswith(b"\xff\xd8\xff"),
        "image/gif": first[:6] in (b"GIF87a", b"GIF89a"),
        "image/webp": riff and first[8:12] == b"WEBP",
        "audio/mpeg": first.startswith(b"ID3") or first[:2] in (b"\xff\xfb", b"\xff\xf3",
                                                                b"\xff\xf2"),
        "audio/ogg": first.startswith(b"OggS"),
        "audio/wav": riff and first[8:12] == b"WAVE",
        "audio/webm": first.startswith(b"\x1a\x45\xdf\xa3"),
    }.get(content_type, False)


# --- commands ----------------------------------------------------------------------------

@dataclass(frozen=True)
class OfferUpload:
    media_id: str
    actor: Actor
    filename: str
    content_type: str
    size_bytes: int


@dataclass(frozen=True)
class ConfirmUpload:
    """``stored``: what the object store holds (size, type, first bytes), None if nothing."""

    media_id: str
    actor: Actor
    stored: "tuple[int, str, bytes] | None"


# --- state -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Media:
    status: str = "none"
    owner_id: str | None = None
    content_type: str = ""
    max_bytes: int = 0
    object_key: str = ""


def object_key(owner_id: str, media_id: str) -> str:
    return f"media/{owner_id}/{media_id}"


def evolve(state: Media, event: DomainEvent) -> Media:
    match event:
        case MediaUploadOffered():
            return Media(MediaStatus.OFFERED, event.owner_id, event.content_type,
                         event.max_bytes, event.object_key)
        case MediaStored():
            return replace(state, status=MediaStatus.STORED)
        case MediaRejected():
            return replace(state, status=MediaStatus.REJECTED)
    return state


def decide(command, state: Media) -> list[DomainEvent]:
    match command:
        case OfferUpload():
            if command.actor.role not in (Role.TEACHER, Role.ADMIN):
                raise Forbidden("not_staff", "only teachers and admins upload media")
            if state.status != "none":
                raise DomainError("media_exists", f"media {command.media_id} already exists")
            limit = MEDIA_TYPES.get(command.content_type)
            if limit is None:
                raise Invalid("media_type_not_allowed", f"{command.content_type} is not "
                              f"allowed; allowed: {', '.join(MEDIA_TYPES)}",
                              field="content_type")
            if not 1 <= command.size_bytes <= limit:
                raise Invalid("media_too_large", f"a {command.content_type} file may have "
                              f"at most {limit:,} bytes", field="size_bytes")
            return [MediaUploadOffered(
                media_id=command.media_id, owner_id=command.actor.user_id,
                filename=command.filename, content_type=command.content_type, max_bytes=limit,
                object_key=object_key(command.actor.user_id, command.media_id))]
        case ConfirmUpload():
            if state.status == "none" or (state.owner_id != command.actor.user_id and
                                          command.actor.role != Role.ADMIN):
                raise NotFound("media_not_found", f"media {command.media_id} does not exist",
                               field="media_id")
            if state.status != MediaStatus.OFFERED:
                return []  # confirmed before: the first verdict stands
            if command.stored is None:
                raise DomainError("media_not_uploaded", "nothing was uploaded for this media "
                                  "yet; upload it, then confirm")
            size, content_type, first = command.stored
            if size > state.max_bytes:
                return [MediaRejected(media_id=command.media_id, code="too_large")]
            if content_type != state.content_type or not looks_like(state.content_type, first):
                return [MediaRejected(media_id=command.media_id, code="type_mismatch")]
            return [MediaStored(media_id=command.media_id, size_bytes=size)]
    raise TypeError(f"not a media command: {command!r}")


media_decider = Decider(MEDIA, initial=Media(), decide=decide, evolve=evolve)
