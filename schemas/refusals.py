"""Why a command or a read is refused, in the domain's words (no HTTP here).

Deciders and read routes raise these; ``web.errors`` maps each kind to an HTTP status and the
one error shape of both APIs, ``{detail, code, field}``. ``code`` is stable and
machine-readable; ``field`` names the input at fault when there is one.
"""
from __future__ import annotations


class DomainError(Exception):
    """A refusal because of the current state (a conflict): publishing a published exam."""

    kind = "conflict"

    def __init__(self, code: str, message: str, field: str | None = None, **details):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field
        self.details = details  # extra facts for the caller (e.g. the current version)


class Forbidden(DomainError):
    """The caller may not do this."""

    kind = "forbidden"


class NotFound(DomainError):
    """The thing does not exist, or does not exist for this caller (nothing leaks)."""

    kind = "not_found"


class Invalid(DomainError):
    """The input is wrong, whatever the state."""

    kind = "invalid"


class Problems(Invalid):
    """Every fault of an input at once, so a form or an import is fixed in one go: ``field``
    and ``code`` name the first, detail ``errors`` lists all, each ``{detail, code, field}``
    (the shape of a request's validation errors)."""

    def __init__(self, found: list[tuple[str, str, str]]):
        if not found:
            raise ValueError("no problems to report")
        field, code, message = found[0]
        summary = message if len(found) == 1 else f"{message} (and {len(found) - 1} more)"
        super().__init__(code, summary, field=field,
                         errors=[{"detail": m, "code": c, "field": f} for f, c, m in found])


class Unauthenticated(DomainError):
    """No valid credentials."""

    kind = "unauthenticated"


class TooLarge(DomainError):
    kind = "too_large"


class TooManyRequests(DomainError):
    """Slow down: ``retry_after`` seconds (a detail) before the next try."""

    kind = "too_many_requests"


class Unavailable(DomainError):
    """A dependency the answer needs is down; nothing was changed."""

    kind = "unavailable"
