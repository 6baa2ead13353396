"""Admins create accounts in bulk from CSV: every bad row reported by row and column, nothing
created until confirmed, a retry creates nothing twice, and the new accounts sign in."""
from __future__ import annotations

import uuid

import httpx

from tests.e2e.conftest import login
from tests.e2e.harness import key


def accounts_csv(tag: str, bad: bool = True) -> bytes:
    lines = ["email,name,role,password"]
    for n in range(20):
        lines.append(f"{tag}-{n}@example.edu,Student {n},student,correct horse {n}")
    lines.append(f"{tag}-t@example.edu,Teacher T,teacher,correct horse t")
    if bad:
        lines.append(f"{tag}-0@example.edu,Twice,student,correct horse x")  # row 23
        lines.append(f"not-an-email,Nobody,student,correct horse y")  # row 24
        lines.append(f"{tag}-w@example.edu,Wizard,wizard,short")  # row 25
    return ("\r\n".join(lines) + "\r\n").encode()


def post(services, user, path, data, **params):
    return httpx.post(f"{services.command_url}/v1/users/imports{path}", content=data,
                      params=params, timeout=300,
                      headers={**user["headers"], **key(), "Content-Type": "text/csv"})


def test_bad_rows_are_reported_and_nothing_is_created_until_confirmed(services, admin):
    tag = f"bulk{uuid.uuid4().hex[:8]}"
    preview = post(services, admin, "/preview", accounts_csv(tag))
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert (report["total"], report["valid"], report["invalid"]) == (24, 21, 3)
    assert {(r["row"], e["column"]) for r in report["rows"] for e in r["errors"]} == {
        (23, "email"), (24, "email"), (25, "role"), (25, "password")}
    assert "correct horse" not in preview.text  # passwords are never echoed
    bad = {r["row"]: r for r in report["rows"] if not r["valid"]}
    assert (bad[24]["email"], bad[25]["role"]) == ("not-an-email", "wizard")  # as written
    refused = post(services, admin, "", accounts_csv(tag))
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {
        "rows.23.email", "rows.24.email", "rows.25.role", "rows.25.password"}
    assert login_fails(services, f"{tag}-1@example.edu", "correct horse 1")

    same = key()
    created = httpx.post(f"{services.command_url}/v1/users/imports", content=accounts_csv(tag),
                         params={"only_valid": "true"}, timeout=300,
                         headers={**admin["headers"], **same, "Content-Type": "text/csv"})
    assert created.status_code == 201, created.text
    assert created.json()["created"] == 21 and created.json()["skipped"] == [23, 24, 25]
    again = httpx.post(f"{services.command_url}/v1/users/imports", content=accounts_csv(tag),
                       params={"only_valid": "true"}, timeout=300,
                       headers={**admin["headers"], **same, "Content-Type": "text/csv"})
    assert again.status_code == 201 and again.json()["user_ids"] == created.json()["user_ids"]
    signed_in = login(services, f"{tag}-t@example.edu", "correct horse t")
    assert signed_in["user"]["role"] == "teacher"


def login_fails(services, email, password) -> bool:
    return httpx.post(f"{services.command_url}/v1/auth/login",
                      json={"email": email, "password": password}).status_code == 401


def test_only_admins_import_accounts(services, teacher):
    assert post(services, teacher, "/preview", accounts_csv("x", bad=False)).status_code == 403
