"""The notifications benchmark: a teacher publishes an exam assigned to N students, and the
notifier emails each of them ("You have an exam"), through the SMTP server (Mailpit locally).

    .venv/bin/python bench/notifications.py [--students 1000] [--json]

Needs `make run`. Students are the exam-day bench's accounts (bench/exam_day.py: imported
once, reused). Measured from the publication's answer until every notice of the exam is
recorded as sent in ``read_models.notifications``:

- emails per second, and the notifier's CPU per email (its own process group);
- per email, where the time goes: published -> queued (the relay, Kafka, the notifier's
  consumer) and queued -> sent (the sender: claiming, reading the person and the exam,
  rendering, the SMTP conversation, recording it);
- CPU seconds per process group meanwhile (the SMTP server's included).
"""
from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands import (cpu_seconds_by_group, machine, poll_rows,  # noqa: E402
                      print_cpu_seconds, print_latencies, progress, run_bench, summary)
from exam_day import QUESTIONS, exam_of, teacher_and_students  # noqa: E402
from settings import Settings  # noqa: E402
from stream_processors.notifications.outbox import NOTIFICATIONS  # noqa: E402

WAIT_S = 900  # for every email to be sent


async def notices(conn: asyncpg.Connection, exam_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT status, created_at, sent_at FROM {NOTIFICATIONS} WHERE exam_id = $1",
        exam_id)


async def run(s: Settings, count: int) -> dict:
    command = httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.command_api_port}", timeout=120)
    try:
        teacher, student_ids = await teacher_and_students(s, command, count)
        progress(f"measuring: an exam assigned to {count} students is published")
        cpu_before = cpu_seconds_by_group()
        began = time.time()
        exam_id, _ = await exam_of(command, teacher, student_ids, list(QUESTIONS),
                                   f"Notifications bench {datetime.now(timezone.utc):%H:%M:%S}",
                                   minutes=60)
        published = time.time()
    finally:
        await command.aclose()
    def finished(rows) -> list:
        return [r for r in rows if r["status"] in ("sent", "skipped", "failed")]

    rows = await poll_rows(s, lambda conn: notices(conn, exam_id),
                           lambda rows: len(rows) >= count and len(finished(rows)) == len(rows),
                           lambda rows: f"only {len(finished(rows))} of {count} notices done",
                           WAIT_S)
    cpu = cpu_seconds_by_group() - cpu_before
    sent = [r for r in rows if r["status"] == "sent"]
    last = max(r["sent_at"].timestamp() for r in sent)
    seconds = last - published
    notifier = cpu.get("notifier", 0.0)
    return {
        "machine": machine(), "students": count, "exam_id": exam_id,
        "publishing_took_s": round(published - began, 2),
        "sent": len(sent), "not_sent": len(rows) - len(sent),
        "all_sent_s": round(seconds, 2), "emails_per_s": round(len(sent) / seconds, 1),
        "notifier_cpu_ms_per_email": round(1000 * notifier / max(len(sent), 1), 2),
        "latency_ms": {
            "published until sent": summary(
                [(r["sent_at"].timestamp() - published) * 1000 for r in sent]),
            "  published until queued (relay, Kafka, the notifier's consumer)": summary(
                [(r["created_at"].timestamp() - published) * 1000 for r in sent]),
            "  queued until sent (the sender)": summary(
                [(r["sent_at"] - r["created_at"]).total_seconds() * 1000 for r in sent]),
        },
        "cpu_seconds": {k: round(v, 1) for k, v in cpu.most_common()},
    }


def print_table(x: dict) -> None:
    m = x["machine"]
    print(f"notifications: an exam assigned to {x['students']} students published, on "
          f"{m['cpu']} ({m['cores']} cores, {m['memory_gib']} GiB)")
    print(f"{x['sent']} emails sent ({x['not_sent']} not), the last {x['all_sent_s']} s after "
          f"the publication: {x['emails_per_s']} emails/s; the notifier's CPU "
          f"{x['notifier_cpu_ms_per_email']} ms per email")
    print_latencies(x["latency_ms"])
    print_cpu_seconds(x["cpu_seconds"], m["cores"] * (x["all_sent_s"] + x["publishing_took_s"]),
                      "from the publication until the last email")


def arguments(parser) -> None:
    parser.add_argument("--students", type=int, default=1000)


if __name__ == "__main__":
    run_bench(__doc__, lambda s, args: run(s, args.students), print_table, arguments)
