"""Run the benchmark suite and print every figure with the machine's core count and library versions.

Usage: python -m bench [--quick | --app-only]   (each workload runs in a fresh interpreter; figures are measured in one run)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict | None = None, module: str = "bench.workloads") -> dict:
    """Run one workload in a fresh interpreter; return its JSON figures plus wall time and peak RSS (MB)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stdout, stderr = process.stdout.read(), process.stderr.read()
    if status != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{stderr[-2000:]}")
    figures = json.loads(stdout.strip().splitlines()[-1]) if module == "bench.workloads" else {}
    return {**figures, "wall_seconds": wall, "peak_rss_mb": usage.ru_maxrss / 1024}


def write_images(folder: Path, per_class: int) -> None:
    """The synthetic stimuli as PNG files, so that both pipelines decode real files."""
    from lesson.data.images import make_synthetic

    images = make_synthetic(per_class=per_class)
    for pixels, name in zip(images.display, images.names):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(path)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the 640-image scaling point")
    parser.add_argument("--app-only", action="store_true",
                        help="only the app's figures after a pass: plots ready, and its memory with its children")
    args = parser.parse_args()
    if args.app_only:
        with tempfile.TemporaryDirectory() as scratch:
            images = Path(scratch) / "images"
            write_images(images, 40)
            _after_pass(Path(scratch) / "cache", images)
        return
    from lesson.data.bank import library_versions

    print(f"machine: {os.cpu_count()} cores; " + ", ".join(f"{k} {v}" for k, v in library_versions().items()))
    print("stand-ins: random-weights AlexNet, synthetic images (PNG files)\n")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        images = scratch / "images"
        write_images(images, 100)  # the lesson's size: PCA on the first 100 per class, RSA among the first 40

        imports = run("imports")
        torch_only = run("imports", "torch")
        matmul = run("matmul")
        forward = run("forward", "400", "32")
        print(f"import torch, torchvision      {imports['import_seconds']:6.2f} s  {imports['peak_rss_mb']:6.0f} MB "
              f"(the cold build pays both: the model is torchvision's; torch alone {torch_only['import_seconds']:.2f} s "
              f"{torch_only['peak_rss_mb']:.0f} MB)")
        print(f"2048² float32 matmul           {matmul['matmul_gflops']:6.1f} GFLOP/s ({matmul['threads']} threads)")
        print(f"forward pass, 400 images       {forward['forward_seconds']:6.2f} s  {forward['images_per_second']:.0f} "
              f"images/s  {forward['forward_gflops']:.1f} GFLOP/s = "
              f"{forward['forward_gflops'] / matmul['matmul_gflops']:.2f}"
              " of the matmul rate (target ≥ 0.5)")

        naive = run("naive", str(images))
        cold = run("project", str(scratch / "cache"), str(images))
        warm = run("project", str(scratch / "cache"), str(images))
        print("\nlesson end to end (wall time from interpreter start, peak resident memory)")
        print(f"  naive notebook pipeline      {naive['wall_seconds']:6.2f} s  {naive['peak_rss_mb']:6.0f} MB")
        print(f"  this project, cold           {cold['wall_seconds']:6.2f} s  {cold['peak_rss_mb']:6.0f} MB  "
              f"{naive['wall_seconds'] / cold['wall_seconds']:.1f}× faster (target ≥ 1.5×); "
              f"bank {cold['bank_seconds']:.2f} s, "
              f"analyses {cold['analysis_seconds']:.2f} s")
        print(f"  this project, warm           {warm['wall_seconds']:6.2f} s  {warm['peak_rss_mb']:6.0f} MB  "
              f"{naive['wall_seconds'] / warm['wall_seconds']:.1f}× faster (target ≥ 10×); bank read "
              f"{warm['bank_seconds']:.2f} s, analyses {warm['analysis_seconds']:.2f} s, "
              f"torch imported: {warm['imported_torch']}")
        print(f"  (of the cold run's memory, {torch_only['peak_rss_mb']:.0f} MB is importing torch alone)")

        print("\nscaling (synthetic images, fresh bank each, built as the app's build worker does)")
        for per_class in ([10, 100] if args.quick else [10, 40, 100, 160]):
            built = run("build_bank_only", str(scratch / f"scale{per_class}"), str(per_class))
            target = " (the lesson's size; target < 1.2 GB)" if per_class == 100 else ""
            print(f"  bank build, {4 * per_class:4d} images       {built['wall_seconds']:6.2f} s  "
                  f"{built['peak_rss_mb']:6.0f} MB{target}")
        for n_images in (40, 160, 640):
            timed = run("first_order_scaling", str(n_images))
            print(f"  first-order matrix, n = {n_images:4d} × 43,264 units  {timed['first_order_seconds'] * 1e3:7.1f} ms")

        app = run("app", str(scratch / "cache"), str(images))  # the bank of the cold run above is on disk
        print(f"\napp (AppTest, bank on disk): first page {app['first_page_seconds']:.2f} s (target < 20 s), every page "
              f"once {app['every_page_cold_seconds']:.2f} s; warm rerun per page (target < 0.5 s): "
              + ", ".join(f"{page[3:]} {seconds:.2f} s" for page, seconds in app["rerun_seconds"].items()))
        print(f"  Check (one exercise) {app['check_seconds']:.2f} s (target < 2 s); app process after every page: "
              f"{app['rss_after_every_page_mb']:.0f} MB resident, peak {app['peak_rss_mb']:.0f} MB")

        _after_pass(scratch / "cache", images)

        grade_env = {"LESSON_CACHE_DIR": str(scratch / "cache"), "LESSON_IMAGES": str(images), "LESSON_WEIGHTS": "random",
                     "LESSON_OFFLINE": "1"}
        try:
            everything = run("--submission", "solutions", "--format", "json", env=grade_env, module="grader")
            print(f"\ngrader, all exercises          {everything['wall_seconds']:6.2f} s (target < 10 s)")
            # One exercise is bounded by its torch-tensor cases' child importing torch: time both, interleaved.
            one, floor = [], []
            for _ in range(3 if args.quick else 7):
                one.append(run("--submission", "solutions", "--exercise", "get_similarity_matrix", "--format", "json",
                               env=grade_env, module="grader")["wall_seconds"])
                floor.append(run("imports", "torch")["import_seconds"])
            print(f"grader, one exercise           {_spread(one)} (target < 2 s; {len(one)} runs)")
            print(f"  importing torch alone        {_spread(floor)} (its tensor cases' child cannot finish sooner)")
            parent = run("grading_parent", "get_similarity_matrix", env=grade_env)
            print(f"  the grading process imports torch: {parent['imported_torch']} (only the child running the "
                  "torch-tensor cases does)")
        except RuntimeError as error:
            print(f"\ngrader: could not be timed ({str(error).splitlines()[0]})")


def _after_pass(cache: Path, images: Path) -> None:
    """Issue 19's figures: from a Check's pass to the page's plots drawn with the student's function, and the
    resident memory of one app instance with its standby grading children."""
    figures = run("after_pass", str(cache), str(images))
    load = os.getloadavg()[0]
    print(f"\napp after a pass (AppTest; load average {load:.1f} on {os.cpu_count()} cores):")
    for exercise, page in (("PCA", "page 4"), ("get_similarity_matrix", "page 2")):
        print(f"  {exercise:<22} Check {figures[f'{exercise}_check_seconds']:5.2f} s, then {page}'s plots with the "
              f"student's function ready in {figures[f'{exercise}_plots_after_pass_seconds']:5.2f} s (target < 2 s)")
    print(f"  app with its standby grading children: {figures['app_tree_rss_mb']} MB resident (target < 1,000 MB; "
          f"per process {figures['processes_rss_mb']})")


def _spread(seconds: list[float]) -> str:
    """Median and range: figures bounded by `import torch` vary by ±20 % from run to run on a shared machine."""
    ordered = sorted(seconds)
    return f"{ordered[len(ordered) // 2]:6.2f} s median, {ordered[0]:.2f}-{ordered[-1]:.2f} s"


if __name__ == "__main__":
    main()
