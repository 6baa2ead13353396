"""A judge worker's waiting room: the requests it has read from Kafka, shared out fairly
between exams, and the offsets it may commit.

Fair shares: one line per exam, served in turn (round robin), first come first served within
an exam. An exam whose 500 programs arrive first does not make another exam's wait behind
all of them: each runner that frees up takes the next exam's turn. The worker reads ahead up
to a bound (``judge_read_ahead``) so it sees the other exams' requests behind a burst; past
the bound it stops fetching (back-pressure) and the rest wait, durably, in Kafka. Nothing is
ever refused for being busy: a student's program is queued, not bounced ("queue is full").

Offsets: runs finish out of order (exams' turns, and programs take different times), so a
partition's committable offset is its lowest request not yet judged. A restart redoes at
most what was in flight or read ahead; a verdict is idempotent (its command id derives from
the request), so a redone request grades nothing twice.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Generic, Hashable, TypeVar

Partition = TypeVar("Partition", bound=Hashable)


@dataclass(frozen=True)
class Job(Generic[Partition]):
    exam_id: str
    partition: Partition
    offset: int
    request: object  # the decoded JudgeRequested (and its envelope)
    message: object = field(default=None, compare=False)  # the Kafka record, for the DLQ


class FairQueue:
    """Jobs waiting for a runner, one line per exam, exams served in turn."""

    def __init__(self) -> None:
        self._lines: OrderedDict[str, deque[Job]] = OrderedDict()
        self._size = 0
        self._changed = asyncio.Condition()

    def __len__(self) -> int:
        return self._size

    def exams(self) -> dict[str, int]:
        """Requests waiting per exam (for the metrics)."""
        return {exam: len(line) for exam, line in self._lines.items()}

    async def put(self, job: Job) -> None:
        self._lines.setdefault(job.exam_id, deque()).append(job)
        self._size += 1
        async with self._changed:
            self._changed.notify()

    def take_nowait(self) -> Job | None:
        """The next exam's oldest job; that exam goes to the back of the turn."""
        if not self._lines:
            return None
        exam, line = next(iter(self._lines.items()))
        job = line.popleft()
        self._size -= 1
        if line:
            self._lines.move_to_end(exam)
        else:
            del self._lines[exam]
        return job

    async def take(self) -> Job:
        async with self._changed:
            await self._changed.wait_for(lambda: self._size > 0)
            return self.take_nowait()

    def drop(self, partitions: set) -> int:
        """Forget the jobs of partitions this worker no longer owns (their next owner reads
        them again from the committed offset); how many were dropped."""
        dropped = 0
        for exam in list(self._lines):
            line = self._lines[exam]
            kept = deque(job for job in line if job.partition not in partitions)
            dropped += len(line) - len(kept)
            if kept:
                self._lines[exam] = kept
            else:
                del self._lines[exam]
        self._size -= dropped
        return dropped


class Offsets:
    """Per partition: the offsets read and not yet finished, and what may be committed."""

    def __init__(self) -> None:
        self._open: dict = {}  # partition -> offsets read, not finished
        self._next: dict = {}  # partition -> the offset after the last one read
        self._committed: dict = {}

    def read(self, partition, offset: int) -> None:
        self._open.setdefault(partition, set()).add(offset)
        self._next[partition] = max(self._next.get(partition, 0), offset + 1)

    def finished(self, partition, offset: int) -> None:
        self._open.get(partition, set()).discard(offset)

    def committable(self) -> dict:
        """Partition -> offset to commit (the lowest unfinished one, or the one after the last
        read), for the partitions that moved since the last commit."""
        moved = {}
        for partition, after in self._next.items():
            waiting = self._open.get(partition)
            offset = min(waiting) if waiting else after
            if self._committed.get(partition) != offset:
                moved[partition] = offset
        return moved

    def committed(self, offsets: dict) -> None:
        self._committed.update(offsets)

    def forget(self, partitions: set) -> None:
        for partition in partitions:
            for book in (self._open, self._next, self._committed):
                book.pop(partition, None)

    def in_flight(self) -> int:
        return sum(len(offsets) for offsets in self._open.values())
