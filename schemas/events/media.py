"""Events of the media aggregate (one stream per uploaded image or audio file: ``media-<id>``).

The bytes live in the object store; the log records who asked to upload what, and whether the
stored object passed the checks (size, type, first bytes) that make it usable in a question."""
from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from schemas.envelope import Aggregate, DomainEvent


MEDIA = Aggregate("media", stream_prefix="media")


class MediaStatus(StrEnum):
    OFFERED = "offered"  # an upload was signed; nothing is known to be stored yet
    STORED = "stored"  # the object passed the checks
    REJECTED = "rejected"  # the object failed them and was deleted


class MediaEvent(DomainEvent):
    aggregate: ClassVar[Aggregate] = MEDIA
    abstract: ClassVar[bool] = True


class MediaUploadOffered(MediaEvent):
    abstract: ClassVar[bool] = False
    media_id: str
    owner_id: str
    filename: str
    content_type: str
    max_bytes: int
    object_key: str


class MediaStored(MediaEvent):
    abstract: ClassVar[bool] = False
    media_id: str
    size_bytes: int


class MediaRejected(MediaEvent):
    abstract: ClassVar[bool] = False
    media_id: str
    code: str  # why: too_large, type_mismatch, not_uploaded
