"""Admins create accounts in bulk from a CSV file (``email,name,role,password``): a preview
with every row's problems (row and column, as a spreadsheet numbers them), then the import,
of all rows or only the valid ones.

Each row is its own registration, with a command id derived from the import's and the row's,
so a retried import (the same Idempotency-Key) creates nothing twice and finishes what an
interrupted one left. Passwords are never echoed back."""
from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field, replace
from uuid import uuid5

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, ValidationError

from command_api.dependencies import Command, Personal, Pool, Store
from command_api.identity.accounts import register_account, user_id_for
from command_api.identity.routes import CreateUserIn
from schemas.refusals import DomainError, Invalid, Problems
from security.dependencies import require_role
from security.roles import Role

USER_IMPORTS_PATH = "/v1/users/imports"
router = APIRouter(prefix=USER_IMPORTS_PATH, tags=["users"],
                   dependencies=[require_role(Role.ADMIN)])
COLUMNS = ("email", "name", "role", "password")
MAX_ROWS = 2_000
REGISTRATIONS_AT_ONCE = 4
CSV_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string", "format": "binary"}}}}}


@dataclass
class AccountRow:
    row: int
    account: CreateUserIn | None
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (column, message)
    given: dict[str, str] = field(default_factory=dict)  # the row as written, no password


def read_accounts(data: bytes) -> tuple[list[str], list[AccountRow]]:
    """File errors, and each row's account or problems (``refuse_taken`` adds the emails that
    already have an account)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ["the file is not UTF-8 text"], []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("email", "name", "password") if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        return [f"missing columns: {', '.join(missing)}" if missing else
                f"unknown columns: {', '.join(unknown)} (known: {', '.join(COLUMNS)})"], []
    reader.fieldnames = header
    rows, seen = [], {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            return [f"more than {MAX_ROWS:,} accounts: split the file"], []
        values = {k: (v or "").strip() if k != "password" else (v or "")
                  for k, v in raw.items() if k in COLUMNS}
        if not any(values.values()):
            continue  # a blank line
        values["role"] = values.get("role") or Role.STUDENT.value
        found = AccountRow(number, None, given={k: v for k, v in values.items()
                                                if k != "password"})
        try:
            found.account = CreateUserIn.model_validate(values)
        except ValidationError as exc:
            found.errors = [(str(e["loc"][0]) if e["loc"] else None, e["msg"])
                            for e in exc.errors(include_input=False)]
        email = values.get("email", "").lower()
        if email in seen:
            found.errors.append(("email", f"the same email as row {seen[email]}"))
        seen.setdefault(email, number)
        if found.errors:
            found.account = None
        rows.append(found)
    return [], rows


def _row_command(ctx, row: int):
    return uuid5(ctx.command_id, f"row {row}")


def refuse_taken(rows: list[AccountRow], taken: dict[str, str], own_user_id) -> None:
    """Rows whose email already has an account (``taken``: email -> user id) are refused,
    unless this very import made that account for the row (``own_user_id(row)``: a retry)."""
    for r in rows:
        if r.account is not None:
            holder = taken.get(r.account.email.lower())
            if holder is not None and holder != own_user_id(r.row):
                r.errors.append(("email", "an account with this email already exists"))
                r.account = None


async def _read(request: Request, pool, ctx=None) -> tuple[list[str], list[AccountRow]]:
    data = await request.body()
    if not data:
        raise Invalid("file_empty", "send the CSV file as the request body", field="body")
    file_errors, rows = read_accounts(data)
    emails = [r.account.email.lower() for r in rows if r.account]
    if emails:
        taken = {r["email"]: r["user_id"] for r in await pool.fetch(
            "SELECT lower(email) AS email, user_id FROM identity.credentials "
            "WHERE lower(email) = ANY($1::text[])", emails)}
        refuse_taken(rows, taken, (lambda row: user_id_for(_row_command(ctx, row))) if ctx
                     else (lambda row: None))
    return file_errors, rows


class RowProblem(BaseModel):
    column: str | None
    message: str


class AccountPreview(BaseModel):
    row: int
    valid: bool
    email: str | None
    name: str | None
    role: str | None
    errors: list[RowProblem]


class AccountsPreview(BaseModel):
    total: int
    valid: int
    invalid: int
    file_errors: list[str]
    rows: list[AccountPreview]


class AccountsImported(BaseModel):
    created: int
    user_ids: list[str]
    skipped: list[int]


@router.post("/preview", response_model=AccountsPreview, openapi_extra=CSV_BODY,
             summary="Read an accounts CSV and report every row; nothing is created")
async def preview_accounts(request: Request, pool: Pool):
    file_errors, rows = await _read(request, pool)
    # A bad row shows what it says (never its password), so the admin finds it in the file.
    items = [AccountPreview(row=r.row, valid=r.account is not None,
                            email=str(r.account.email) if r.account else
                            r.given.get("email") or None,
                            name=r.account.name if r.account else r.given.get("name") or None,
                            role=r.account.role if r.account else r.given.get("role") or None,
                            errors=[RowProblem(column=c, message=m) for c, m in r.errors])
             for r in rows]
    valid = sum(i.valid for i in items)
    return AccountsPreview(total=len(items), valid=valid, invalid=len(items) - valid,
                           file_errors=file_errors, rows=items)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AccountsImported,
             openapi_extra=CSV_BODY,
             summary="Create the accounts of a CSV file: all of them, or only the valid rows")
async def import_accounts(request: Request, ctx: Command, store: Store, personal: Personal,
                          pool: Pool, only_valid: bool = False):
    file_errors, rows = await _read(request, pool, ctx)
    if file_errors:
        raise Problems([("file", "file_unreadable", m) for m in file_errors])
    bad = [r for r in rows if r.account is None]
    if bad and not only_valid:
        raise Problems([(f"rows.{r.row}.{c or 'row'}", "row_invalid", f"row {r.row}: {m}")
                        for r in bad for c, m in r.errors])
    good = [r for r in rows if r.account is not None]
    gate = asyncio.Semaphore(REGISTRATIONS_AT_ONCE)

    async def register(r: AccountRow) -> str:
        async with gate:
            row_ctx = replace(ctx, command_id=_row_command(ctx, r.row))
            try:
                made = await register_account(store, personal, str(r.account.email),
                                              r.account.name, r.account.password,
                                              r.account.role, row_ctx, by_visitor=False)
            except DomainError as exc:
                raise Problems([(f"rows.{r.row}.{exc.field or 'row'}", exc.code,
                                 f"row {r.row}: {exc.message}")]) from exc
            return made["user_id"]

    user_ids = await asyncio.gather(*(register(r) for r in good))
    return AccountsImported(created=len(user_ids), user_ids=list(user_ids),
                            skipped=[r.row for r in bad])
