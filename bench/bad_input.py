"""Figures for bad input: decoding memory bombs (time, peak memory) and the bank's self-check on open.

Usage: python -m bench.bad_input [BANK_DIR]   (without BANK_DIR, the stand-in bank is built in a temporary cache)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_DECODE = """
import json, resource, sys, time
from lesson.data.images import load_folder
started = time.perf_counter()
images = load_folder(sys.argv[1])
print(json.dumps({"images": images.n_images, "skipped": len(images.skipped), "seconds": time.perf_counter() - started,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def decode_bombs(folder: Path) -> dict:
    """Four 1 × 30000 PNGs (204 bytes each) and four ordinary images, decoded in a fresh interpreter."""
    from PIL import Image

    for name in ("a", "b"):
        (folder / name).mkdir(parents=True, exist_ok=True)
        for index in range(2):
            Image.new("RGB", (320, 240), (index * 90, 80, 40)).save(folder / name / f"{index}.png")
    for index in range(4):
        Image.new("L", (1, 30000), 128).save(folder / "a" / f"bomb{index}.png", optimize=True)
    done = subprocess.run([sys.executable, "-c", _DECODE, str(folder)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    return json.loads(done.stdout)


def bank_open(bank_dir: Path) -> dict:
    """Opening a bank with a valid stamp (stats and headers) and after its stamp is gone (every checksum)."""
    from lesson.data.bank import load_bank
    from lesson.data.bank_check import STAMP

    size = sum(path.stat().st_size for path in bank_dir.rglob("*.npy"))
    figures = {"bank_mb": size / 1e6}
    for label in ("stamped_ms", "full_check_ms"):
        if label == "full_check_ms":
            (bank_dir / STAMP).unlink(missing_ok=True)
        started = time.perf_counter()
        load_bank(bank_dir)
        figures[label] = 1000 * (time.perf_counter() - started)
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        if len(sys.argv) > 1:
            bank_dir = Path(sys.argv[1])
        else:
            from lesson.config import Settings
            from lesson.data.prepare import prepare_bank

            bank, _ = prepare_bank(Settings(cache_dir=Path(scratch) / "cache", images="synthetic", weights="random",
                                            offline=True))
            bank_dir = bank.path
        print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
        print("decoding 4 memory bombs + 4 images:", json.dumps(decode_bombs(Path(scratch) / "bombs")))
        print("opening the bank:", json.dumps(bank_open(bank_dir)))
        print(f"this process's peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
