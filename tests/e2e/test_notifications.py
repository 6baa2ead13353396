"""Email notifications on the real stack, read back from Mailpit: exam assigned, a reminder
before the window opens (not for a student who turned reminders off), results published;
each once, a restarted notifier included; and the history each person reads.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import httpx

from tests.e2e.harness import eventually, key
from tests.e2e.test_attempts import published_exam, save, start
from tests.e2e.test_grading import SINGLE, grades_of


def inbox(settings, address: str) -> list[dict]:
    """Every message Mailpit holds for ``address``, oldest first."""
    found = httpx.get(f"{settings.smtp_api_url}/api/v1/search",
                      params={"query": f'to:"{address}"', "limit": 200},
                      auth=(settings.smtp_user, settings.smtp_password), timeout=10)
    assert found.status_code == 200, found.text
    return sorted(found.json()["messages"], key=lambda m: m["Created"])


def subjects(settings, user) -> list[str]:
    return [m["Subject"] for m in inbox(settings, user["user"]["email"])]


def body_of(settings, message: dict) -> dict:
    return httpx.get(f"{settings.smtp_api_url}/api/v1/message/{message['ID']}",
                     auth=(settings.smtp_user, settings.smtp_password), timeout=10).json()


def history(services, user) -> list[dict]:
    answer = httpx.get(f"{services.query_url}/v1/auth/me/notifications",
                       headers=user["headers"])
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_students_are_emailed_once_about_their_exam_and_their_results(services, make_user,
                                                                      settings):
    teacher, admin = make_user("teacher"), make_user("admin")
    alice, bob, carol = (make_user("student") for _ in range(3))
    # Carol wants no reminders (the assignment and her results still reach her).
    off = httpx.put(f"{services.command_url}/v1/auth/me/notifications",
                    headers={**carol["headers"], **key()}, json={"exam_reminders": False})
    assert off.status_code == 200 and off.json()["exam_reminders"] is False, off.text
    eventually(lambda: httpx.get(f"{services.query_url}/v1/auth/me", headers=carol[
        "headers"]).json().get("exam_reminders") is False, timeout=20)
    refused = httpx.put(f"{services.command_url}/v1/auth/me/notifications",
                        headers={**carol["headers"], **key()}, json={"exam_reminders": "x"})
    assert refused.status_code == 422

    # An exam opening in two hours: inside the 24-hour reminder lead.
    now = datetime.now(timezone.utc)
    exam_id, [single] = published_exam(services, teacher, [alice, bob, carol], [SINGLE],
                                       now + timedelta(hours=2), now + timedelta(hours=4))
    title = "Exam day"
    assigned = f"You have an exam: {title}"

    def got(user, count: int):
        found = subjects(settings, user)
        return len(found) >= count and found

    for student in (alice, bob):
        found = eventually(lambda: got(student, 2), timeout=60)
        assert sorted(s.split(" opens")[0] for s in found) == [f"Reminder: {title}",
                                                               assigned]
    assert eventually(lambda: got(carol, 1), timeout=30) == [assigned]
    [mail] = [m for m in inbox(settings, alice["user"]["email"]) if m["Subject"] == assigned]
    full = body_of(settings, mail)
    assert full["To"][0]["Address"] == alice["user"]["email"]
    assert "/student" in full["Text"] and f"<strong>{title}</strong>" in full["HTML"]
    assert full["MessageID"]  # derived from the notice: a resend would carry the same one

    mine = eventually(lambda: (lambda h: len(h) == 2 and all(
        n["status"] == "sent" for n in h) and h)(history(services, alice)), timeout=20)
    assert {n["kind"] for n in mine} == {"exam_assigned", "exam_reminder"}
    assert all(n["exam_title"] == title and n["last_error"] is None for n in mine)
    held_back = eventually(lambda: [n for n in history(services, carol)
                                    if n["kind"] == "exam_reminder"], timeout=20)
    assert (held_back[0]["status"], held_back[0]["reason"]) == ("skipped", "reminders_off")
    # Admins read anyone's history; nobody else reads another's.
    theirs = httpx.get(f"{services.query_url}/v1/users/{alice['user']['user_id']}"
                       f"/notifications", headers=admin["headers"])
    assert theirs.status_code == 200 and len(theirs.json()["items"]) == 2
    assert httpx.get(f"{services.query_url}/v1/users/{alice['user']['user_id']}"
                     f"/notifications", headers=bob["headers"]).status_code == 403

    # The notifier restarts (SIGKILL): it reads the exam topic again from its stored offsets
    # and sends nothing twice.
    services.kill("notifier")
    services.start("notifier")
    time.sleep(3)

    # A second exam, open now: Alice takes it and is graded, Bob does not; the teacher
    # publishes the results to all, and only Alice, who has a result, is emailed.
    exam2, [q2] = published_exam(services, teacher, [alice, bob], [SINGLE],
                                 now - timedelta(minutes=1), now + timedelta(hours=1))
    attempt_id = start(services, alice, exam2).json()["attempt_id"]
    assert save(services, alice, attempt_id, q2, 1, {"option_ids": ["b"]}).status_code == 200
    assert httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                      headers={**alice["headers"], **key()}).status_code == 200
    eventually(lambda: grades_of(services, teacher, attempt_id).status_code == 200, timeout=30)
    published = httpx.post(f"{services.command_url}/v1/exams/{exam2}/results/publish",
                           headers={**teacher["headers"], **key()}, json={})
    assert published.status_code == 200, published.text
    results = f"Your results for {title} are published"
    eventually(lambda: results in subjects(settings, alice), timeout=60)
    [mail] = [m for m in inbox(settings, alice["user"]["email"]) if m["Subject"] == results]
    assert f"/student/attempts/{attempt_id}/results" in body_of(settings, mail)["Text"]
    bobs = eventually(lambda: [n for n in history(services, bob)
                               if n["kind"] == "results_published" and n["status"] != "queued"],
                      timeout=30)
    assert (bobs[0]["status"], bobs[0]["reason"]) == ("skipped", "no_attempt")

    # Nothing twice, the restart included: first exam's two emails, the second exam's
    # assignment (its window is open: no reminder) and the results.
    time.sleep(2)
    found = subjects(settings, alice)
    assert len(found) == 4 and found.count(assigned) == 2 and found.count(results) == 1, found
    assert len(subjects(settings, bob)) == 3  # two assignments, one reminder
