"""Which emails exam events call for, and how they read (text and HTML)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from schemas.events.exam import (ExamDeleted, ExamDrafted, ExamPublished, ExamUpdated,
                                 ResultsPublished, StudentsAssigned, StudentsUnassigned)
from stream_processors.notifications import mail
from stream_processors.notifications.notices import (Notice, NoticeKind, notices_for,
                                                     reminder_due)

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)
OPENS = NOW + timedelta(hours=20)


def given(*events):
    exam, notices = None, []
    for event in events:
        exam, more = notices_for(exam, event)
        notices += more
    return exam, notices


DRAFTED = ExamDrafted(exam_id="e-1", teacher_id="t-1", title="Algebra", description="",
                      instructions="", duration_minutes=60, window_opens_at=OPENS,
                      window_closes_at=OPENS + timedelta(hours=2))
PUBLISHED = ExamPublished(exam_id="e-1", teacher_id="t-1", published_at=NOW)


def assigned(*students):
    return StudentsAssigned(exam_id="e-1", student_ids=list(students))


def kinds(notices):
    return [(n.kind, n.user_id) for n in notices]


def test_a_draft_emails_nobody_and_publishing_tells_everyone_assigned():
    exam, notices = given(DRAFTED, assigned("s-1", "s-2"))
    assert notices == [] and exam.assigned == {"s-1", "s-2"}
    _, notices = given(DRAFTED, assigned("s-1", "s-2"), PUBLISHED)
    assert kinds(notices) == [(NoticeKind.EXAM_ASSIGNED, "s-1"),
                              (NoticeKind.EXAM_ASSIGNED, "s-2")]


def test_after_publishing_each_new_student_is_told_once():
    _, notices = given(DRAFTED, assigned("s-1"), PUBLISHED, assigned("s-1", "s-3"))
    assert kinds(notices) == [(NoticeKind.EXAM_ASSIGNED, "s-1"),
                              (NoticeKind.EXAM_ASSIGNED, "s-3")]


def test_results_go_to_the_students_they_are_released_to():
    exam, _ = given(DRAFTED, assigned("s-1", "s-2"), PUBLISHED)
    _, to_one = notices_for(exam, ResultsPublished(exam_id="e-1", student_ids=["s-2"],
                                                   published_by="t-1", published_at=NOW))
    _, to_all = notices_for(exam, ResultsPublished(exam_id="e-1", student_ids=None,
                                                   published_by="t-1", published_at=NOW))
    assert kinds(to_one) == [(NoticeKind.RESULTS_PUBLISHED, "s-2")]
    assert kinds(to_all) == [(NoticeKind.RESULTS_PUBLISHED, "s-1"),
                             (NoticeKind.RESULTS_PUBLISHED, "s-2")]


def test_the_exam_view_follows_edits_unassignments_and_deletion():
    edited = ExamUpdated(exam_id="e-1", title="Algebra II", description="", instructions="",
                         duration_minutes=60, window_opens_at=OPENS + timedelta(days=1))
    exam, _ = given(DRAFTED, assigned("s-1", "s-2"), edited,
                    StudentsUnassigned(exam_id="e-1", student_ids=["s-2"]))
    assert (exam.title, exam.opens_at, exam.assigned) == (
        "Algebra II", OPENS + timedelta(days=1), {"s-1"})
    exam, notices = given(DRAFTED, ExamDeleted(exam_id="e-1"))
    assert exam.status == "deleted" and notices == []
    assert notices_for(None, PUBLISHED) == (None, [])  # never saw it drafted


def test_a_reminder_is_due_within_the_lead_before_the_window_opens():
    exam, _ = given(DRAFTED, PUBLISHED)
    lead = timedelta(hours=24)
    assert reminder_due(exam, NOW, lead)
    assert not reminder_due(exam, NOW, timedelta(hours=12))  # too early yet
    assert not reminder_due(exam, OPENS + timedelta(minutes=1), lead)  # open already
    draft, _ = given(DRAFTED)
    assert not reminder_due(draft, NOW, lead)


def test_a_notice_has_one_id_per_kind_exam_and_student():
    one = Notice(NoticeKind.EXAM_ASSIGNED, "e-1", "s-1")
    assert one.notification_id == Notice(NoticeKind.EXAM_ASSIGNED, "e-1", "s-1").notification_id
    assert one.notification_id != Notice(NoticeKind.EXAM_REMINDER, "e-1",
                                         "s-1").notification_id


def test_an_email_has_text_and_escaped_html():
    email = mail.render(NoticeKind.EXAM_REMINDER, to="ada@example.edu", name="Ada <b>",
                        title="Algebra & <script>alert(1)</script>", opens_at=OPENS,
                        closes_at=None, link="http://soems.test/student",
                        profile_link="http://soems.test/account", message_id="<x@soems>")
    assert email.subject == ("Reminder: Algebra & <script>alert(1)</script> opens "
                             "Monday 07 December 2026, 05:00 UTC")
    assert "Hello Ada <b>," in email.text and "http://soems.test/account" in email.text
    assert "<script>" not in email.html
    assert "Algebra &amp; &lt;script&gt;" in email.html and "Ada &lt;b&gt;" in email.html
    assert 'href="http://soems.test/student"' in email.html


def test_only_a_refused_address_is_given_up_at_once():
    import smtplib
    assert mail.permanent(smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}))
    assert not mail.permanent(smtplib.SMTPRecipientsRefused({"a@x": (451, b"later")}))
    assert not mail.permanent(smtplib.SMTPSenderRefused(530, b"auth", "f@x"))
    assert not mail.permanent(ConnectionRefusedError())


class FakeSmtp:
    """What a Postman asks of an SMTP connection, recorded (``fail``: the next send breaks)."""

    opened: list["FakeSmtp"] = []

    def __init__(self, host, port, timeout):
        self.sent, self.closed, self.alive, self.fail = [], False, True, False
        FakeSmtp.opened.append(self)

    def login(self, user, password):
        pass

    def send_message(self, message):
        if self.fail:
            raise ConnectionResetError("the server went away")
        self.sent.append(message["Message-ID"])

    def noop(self):
        return (250, b"ok") if self.alive else (421, b"closing")

    def quit(self):
        self.closed = True

    close = quit


def an_email(n: int) -> mail.Email:
    return mail.Email(to=f"s{n}@example.edu", name="S", subject="Hi", text="t", html="<p>h</p>",
                      message_id=f"<{n}@soems>")


def test_a_postman_keeps_one_connection_and_opens_another_when_it_breaks_or_idles():
    from settings import Settings

    FakeSmtp.opened = []
    postman = mail.Postman(Settings(smtp_password="pw"), connect=FakeSmtp)
    for n in range(3):
        postman.send(an_email(n))
    assert len(FakeSmtp.opened) == 1 and FakeSmtp.opened[0].sent == ["<0@soems>", "<1@soems>",
                                                                     "<2@soems>"]
    FakeSmtp.opened[0].fail = True
    try:
        postman.send(an_email(3))
    except ConnectionResetError:
        pass
    assert FakeSmtp.opened[0].closed  # dropped: the next email connects again
    postman.send(an_email(4))
    assert len(FakeSmtp.opened) == 2 and FakeSmtp.opened[1].sent == ["<4@soems>"]
    # Idle for a while and closed by the server meanwhile: found out (NOOP) before sending.
    FakeSmtp.opened[1].alive = False
    postman._last_used -= mail.Postman.CHECK_AFTER_IDLE_S + 1
    postman.send(an_email(5))
    assert len(FakeSmtp.opened) == 3 and FakeSmtp.opened[2].sent == ["<5@soems>"]
    # A fresh connection every MESSAGES_PER_CONNECTION emails, as servers limit them.
    for n in range(mail.Postman.MESSAGES_PER_CONNECTION):
        postman.send(an_email(100 + n))
    assert len(FakeSmtp.opened) == 4 and FakeSmtp.opened[2].closed
    postman.close()
    assert FakeSmtp.opened[3].closed


def test_a_reminder_scan_reads_only_the_exams_time_brought_within_the_lead():
    from stream_processors.notifications.service import reminders, scan_window

    lead = timedelta(hours=24)
    assert scan_window(NOW, lead, None) == (NOW, NOW + lead)  # the first: all within it
    later = NOW + timedelta(seconds=30)
    assert scan_window(later, lead, NOW) == (NOW + lead, later + lead)
    # One student's reminder per exam that opens within the lead, none for one further off.
    exam, _ = given(DRAFTED, assigned("s-2", "s-1"), PUBLISHED)
    assert [(n.kind, n.user_id) for n in reminders([exam], NOW, lead)] == [
        (NoticeKind.EXAM_REMINDER, "s-1"), (NoticeKind.EXAM_REMINDER, "s-2")]
    assert reminders([exam], NOW, timedelta(hours=2)) == []
