"""The bubblewrap sandbox's figures: its own cost per grading child, and students per minute for `batch --jobs 2`.

Usage: python -m bench.sandbox [--students N] [--repeats N]   (prints figures; compare within one run, and rerun
when the load average is high). Stand-ins: random-weights AlexNet, synthetic images; the grading fixtures are
built from them once, into a temporary folder (LESSON_CACHE_DIR keeps the bank between runs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORRECT = ROOT / "tests" / "grader" / "submissions" / "correct" / "float32_inside"
MISSING = "/nonexistent/bwrap"  # LESSON_GRADER_BWRAP pointing here: process isolation only


def _child_start(sandboxed: bool, repeats: int) -> list[float]:
    """Seconds from starting a child (python -I, numpy) to its exit after an empty job, ``repeats`` times in one
    grader process (after one child that pays the process's one-off costs: the probe, finding the libraries)."""
    code = ("import json, time\nfrom grader.running.processes import Child\ntimes, kinds = [], set()\n"
            f"for _ in range({repeats + 1}):\n"
            "    started = time.perf_counter(); child = Child.spawn(torch=False, memory_limit=4 << 30)\n"
            "    child.send(b''); child.proc.wait(); times.append(time.perf_counter() - started)\n"
            "    kinds.add(child.sandboxed); child.discard()\n"
            "print(json.dumps([times[1:], sorted(kinds)]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not sandboxed:
        env["LESSON_GRADER_BWRAP"] = MISSING
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    times, kinds = json.loads(done.stdout)
    assert kinds == [sandboxed], f"expected sandboxed={sandboxed}, got {kinds}"
    return times


def _bare_start(repeats: int) -> tuple[list[float], list[float]]:
    """``python -I -c pass`` plain and inside the same bwrap command line (the sandbox's set-up alone)."""
    from grader.running.bubblewrap import isolation, sandbox_command

    found = isolation()
    plain, wrapped = [], []
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as folder:
        if found.drop_to_nobody:
            os.chown(folder, 65534, 65534)
        inner = [sys.executable, "-I", "-c", "pass"]
        for _ in range(repeats):
            for command, into in ((inner, plain), (sandbox_command(found, inner, workdir=folder), wrapped)):
                started = time.perf_counter()
                subprocess.run(command, check=True)
                into.append(time.perf_counter() - started)
    return plain, wrapped


def _fixtures(folder: Path) -> Path:
    from grader.classroom.build import build_fixtures
    from lesson.config import Settings
    from lesson.data.prepare import prepare_bank

    settings = Settings(cache_dir=Path(os.environ.get("LESSON_CACHE_DIR", folder / "cache")), images="synthetic",
                        weights="random", offline=True)
    bank, _ = prepare_bank(settings)
    build_fixtures(bank, folder / "fixtures", settings=settings)
    return folder / "fixtures"


def _batch(fixtures: Path, students: int, scratch: Path, sandboxed: bool) -> float:
    """Students per minute for `python -m grader batch --jobs 2` on ``students`` correct submissions."""
    root = scratch / f"class-{sandboxed}"
    for index in range(students):
        shutil.copytree(CORRECT, root / f"student{index:03d}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    options = [] if sandboxed else ["--no-require-sandbox"]
    if not sandboxed:
        env["LESSON_GRADER_BWRAP"] = MISSING
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "batch", str(root), "--out", str(scratch / f"out-{sandboxed}"),
                    "--jobs", "2", "--fixtures", str(fixtures), *options], check=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return 60 * students / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sandbox", description=__doc__)
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    from grader.running.bubblewrap import isolation

    print(f"machine: {os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"isolation here: {isolation().description}")
    if not isolation().sandboxed:
        raise SystemExit("no sandbox here: nothing to measure")
    plain, wrapped = _bare_start(args.repeats)
    print(f"python -I -c pass: plain {statistics.median(plain) * 1e3:.0f} ms, in bwrap "
          f"{statistics.median(wrapped) * 1e3:.0f} ms (median of {args.repeats}): the sandbox's own set-up "
          f"{(statistics.median(wrapped) - statistics.median(plain)) * 1e3:.0f} ms")
    bare, boxed = _child_start(False, args.repeats), _child_start(True, args.repeats)
    print(f"grading child start to exit (python -I, numpy): process isolation {statistics.median(bare) * 1e3:.0f} ms, "
          f"sandbox {statistics.median(boxed) * 1e3:.0f} ms (median of {args.repeats}): "
          f"+{(statistics.median(boxed) - statistics.median(bare)) * 1e3:.0f} ms per child")
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as scratch:
        fixtures = _fixtures(Path(scratch))
        for sandboxed in (True, False):
            rate = _batch(fixtures, args.students, Path(scratch), sandboxed)
            label = "sandbox on " if sandboxed else "sandbox off"
            print(f"batch --jobs 2, {args.students} correct submissions from fixtures, {label}: {rate:.1f} students "
                  f"per minute" + (" (target >= 20)" if sandboxed else ""))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
