"""The S3 bucket of SOEMS, for the services: presigned uploads straight from browsers,
short-lived presigned downloads, and the checks a confirmed upload must pass.

Browsers never send media through the APIs: an API signs a POST policy that lets one browser
put one object under one key, of one content type, within a size range, for a few minutes; the
store itself enforces the policy. The API then checks the stored object again (size, type and
its first bytes) before anything refers to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

from settings import Settings

# The gateway serves the store on its own origin under this path and tells the APIs so with
# this header: the URLs a browser gets then need no other origin in the SPA's
# Content-Security-Policy and no CORS on the store (deploy/gateway/nginx.conf.template).
GATEWAY_PATH_HEADER = "X-Forwarded-Object-Store"
_GATEWAY_PATH = re.compile(r"^/[A-Za-z0-9_/-]{0,100}$")
UPLOAD_SECONDS = 10 * 60  # how long a browser has to upload after asking
DOWNLOAD_SECONDS = 5 * 60  # how long a media URL works
SNIFF_BYTES = 16


@cache
def _client(endpoint: str, region: str, access_key: str, secret_key: str):
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                        config=Config(signature_version="s3v4", retries={"max_attempts": 3},
                                      connect_timeout=5, read_timeout=30,
                                      s3={"addressing_style": "path"}))


def client(s: Settings):
    return _client(s.s3_endpoint_url, s.s3_region, s.s3_access_key, s.s3_secret_key)


@dataclass(frozen=True)
class UploadOffer:
    url: str
    fields: dict[str, str]
    expires_at: datetime


def offer_upload(s: Settings, key: str, content_type: str, max_bytes: int) -> UploadOffer:
    """A presigned POST for exactly this key and content type, 1 to ``max_bytes`` bytes."""
    fields = {"Content-Type": content_type}
    conditions = [{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]]
    signed = client(s).generate_presigned_post(s.s3_bucket, key, Fields=fields,
                                               Conditions=conditions, ExpiresIn=UPLOAD_SECONDS)
    return UploadOffer(signed["url"], signed["fields"],
                       datetime.now(timezone.utc) + timedelta(seconds=UPLOAD_SECONDS))


@dataclass(frozen=True)
class StoredObject:
    size_bytes: int
    content_type: str
    first_bytes: bytes


def inspect(s: Settings, key: str) -> StoredObject | None:
    """What the store holds under ``key`` (its size, type and first bytes), or None."""
    from botocore.exceptions import ClientError

    try:
        head = client(s).head_object(Bucket=s.s3_bucket, Key=key)
        start = client(s).get_object(Bucket=s.s3_bucket, Key=key,
                                     Range=f"bytes=0-{SNIFF_BYTES - 1}")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return StoredObject(head["ContentLength"], head.get("ContentType", ""), start["Body"].read())


def remove(s: Settings, key: str) -> None:
    client(s).delete_object(Bucket=s.s3_bucket, Key=key)


def download_url(s: Settings, key: str, content_type: str, filename: str) -> tuple[str, datetime]:
    """A short-lived URL that serves the object inline with its checked type."""
    url = client(s).generate_presigned_url("get_object", Params={
        "Bucket": s.s3_bucket, "Key": key, "ResponseContentType": content_type,
        "ResponseContentDisposition": f'inline; filename="{_ascii(filename)}"'},
        ExpiresIn=DOWNLOAD_SECONDS)
    return url, datetime.now(timezone.utc) + timedelta(seconds=DOWNLOAD_SECONDS)


def as_seen_by(s: Settings, url: str, gateway_path: str | None) -> str:
    """``url`` as the caller reaches the store: unchanged for a direct caller; behind the
    gateway, on its origin (``/objects/soems/...``). The signatures still hold: a POST
    policy names no host, and the gateway sends a presigned GET on with the store's own
    Host header, which is what was signed."""
    if gateway_path and _GATEWAY_PATH.match(gateway_path) and url.startswith(s.s3_endpoint_url):
        return gateway_path.rstrip("/") + url[len(s.s3_endpoint_url):]
    return url


def _ascii(filename: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                   for c in filename)[:100]
