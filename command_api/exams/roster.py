"""Who an exam is assigned to: the students that ids and pasted email lists name.

Every id or email that is not a student's account is reported at once, by position (``emails.3``),
so a teacher pasting a class list fixes them all in one go; nothing is assigned until all are
right. Accounts are read on the command side (their streams and the login emails), never from
a read model that may lag behind."""
from __future__ import annotations

import asyncpg

from command_api.handling import load_states
from command_api.identity.decider import identity_decider
from eventlog.store import EventStore
from schemas.refusals import Problems
from security.roles import Role

async def students_named(store: EventStore, pool: asyncpg.Pool, student_ids: list[str],
                         emails: list[str]) -> list[str]:
    """The student ids named, in order without repeats; refuses the lot if any is wrong."""
    problems: list[tuple[str, str, str]] = []
    by_email: dict[str, str] = {}
    if emails:
        rows = await pool.fetch("SELECT lower(email) AS email, user_id FROM identity.credentials "
                                "WHERE lower(email) = ANY($1::text[])",
                                [e.strip().lower() for e in emails])
        by_email = {r["email"]: r["user_id"] for r in rows}
    named: list[tuple[str, str]] = [(f"student_ids.{i}", s) for i, s in enumerate(student_ids)]
    for i, email in enumerate(emails):
        user_id = by_email.get(email.strip().lower())
        if user_id is None:
            problems.append((f"emails.{i}", "unknown_email", f"no account has the email {email}"))
        else:
            named.append((f"emails.{i}", user_id))
    users = await load_states(store, identity_decider, [user_id for _, user_id in named])
    roles = [u.role if u.exists and not u.erased and not u.disabled else None for u in users]
    for (where, user_id), role in zip(named, roles):
        if role is None:
            problems.append((where, "unknown_student", f"no active account {user_id}"))
        elif role != Role.STUDENT:
            problems.append((where, "not_a_student", f"{user_id} is a {role}, not a student"))
    if problems:
        raise Problems(problems)
    return list(dict.fromkeys(user_id for _, user_id in named))
