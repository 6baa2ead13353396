"""FerretDB serves the read models' filter shapes by `_id`, and the version guard holds.

For tests/integration/. Needs the local stack (`live_stack`) with FerretDB on PostgreSQL as set
up by deploy/local/components.py: the `ferretdb` database with plan_cache_mode
force_custom_plan and the event trigger that gives every collection table a GIN index on
`_jsonb->'_id'` (the expression FerretDB's `_id` pushdown, `_jsonb->'_id' @> '"k"'`, uses).

The shapes proven here are the ones the projections must use:
  read one doc:   find_one({"_id": k})                         (pushed down, index scan)
  write a batch:  bulk_write([UpdateOne({"_id": k, "version": {"$lt": v}}, {"$set": doc})],
                             ordered=False)  in chunks of at most WRITE_CHUNK ops, no upsert,
                  then insert_many(docs, ordered=False), duplicate-key errors (11000) ignored.
`find({"_id": {"$in": keys}})` is NOT pushed down by FerretDB 1.24 (a full scan per call),
and a guarded filter with upsert=True is unusable: its duplicate-key error ends FerretDB's
whole update command, ordered=False or not (test_guarded_upsert_error_stops_the_command).
"""
from __future__ import annotations

import uuid

import pymongo
import pytest
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

WRITE_CHUNK = 25  # matched update ops per command; FerretDB's pool must exceed it (see above)


@pytest.fixture
def coll(live_stack, unique):
    client = pymongo.MongoClient(live_stack.mongo_uri, serverSelectionTimeoutMS=5000,
                                 socketTimeoutMS=30000)
    c = client[live_stack.mongo_db][f"test_pushdown_{unique}"]
    c.insert_many([{"_id": str(uuid.uuid4()), "version": 1, "title": "t"} for _ in range(300)])
    yield c
    c.drop()
    client.close()


def _explain(coll, flt) -> dict:
    return coll.database.command("explain", {"find": coll.name, "filter": flt})


def _plan_nodes(plan: dict) -> list[dict]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += _plan_nodes(child)
    return nodes


def _uses_index(explain: dict) -> bool:
    plan = explain["queryPlanner"]["Plan"]
    assert isinstance(plan, dict), f"not the PostgreSQL backend? plan: {plan!r}"
    return any("Index" in n.get("Node Type", "") for n in _plan_nodes(plan))


@pytest.mark.parametrize("shape", ["by_id", "eq", "guard", "as_read"])
def test_id_filters_are_pushed_down_to_an_index(coll, shape):
    k = coll.find_one()["_id"]
    flt = {"by_id": {"_id": k}, "eq": {"_id": {"$eq": k}},
           "guard": {"_id": k, "version": {"$lt": 5}},
           "as_read": {"_id": k, "version": 1}}[shape]  # what MongoDocuments.write sends
    r = _explain(coll, flt)
    assert r["filterPushdown"] is True, r
    assert _uses_index(r), r["queryPlanner"]


def test_in_is_not_pushed_down(coll):
    """Documents the trap: a batch read by $in scans the whole collection."""
    keys = [d["_id"] for d in coll.find({}, {"_id": 1}).limit(5)]
    assert _explain(coll, {"_id": {"$in": keys}})["filterPushdown"] is False


def _write_batch(coll, docs: list[dict]) -> None:
    """The chosen write shape: guarded update (no upsert), then insert of the missing."""
    ops = [UpdateOne({"_id": d["_id"], "version": {"$lt": d["version"]}},
                     {"$set": {k: v for k, v in d.items() if k != "_id"}}) for d in docs]
    for i in range(0, len(ops), WRITE_CHUNK):
        coll.bulk_write(ops[i:i + WRITE_CHUNK], ordered=False)  # never a write error
    try:
        coll.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        assert all(e["code"] == 11000 for e in exc.details["writeErrors"]), exc.details


def test_redelivered_older_version_never_overwrites_a_newer_one(coll):
    existing = [d["_id"] for d in coll.find({}, {"_id": 1}).limit(100)]
    new = [str(uuid.uuid4()) for _ in range(50)]
    # Newer versions of 100 existing docs and 50 new docs, in one batch.
    _write_batch(coll, [{"_id": k, "version": 3, "title": "v3"} for k in existing + new])
    # Redelivered older events, mixed with one more newer event and one more new doc.
    late = str(uuid.uuid4())
    _write_batch(coll, [{"_id": k, "version": 2, "title": "STALE"} for k in existing + new]
                 + [{"_id": existing[0], "version": 4, "title": "v4"},
                    {"_id": late, "version": 1, "title": "v1"}][::-1])
    got = {d["_id"]: d for d in coll.find({"_id": {"$in": existing + new + [late]}})}
    assert got[existing[0]]["version"] == 4 and got[existing[0]]["title"] == "v4"
    for k in existing[1:] + new:
        assert (got[k]["version"], got[k]["title"]) == (3, "v3"), got[k]
    assert got[late]["version"] == 1
    assert coll.count_documents({}) == 300 + 50 + 1


def test_guarded_upsert_error_stops_the_command(coll):
    """Why the write shape has no upsert: FerretDB 1.24 ends the command at the first
    duplicate-key error even with ordered=False; the ops after it are silently skipped."""
    stale, fresh = [d["_id"] for d in coll.find({}, {"_id": 1}).limit(2)]
    reply = coll.database.command("update", coll.name, ordered=False, updates=[
        {"q": {"_id": stale, "version": {"$lt": 1}}, "u": {"$set": {"version": 1}},
         "upsert": True},
        {"q": {"_id": fresh, "version": {"$lt": 2}}, "u": {"$set": {"version": 2}},
         "upsert": True},
    ])
    assert reply["writeErrors"][0]["code"] == 11000
    if coll.find_one({"_id": fresh})["version"] == 2:
        pytest.fail("FerretDB now continues after a write error: the guarded upsert shape "
                    "became usable; revisit the write shape")


def test_the_projection_writer_inserts_updates_and_reports_conflicts(coll):
    """eventlog.projection.MongoDocuments, the projections' own writer, on FerretDB: new
    documents are inserted, known ones updated at the version they were read at, and a
    document someone else changed meanwhile is reported, never overwritten."""
    from eventlog.projection import MongoDocuments

    docs = MongoDocuments(coll)
    known = coll.find_one()
    new_key = str(uuid.uuid4())
    many = [d["_id"] for d in coll.find({}, {"_id": 1}).limit(60)]  # more than one chunk
    changes = {new_key: {"version": 1, "title": "new"},
               **{k: {"version": 2, "title": "moved"} for k in many}}
    base = {new_key: None, **{k: 1 for k in many}}
    assert docs.write(changes, base) == set()
    assert coll.find_one({"_id": new_key})["title"] == "new"
    assert all(d["version"] == 2 and d["title"] == "moved"
               for d in coll.find({"_id": {"$in": many}}))
    # Stale bases: the documents are at version 2 now, and the new one exists.
    stale = {known["_id"]: {"version": 3, "title": "late"}, new_key: {"version": 1, "title": "x"}}
    assert docs.write(stale, {known["_id"]: 1, new_key: None}) == {known["_id"], new_key}
    assert coll.find_one({"_id": known["_id"]})["title"] == "moved"
    assert docs.read([known["_id"], "missing"]).keys() == {known["_id"]}
