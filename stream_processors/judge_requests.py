"""Judge requests, from the grading topic to the judge's own topic.

The request is a fact in the attempt's grading stream (``JudgeRequested``, written with the
decision that asked for it, so a crash never loses one). This agent forwards each, as the same
Avro message, to ``JUDGE_REQUESTS``, keyed by attempt: the judge workers' group reads only
their work, with as many partitions as workers may be useful, and one exam's programs spread
over all of them. At-least-once: a request forwarded twice is judged once (its verdict's
command id derives from the request, and a worker skips a request already answered).
"""
from __future__ import annotations

from eventlog.topics import JUDGE_PARTITIONS, JUDGE_TOPIC_CONFIG
from schemas.events.grading import GRADING, JUDGE_REQUESTS, JudgeRequested
from stream_processors.app import app, decoded_messages

grading_events = app.source_topic(GRADING)
judge_requests = app.owned_topic(JUDGE_REQUESTS, JUDGE_PARTITIONS, JUDGE_TOPIC_CONFIG,
                                 key_serializer="raw", value_serializer="raw")


@app.agent(grading_events)
async def forward_judge_requests(messages):
    async for message, recorded in decoded_messages(messages, only=(JudgeRequested,)):
        await judge_requests.send(key=recorded.payload.attempt_id.encode(),
                                  value=message.value)
