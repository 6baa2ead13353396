"""Who a command names: the accounts that ids and pasted email lists name (the students an
exam is assigned to, the teachers a question is shared with).

Every id or email that is not an account of the wanted role is reported at once, by position
(``emails.3``), so a teacher pasting a class list fixes them all in one go; nothing is done
until all are right. Accounts are read on the command side (their streams and the login
emails), never from a read model that may lag behind."""
from __future__ import annotations

import asyncpg

from command_api.handling import load_states
from command_api.identity.decider import identity_decider
from eventlog.store import EventStore
from schemas.refusals import Problems
from security.roles import Role


async def accounts_named(store: EventStore, pool: asyncpg.Pool, ids: list[str],
                         emails: list[str], role: Role | None, *, ids_field: str,
                         emails_field: str) -> list[tuple[str, str]]:
    """Each account named, as (where it was named, user id), in order; refuses the lot if
    any is wrong.

    ``role``: every account named must be an active one of this role; None: any account
    that has the email (to take someone off a list, whatever became of their account)."""
    problems: list[tuple[str, str, str]] = []
    by_email: dict[str, str] = {}
    if emails:
        rows = await pool.fetch("SELECT lower(email) AS email, user_id FROM identity.credentials "
                                "WHERE lower(email) = ANY($1::text[])",
                                [e.strip().lower() for e in emails])
        by_email = {r["email"]: r["user_id"] for r in rows}
    named: list[tuple[str, str]] = [(f"{ids_field}.{i}", s) for i, s in enumerate(ids)]
    said = list(ids)  # how the caller named each account, for the messages
    for i, email in enumerate(emails):
        user_id = by_email.get(email.strip().lower())
        if user_id is None:
            problems.append((f"{emails_field}.{i}", "unknown_email",
                             f"no account has the email {email}"))
        else:
            named.append((f"{emails_field}.{i}", user_id))
            said.append(email.strip())
    if role is not None:
        users = await load_states(store, identity_decider, [user_id for _, user_id in named])
        roles = [u.role if u.exists and not u.erased and not u.disabled else None
                 for u in users]
        for (where, user_id), name, found in zip(named, said, roles):
            if found is None:
                problems.append((where, f"unknown_{role}", f"no active account {name}"))
            elif found != role:
                problems.append((where, f"not_a_{role}", f"{name} is {_a(found)} account, "
                                 f"not {_a(role)}'s"))
    if problems:
        raise Problems(problems)
    return named


def _a(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


async def students_named(store: EventStore, pool: asyncpg.Pool, student_ids: list[str],
                         emails: list[str]) -> list[str]:
    """The student ids named (``student_ids.N``, ``emails.N``), in order without repeats."""
    named = await accounts_named(store, pool, student_ids, emails, Role.STUDENT,
                                 ids_field="student_ids", emails_field="emails")
    return list(dict.fromkeys(user_id for _, user_id in named))
