"""Media through presigned requests into the real object store (MinIO): the browser's upload
goes straight to the store, which enforces the size and type in the signed policy; the
confirmation checks the stored file again; downloads are short-lived presigned URLs."""
from __future__ import annotations

import struct
import zlib

import httpx

from tests.e2e.harness import eventually, key


def png(width: int = 4, height: int = 4) -> bytes:
    """A real, tiny PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                               0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def offer(services, teacher, content_type="image/png", size=None, body=None) -> httpx.Response:
    body = body if body is not None else png()
    return httpx.post(f"{services.command_url}/v1/media",
                      headers={**teacher["headers"], **key()},
                      json={"filename": "graph.png", "content_type": content_type,
                            "size_bytes": size or len(body)})


def upload(offered: dict, body: bytes, content_type="image/png") -> httpx.Response:
    """What a browser does with the form: the signed fields, then the file."""
    form = offered["upload"]
    fields = {**form["fields"]}
    fields["Content-Type"] = content_type
    return httpx.post(form["url"], data=fields, files={"file": ("graph.png", body, content_type)})


def confirm(services, teacher, media_id) -> httpx.Response:
    return httpx.post(f"{services.command_url}/v1/media/{media_id}/confirm",
                      headers={**teacher["headers"], **key()})


def test_an_image_goes_straight_to_the_store_and_comes_back_through_a_short_lived_url(
        services, teacher, make_user):
    body = png()
    offered = offer(services, teacher)
    assert offered.status_code == 201, offered.text
    assert upload(offered.json(), body).status_code in (200, 204)
    media_id = offered.json()["media_id"]
    confirmed = confirm(services, teacher, media_id)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "stored"

    def link():
        answer = httpx.get(f"{services.query_url}/v1/media/{media_id}",
                           headers=teacher["headers"])
        return answer.json() if answer.status_code == 200 else None

    found = eventually(link)
    assert found["content_type"] == "image/png" and found["size_bytes"] == len(body)
    fetched = httpx.get(found["url"])
    assert fetched.status_code == 200 and fetched.content == body
    assert fetched.headers["content-type"] == "image/png"
    other = make_user("teacher")
    assert httpx.get(f"{services.query_url}/v1/media/{media_id}",
                     headers=other["headers"]).status_code == 404


def test_the_store_refuses_a_file_larger_than_declared_or_of_another_type(services, teacher):
    offered = offer(services, teacher, size=100).json()
    too_big = upload(offered, png() + b"\x00" * 6 * 2**20)  # over the 5 MiB image limit
    assert too_big.status_code == 400 and b"EntityTooLarge" in too_big.content
    other_type = upload(offered, png(), content_type="text/html")
    assert other_type.status_code == 403  # the policy names the content type
    assert confirm(services, teacher, offered["media_id"]).status_code == 409  # nothing stored


def test_a_file_that_is_not_what_it_claims_is_deleted_and_refused(services, teacher):
    script = b"<svg onload=alert(1)>" + b" " * 100
    offered = offer(services, teacher, body=script).json()
    assert upload(offered, script).status_code in (200, 204)  # the store cannot tell
    refused = confirm(services, teacher, offered["media_id"])
    assert refused.status_code == 422 and refused.json()["code"] == "media_rejected"
    assert httpx.get(f"{services.query_url}/v1/media/{offered['media_id']}",
                     headers=teacher["headers"]).status_code == 404


def test_an_svg_or_an_oversize_image_is_refused_before_any_upload(services, teacher):
    svg = offer(services, teacher, content_type="image/svg+xml", size=100)
    assert svg.status_code == 422 and svg.json()["field"] == "content_type"
    huge = offer(services, teacher, size=50 * 2**20)
    assert huge.status_code == 422 and huge.json()["field"] == "size_bytes"


def stored_image(services, teacher) -> str:
    body = png()
    offered = offer(services, teacher, body=body).json()
    assert upload(offered, body).status_code in (200, 204)
    assert confirm(services, teacher, offered["media_id"]).status_code == 200
    return offered["media_id"]


def test_a_question_shows_only_its_authors_stored_uploads(services, teacher, make_user):
    """A media id lets whoever sees the question fetch the file: a teacher may attach only
    their own confirmed uploads (a foreign id would leak another teacher's file)."""
    mine, theirs = stored_image(services, teacher), stored_image(services, make_user("teacher"))
    pending = offer(services, teacher).json()["media_id"]  # offered, never confirmed
    question = {"question_type": "true_false", "stem": "The graph rises.",
                "true_false": {"correct": True}}
    refused = httpx.post(f"{services.command_url}/v1/questions",
                         headers={**teacher["headers"], **key()},
                         json={**question, "media_ids": [mine, theirs, pending]})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["media_ids.1", "media_ids.2"]
    written = httpx.post(f"{services.command_url}/v1/questions",
                         headers={**teacher["headers"], **key()},
                         json={**question, "media_ids": [mine],
                               "media_alt": {mine: "A line graph that rises to the right"}})
    assert written.status_code == 201, written.text
    qid = written.json()["question_id"]
    preview = eventually(lambda: (r := httpx.get(
        f"{services.query_url}/v1/questions/{qid}/preview",
        headers=teacher["headers"])).status_code == 200 and r.json())
    assert preview["media_ids"] == [mine]
    assert preview["media_alt"] == {mine: "A line graph that rises to the right"}
    repeated = httpx.put(f"{services.command_url}/v1/questions/{qid}",
                         headers={**teacher["headers"], **key()},
                         json={**question, "media_ids": [mine, mine]})
    assert repeated.status_code == 422 and repeated.json()["field"] == "media_ids"
