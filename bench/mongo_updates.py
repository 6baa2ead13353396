"""Benchmark of MongoDB read-model writes on FerretDB: which filter shapes stay O(1) per doc.

    .venv/bin/python bench/mongo_updates.py [--uri mongodb://127.0.0.1:37017/] [--sizes 10,20000]
        [--ops 200] [--batch 500] [--batches 4] [--max-seconds 20] [--cpu-pid PID ...] [--explain]

Needs a running FerretDB (``soems stack up``; by default the project's ``mongo_uri`` and
``mongo_db`` from the settings, ``--uri``/``--db`` override). For each collection size it
fills a throwaway collection ``bench_updates_<size>_<hex>`` with exam-like documents (uuid
string ``_id``, teacher_id, title, 200-character description, status, ``version`` int, dates)
and times, op by op:

* ``update_one`` by ``_id`` alone, and with the version guard ``{"_id": k, "version": {"$lt": v}}``;
* ``find_one({"_id": k})`` and ``find({"_id": {"$in": [500 keys]}})``;
* ``bulk_write(..., ordered=False)`` batches (``--batch`` ops each) of ``ReplaceOne``/``UpdateOne``
  upserts by ``_id`` alone and with the version guard (half of each batch new keys, half
  existing keys with a newer version), and a batch of stale redeliveries (every op older than
  the stored version: with ``upsert=True`` the guarded filter matches nothing, the upsert's
  insert hits the unique ``_id`` and comes back as a duplicate-key write error, code 11000,
  which is how a stale event is recognised and skipped).

It prints p50/p95/p99 latency (ms) and throughput per shape, the sizes side by side, plus
FerretDB's ``explain`` verdict (``filterPushdown``, and the backend's plan node) for each
filter shape. Give ``--cpu-pid`` (FerretDB's pid, and for the PostgreSQL backend the
postmaster's pid) to get the CPU seconds those processes and their children used per shape.
A shape stops early after ``--max-seconds`` (a full scan per op at 20,000 docs is slow).

Bulk updates go out ``--chunk`` ops per ``bulk_write``: FerretDB 1.24.2 keeps one backend
connection per *matched* update op until the whole update command ends, so a command that
matches as many documents as the pool has connections (PostgreSQL: ``pool_max_conns``,
default 50; SQLite: 100) waits forever for a connection and FerretDB hangs, for every client.
The collections are dropped at the end, also on Ctrl-C.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pymongo import MongoClient, ReplaceOne, UpdateOne
from pymongo.errors import BulkWriteError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- CPU accounting from /proc ---------------------------------------------------------------

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """utime+stime of the given processes and all their live descendants."""
    if not pids:
        return 0.0
    tree = _children()
    seen: set[int] = set()
    todo = list(pids)
    total = 0
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
        todo.extend(tree.get(pid, []))
    return total / CLK_TCK


# --- documents ---------------------------------------------------------------------------------

TEACHERS = [str(uuid.uuid4()) for _ in range(20)]
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def exam(key: str, version: int) -> dict:
    rnd = random.Random(key)
    return {
        "_id": key,
        "teacher_id": rnd.choice(TEACHERS),
        "title": f"Exam {key[:8]} v{version}",
        "description": ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 4)[:200],
        "status": rnd.choice(["draft", "published", "closed"]),
        "version": version,
        "created_at": NOW,
        "updated_at": NOW + timedelta(seconds=version),
        "starts_at": NOW + timedelta(days=7),
        "duration_minutes": 90,
    }


def fields(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "_id"}


# --- measurement ---------------------------------------------------------------------------------

def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]


class Result:
    def __init__(self, name: str, latencies: list[float], units: int, wall: float, cpu: float,
                 note: str = ""):
        self.name, self.lat, self.units, self.wall, self.cpu, self.note = (
            name, latencies, units, wall, cpu, note)

    def row(self) -> dict:
        ms = [x * 1000 for x in self.lat]
        return {
            "n": len(ms), "p50": pct(ms, 50), "p95": pct(ms, 95), "p99": pct(ms, 99),
            "rate": self.units / self.wall if self.wall else 0.0,
            "cpu": self.cpu / self.wall * 100 if self.wall else 0.0, "note": self.note,
        }


def timed(name: str, fn, count: int, max_seconds: float, cpu_pids: list[int], units_per_op=1,
          note_fn=None) -> Result:
    lat: list[float] = []
    cpu0 = cpu_seconds(cpu_pids)
    start = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        fn(i)
        lat.append(time.perf_counter() - t0)
        if time.perf_counter() - start > max_seconds:
            break
    wall = time.perf_counter() - start
    cpu = cpu_seconds(cpu_pids) - cpu0
    return Result(name, lat, len(lat) * units_per_op, wall, cpu, note_fn() if note_fn else "")


def run_size(db, size: int, args, cpu_pids: list[int]) -> dict[str, Result]:
    coll = db[f"bench_updates_{size}_{uuid.uuid4().hex[:8]}"]
    keys = [str(uuid.uuid4()) for _ in range(size)]
    versions = {k: 1 for k in keys}
    for i in range(0, size, 1000):
        coll.insert_many([exam(k, 1) for k in keys[i:i + 1000]], ordered=False)
    rnd = random.Random(size)
    results: dict[str, Result] = {}
    print(f"  {size} docs loaded into {coll.name}", file=sys.stderr, flush=True)

    def bump(k: str) -> int:
        versions[k] += 1
        return versions[k]

    def upd_id(_):
        k = rnd.choice(keys)
        v = bump(k)
        coll.update_one({"_id": k}, {"$set": {"title": f"t{v}", "version": v,
                                              "updated_at": NOW + timedelta(seconds=v)}})

    matched = {"guard": 0}

    def upd_guard(_):
        k = rnd.choice(keys)
        v = bump(k)
        r = coll.update_one({"_id": k, "version": {"$lt": v}},
                            {"$set": {"title": f"t{v}", "version": v,
                                      "updated_at": NOW + timedelta(seconds=v)}})
        matched["guard"] += r.matched_count

    def find_one(_):
        assert coll.find_one({"_id": rnd.choice(keys)}) is not None

    batch = args.batch
    initial = list(keys)

    def find_in(_):
        # A batch's keys: those of the collection (all of them when it is smaller than a
        # batch) and, for the rest, keys of streams that have no document yet.
        want = rnd.sample(initial, min(batch, size))
        want += [str(uuid.uuid4()) for _ in range(batch - len(want))]
        got = list(coll.find({"_id": {"$in": want}}, {"version": 1}))
        assert len(got) == min(batch, size), (len(got), batch)

    shapes = [
        ("update_one {_id}", upd_id, args.ops, 1),
        ("update_one {_id, version $lt}", upd_guard, args.ops, 1),
        ("find_one {_id}", find_one, args.ops, 1),
        (f"find {{_id $in [{batch}]}}", find_in, args.batches, batch),
    ]
    for name, fn, count, units in shapes:
        print(f"  {size}: {name}", file=sys.stderr, flush=True)
        results[name] = timed(name, fn, count, args.max_seconds, cpu_pids, units)
    results["update_one {_id, version $lt}"].note = (
        f"matched {matched['guard']}/{len(results['update_one {_id, version $lt}'].lat)}")

    # Bulk writes: half of each batch new keys (upsert inserts), 45% existing keys with a newer
    # version, 5% redelivered stale events (older than the stored version). After each shape
    # the batches are read back (untimed) and every key checked for the version it must hold.
    stats = {"errors": 0, "other": 0, "aborted": 0}
    expect: dict[str, int] = {}
    state = {"deadline": 0.0, "sent": 0}
    added: list[str] = []  # upserted keys, deleted again after each shape (untimed)

    def mixed_batch(stale: bool = True) -> list[tuple[str, int]]:
        n_stale = batch // 20 if stale else 0
        old = rnd.sample(initial, min(batch // 2, size))
        new = [str(uuid.uuid4()) for _ in range(batch - len(old))]
        for k in new:
            versions[k] = 0
        added.extend(new)
        ops = [(k, 1) for k in old[:n_stale]]  # version 1 <= stored: must change nothing
        ops += [(k, bump(k)) for k in old[n_stale:] + new]
        for k, _ in ops:
            expect[k] = versions[k]
        rnd.shuffle(ops)
        return ops

    def bulk(ops, pairs=None):
        for i in range(0, len(ops), args.chunk):
            if time.perf_counter() > state["deadline"]:  # out of time: the rest is not sent
                for k, _ in (pairs or [])[i:]:
                    expect.pop(k, None)
                break
            state["sent"] += len(ops[i:i + args.chunk])
            try:
                coll.bulk_write(ops[i:i + args.chunk], ordered=False)
            except BulkWriteError as exc:
                errs = exc.details.get("writeErrors", [])
                stats["errors"] += len(errs)
                stats["other"] += sum(1 for e in errs if e.get("code") != 11000)
            except KeyError:
                # FerretDB 1.24 stops an update command at its first write error even when
                # ordered=False, skips the rest and leaves n/nModified out of the reply;
                # pymongo's bulk_write trips on the missing nModified.
                stats["aborted"] += 1

    def replace_id(_):
        pairs = mixed_batch(False)
        bulk([ReplaceOne({"_id": k}, exam(k, v), upsert=True) for k, v in pairs], pairs)

    def update_id(_):
        pairs = mixed_batch(False)
        bulk([UpdateOne({"_id": k}, {"$set": fields(exam(k, v))}, upsert=True)
              for k, v in pairs], pairs)

    def update_guard(_):
        pairs = mixed_batch()
        bulk([UpdateOne({"_id": k, "version": {"$lt": v}}, {"$set": fields(exam(k, v))},
                        upsert=True) for k, v in pairs], pairs)

    def replace_guard(_):
        pairs = mixed_batch()
        bulk([ReplaceOne({"_id": k, "version": {"$lt": v}}, exam(k, v), upsert=True)
              for k, v in pairs], pairs)

    def update_guard_then_insert(_):
        # The shape that survives FerretDB: guarded update without upsert (never a write
        # error), then insert_many(ordered=False) of the same docs: inserts the missing ones,
        # duplicate-key errors (11000) for all that exist; insert does continue past them.
        ops = mixed_batch()
        bulk([UpdateOne({"_id": k, "version": {"$lt": v}}, {"$set": fields(exam(k, v))})
              for k, v in ops], ops)
        ops = [(k, v) for k, v in ops if k in expect]  # only what was sent in time
        try:  # inserts hold no connection per document: one command for the whole batch
            coll.insert_many([exam(k, v) for k, v in ops], ordered=False)
        except BulkWriteError as exc:
            errs = exc.details.get("writeErrors", [])
            stats["other"] += sum(1 for e in errs if e.get("code") != 11000)

    def stale_guard(_):
        old = [rnd.choice(initial) for _ in range(batch)]
        bulk([UpdateOne({"_id": k, "version": {"$lt": 1}}, {"$set": fields(exam(k, 1))},
                        upsert=True) for k in old])

    def verify() -> str:
        wrong = 0
        items = list(expect.items())
        for i in range(0, len(items), 500):
            chunk = dict(items[i:i + 500])
            got = {d["_id"]: d["version"] for d in coll.find({"_id": {"$in": list(chunk)}},
                                                             {"version": 1})}
            wrong += sum(1 for k, v in chunk.items() if got.get(k) != v)
        for k, v in items:  # what the store holds is now the truth for later shapes
            versions[k] = v
        expect.clear()
        for i in range(0, len(added), 500):  # back to `size` documents for the next shape
            coll.delete_many({"_id": {"$in": added[i:i + 500]}})
        added.clear()
        return f"{wrong}/{len(items)} docs wrong after"

    bulks = [
        (f"bulk ReplaceOne {{_id}} upsert x{batch}", replace_id),
        (f"bulk UpdateOne {{_id}} $set upsert x{batch}", update_id),
        (f"bulk UpdateOne {{_id, version $lt}} $set upsert x{batch}", update_guard),
        (f"bulk ReplaceOne {{_id, version $lt}} upsert x{batch}", replace_guard),
        (f"bulk UpdateOne {{_id, version $lt}} no upsert + insert_many x{batch}",
         update_guard_then_insert),
        (f"bulk UpdateOne guard upsert, all stale x{batch}", stale_guard),
    ]
    for name, fn in bulks:
        print(f"  {size}: {name}", file=sys.stderr, flush=True)
        stats.update(errors=0, other=0, aborted=0)
        state.update(deadline=time.perf_counter() + args.max_seconds, sent=0)
        r = timed(name, fn, args.batches, args.max_seconds, cpu_pids, batch)
        r.units = state["sent"]  # docs actually sent (the time cap may cut a batch short)
        r.note = (f"write errors {stats['errors']} (non-11000 {stats['other']}), "
                  f"batches cut short {stats['aborted']}")
        if "stale" not in name:
            r.note += ", " + verify()
        results[name] = r

    # Correctness of the guard: the newest version survives a redelivered older one.
    k = initial[0]
    newest = versions[k]
    try:
        coll.update_one({"_id": k, "version": {"$lt": newest - 1}},
                        {"$set": {"version": newest - 1, "title": "STALE"}}, upsert=True)
    except Exception as exc:  # DuplicateKeyError: the stale event is skipped
        results["guard check"] = Result("guard check", [0.0], 0, 0, 0,
                                        f"stale upsert raised {type(exc).__name__}")
    doc = coll.find_one({"_id": k})
    ok = doc["version"] == newest and doc["title"] != "STALE"
    results.setdefault("guard check", Result("guard check", [0.0], 0, 0, 0, ""))
    results["guard check"].note += f"; newest kept: {ok}"

    if args.explain:
        results["_explain"] = explain(db, coll.name, initial[0], initial[:batch])
    coll.drop()
    return results


def explain(db, coll: str, key: str, batch_keys: list[str]) -> dict[str, str]:
    shapes = {
        "{_id: k}": {"_id": key},
        "{_id: {$eq: k}}": {"_id": {"$eq": key}},
        "{_id: k, version: {$lt: v}}": {"_id": key, "version": {"$lt": 10**6}},
        "{_id: {$in: [..]}}": {"_id": {"$in": batch_keys}},
        "{$or: [{_id: k}, ..]}": {"$or": [{"_id": k} for k in batch_keys[:3]]},
    }
    out = {}
    for label, flt in shapes.items():
        r = db.command("explain", {"find": coll, "filter": flt})
        plan = r.get("queryPlanner", {}).get("Plan")
        if isinstance(plan, dict):  # PostgreSQL: EXPLAIN (FORMAT JSON)
            node = f"{plan.get('Node Type')} {plan.get('Index Name', '')}".strip()
            cond = plan.get("Index Cond") or plan.get("Filter") or ""
            node = f"{node} {cond}".strip()
        else:  # SQLite: EXPLAIN QUERY PLAN rows
            node = "; ".join(str(p).split("detail=")[-1] for p in plan or [])
        out[label] = f"filterPushdown={r.get('filterPushdown')} plan: {node}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--uri", help="MongoDB URI (default: the project's settings.mongo_uri)")
    ap.add_argument("--db", help="database (default: settings.mongo_db)")
    ap.add_argument("--sizes", default="10,20000", help="collection sizes, comma separated")
    ap.add_argument("--ops", type=int, default=200, help="single-document ops per shape")
    ap.add_argument("--batch", type=int, default=500, help="ops per bulk_write / keys per $in")
    ap.add_argument("--chunk", type=int, default=25,
                    help="update ops per bulk_write command (FerretDB 1.24 deadlocks when one "
                         "update command matches as many docs as its backend pool has "
                         "connections: 50 on PostgreSQL by default, 100 on SQLite)")
    ap.add_argument("--batches", type=int, default=4, help="batches per bulk shape")
    ap.add_argument("--max-seconds", type=float, default=20.0, help="time cap per shape")
    ap.add_argument("--cpu-pid", type=int, action="append", default=[],
                    help="pid whose CPU (with its children) is reported; repeatable")
    ap.add_argument("--explain", action="store_true", help="print explain per filter shape")
    args = ap.parse_args()

    uri, dbname = args.uri, args.db
    if uri is None or dbname is None:
        from settings import get_settings
        s = get_settings()
        uri, dbname = uri or s.mongo_uri, dbname or s.mongo_db
    client = MongoClient(uri, serverSelectionTimeoutMS=5000)
    db = client[dbname]
    info = client.server_info()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"# {uri} db={dbname} server {info.get('version')} "
          f"ferretdb {info.get('ferretdbVersion', '?')}", flush=True)
    per_size: dict[int, dict[str, Result]] = {}
    try:
        for size in sizes:
            per_size[size] = run_size(db, size, args, args.cpu_pid)
    finally:
        for name in db.list_collection_names():
            if name.startswith("bench_updates_"):
                db.drop_collection(name)

    names = [n for n in per_size[sizes[0]] if not n.startswith("_")]
    head = " | ".join(f"{s} docs: p50 / p95 / p99 ms, units/s" + (", CPU%" if args.cpu_pid else "")
                      for s in sizes)
    print(f"\n| shape | {head} | notes |")
    print("|---" * (len(sizes) + 2) + "|")
    for name in names:
        cells, notes = [], []
        for s in sizes:
            r = per_size[s].get(name)
            if r is None:
                cells.append("-")
                continue
            x = r.row()
            cpu = f", {x['cpu']:.0f}%" if args.cpu_pid else ""
            cells.append(f"{x['p50']:.2f} / {x['p95']:.2f} / {x['p99']:.2f}, "
                         f"{x['rate']:,.0f}/s (n={x['n']}){cpu}")
            if x["note"]:
                notes.append(f"{s}: {x['note']}")
        print(f"| {name} | " + " | ".join(cells) + f" | {'; '.join(notes)} |")
    if args.explain:
        print("\n| filter | " + " | ".join(f"explain at {s} docs" for s in sizes) + " |")
        print("|---" * (len(sizes) + 1) + "|")
        for label in per_size[sizes[0]]["_explain"]:
            print(f"| `{label}` | " + " | ".join(per_size[s]["_explain"][label] for s in sizes)
                  + " |")


if __name__ == "__main__":
    main()
