"""Given events, when a command, then events or a refusal: uploaded media."""
from __future__ import annotations

import pytest

from command_api.media.decider import ConfirmUpload, OfferUpload, looks_like, media_decider
from schemas.envelope import Actor
from schemas.events.media import MediaRejected, MediaStored, MediaUploadOffered
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound

TEACHER = Actor(user_id="t-1", role="teacher")
OTHER = Actor(user_id="t-2", role="teacher")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
OFFERED = MediaUploadOffered(media_id="m-1", owner_id="t-1", filename="graph.png",
                             content_type="image/png", max_bytes=5 * 2**20,
                             object_key="media/t-1/m-1")


def given(*events):
    return media_decider.fold(list(events))


def when(state, command):
    return media_decider.decide(command, state)


def test_a_teacher_is_offered_an_upload_with_the_types_limit():
    assert when(given(), OfferUpload("m-1", TEACHER, "graph.png", "image/png", 1000)) == [OFFERED]


@pytest.mark.parametrize("content_type,size,field", [
    ("image/svg+xml", 100, "content_type"), ("application/x-msdownload", 100, "content_type"),
    ("image/png", 6 * 2**20, "size_bytes")])
def test_other_types_and_oversize_files_are_refused(content_type, size, field):
    with pytest.raises(Invalid) as refused:
        when(given(), OfferUpload("m-1", TEACHER, "x", content_type, size))
    assert refused.value.field == field


def test_students_upload_no_media():
    with pytest.raises(Forbidden):
        when(given(), OfferUpload("m-1", Actor(user_id="s", role="student"), "x.png",
                                  "image/png", 10))


def test_a_stored_file_of_the_declared_type_is_kept():
    assert when(given(OFFERED), ConfirmUpload("m-1", TEACHER, (2000, "image/png", PNG))) == [
        MediaStored(media_id="m-1", size_bytes=2000)]


@pytest.mark.parametrize("stored,code", [
    ((2000, "image/png", b"MZ\x90\x00 not a png"), "type_mismatch"),
    ((2000, "image/jpeg", PNG), "type_mismatch"),
    ((6 * 2**20, "image/png", PNG), "too_large")])
def test_a_stored_file_that_is_not_what_was_declared_is_rejected(stored, code):
    assert when(given(OFFERED), ConfirmUpload("m-1", TEACHER, stored)) == [
        MediaRejected(media_id="m-1", code=code)]


def test_confirming_before_uploading_or_someone_elses_media():
    with pytest.raises(DomainError) as refused:
        when(given(OFFERED), ConfirmUpload("m-1", TEACHER, None))
    assert refused.value.code == "media_not_uploaded"
    with pytest.raises(NotFound):
        when(given(OFFERED), ConfirmUpload("m-1", OTHER, (10, "image/png", PNG)))


def test_the_first_verdict_stands():
    stored = given(OFFERED, MediaStored(media_id="m-1", size_bytes=10))
    assert when(stored, ConfirmUpload("m-1", TEACHER, (10, "image/png", b"junk"))) == []


@pytest.mark.parametrize("content_type,first", [
    ("image/jpeg", b"\xff\xd8\xff\xe0"), ("image/gif", b"GIF89a"),
    ("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 "), ("audio/mpeg", b"ID3\x04"),
    ("audio/ogg", b"OggS\x00"), ("audio/wav", b"RIFF\x00\x00\x00\x00WAVEfmt "),
    ("audio/webm", b"\x1a\x45\xdf\xa3\x9f")])
def test_each_allowed_type_is_known_by_its_first_bytes(content_type, first):
    assert looks_like(content_type, first)
    assert not looks_like(content_type, b"<svg onload=alert(1)>")
