"""The judge's sandbox benchmark: how many coding answers a core judges per second, and where
a judgement's time goes (compiling, each test's run, bwrap's own start).

    .venv/bin/python bench/judge_sandbox.py [--submissions 20] [--workers 2] [--json]

Needs bwrap, no stack. A small Python program and a small C program (read numbers, print
their sum) are each judged against 10 tests, N times one after another (one core), then N
times by K threads, each with its own sandbox slot. Per submission: p50/p95/p99 of the whole
judgement; submissions/s, and per core (K threads use min(K, cores) cores). Then the parts,
timed alone: the C compile, one test's run of each program, an empty program (`/bin/true`:
bwrap's start and teardown with nothing in it), and Python's start inside the sandbox.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stream_processors.judge.judging import JudgeTest, judge  # noqa: E402
from stream_processors.judge.sandbox import Limits, Sandbox  # noqa: E402

LIMITS = Limits()  # the exam defaults: 2 s CPU, 6 s wall, 256 MB
PROGRAMS = {
    "python": "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n",
    "c": ('#include <stdio.h>\nint main(void) { long x, s = 0;\n'
          '  while (scanf("%ld", &x) == 1) s += x;\n  printf("%ld\\n", s); return 0; }\n'),
}
TESTS = tuple(JudgeTest(f"t{n}", " ".join(str(i) for i in range(n * 111)) + "\n",
                        f"{sum(range(n * 111))}\n", 1.0, n < 2) for n in range(10))
PARTS_SAMPLES = 30


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def stats(values_ms: list[float]) -> dict:
    ordered = sorted(values_ms)
    return {"count": len(ordered), "p50": percentile(ordered, 50),
            "p95": percentile(ordered, 95), "p99": percentile(ordered, 99),
            "mean": statistics.fmean(ordered) if ordered else 0.0}


def judged(box: Sandbox, language: str) -> float:
    started = time.perf_counter()
    verdict = judge(box, language, PROGRAMS[language], TESTS, LIMITS)
    elapsed = (time.perf_counter() - started) * 1000
    if verdict.share != 1.0:
        raise SystemExit(f"{language}: not every test passed: {verdict}")
    return elapsed


def throughput(language: str, submissions: int, workers: int) -> dict:
    boxes = [Sandbox(slot=slot) for slot in range(workers)]
    started = time.perf_counter()
    if workers == 1:
        latencies = [judged(boxes[0], language) for _ in range(submissions)]
    else:
        def worker(slot: int) -> list[float]:
            share = submissions // workers + (slot < submissions % workers)
            return [judged(boxes[slot], language) for _ in range(share)]
        with ThreadPoolExecutor(workers) as pool:
            latencies = [ms for part in pool.map(worker, range(workers)) for ms in part]
    seconds = time.perf_counter() - started
    cores = min(workers, os.cpu_count() or 1)
    return {"language": language, "workers": workers, **stats(latencies),
            "per_s": submissions / seconds, "per_s_per_core": submissions / seconds / cores}


def parts() -> dict:
    """Each part of a judgement, alone, on one sandbox."""
    box = Sandbox(slot=0)
    found: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as empty:
        os.chmod(empty, 0o755)
        for _ in range(PARTS_SAMPLES):
            run = box._execute(["/usr/bin/true"], Path(empty), b"", LIMITS, writable=False)
            found.setdefault("bwrap start, /bin/true", []).append(run.wall_ms)
    with box.prepare("python", "pass\n") as program:
        for _ in range(PARTS_SAMPLES):
            found.setdefault("python3 start (empty program)", []).append(
                box.run(program, b"", LIMITS).wall_ms)
    stdin = TESTS[-1].stdin.encode()
    for _ in range(PARTS_SAMPLES):  # C: compiled each time, one run each
        with box.prepare("c", PROGRAMS["c"]) as program:
            found.setdefault("C compile (gcc -O2)", []).append(program.compile.wall_ms)
            found.setdefault("c test run (1,000 numbers)", []).append(
                box.run(program, stdin, LIMITS).wall_ms)
    with box.prepare("python", PROGRAMS["python"]) as program:
        for _ in range(PARTS_SAMPLES):
            found.setdefault("python test run (1,000 numbers)", []).append(
                box.run(program, stdin, LIMITS).wall_ms)
    started = time.perf_counter()
    for _ in range(PARTS_SAMPLES):
        subprocess.run(["/usr/bin/python3", "-I", "-B", "-c", "pass"], check=True)
    outside = (time.perf_counter() - started) * 1000 / PARTS_SAMPLES
    result = {name: stats(values) for name, values in found.items()}
    result["python3 start outside any sandbox"] = {"count": PARTS_SAMPLES, "p50": outside,
                                                   "p95": outside, "p99": outside,
                                                   "mean": outside}
    return result


def machine() -> dict:
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((line.split(":", 1)[1].strip() for line in cpu.splitlines()
                  if line.startswith("Model name")), platform.processor())
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "root": os.geteuid() == 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = []
    for language in PROGRAMS:
        judged(Sandbox(slot=0), language)  # warm the page cache: gcc, python3
        for workers in sorted({1, args.workers}):
            runs.append(throughput(language, args.submissions, workers))
    report = {"date": date.today().isoformat(), "machine": machine(), "tests": len(TESTS),
              "submissions": args.submissions, "runs": runs, "parts": parts()}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    m = report["machine"]
    print(f"Judge sandbox benchmark, {report['date']}: {m['cpu']}, {m['cores']} cores, "
          f"Python {m['python']}, as root: {m['root']}; {len(TESTS)} tests a submission, "
          f"{args.submissions} submissions a row")
    print("\n| language | workers | p50 ms | p95 ms | p99 ms | submissions/s | per core |")
    print("|---|---|---|---|---|---|---|")
    for r in runs:
        print(f"| {r['language']} | {r['workers']} | {r['p50']:.0f} | {r['p95']:.0f} | "
              f"{r['p99']:.0f} | {r['per_s']:.2f} | {r['per_s_per_core']:.2f} |")
    print("\n| part (one sandbox, alone) | n | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|---|")
    for name, s in report["parts"].items():
        print(f"| {name} | {s['count']} | {s['p50']:.1f} | {s['p95']:.1f} | {s['mean']:.1f} |")


if __name__ == "__main__":
    main()
