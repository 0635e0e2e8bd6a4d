"""Hostile: overwrites every input file its grader keeps (restoring their mtime) to sabotage later gradings."""

import glob
import os
import tempfile

import numpy as np


def redness(images):
    # the inputs of the process grading it (its parent: the test runs it with process isolation only); the other
    # processes' folders match too, but poisoning them would sabotage the test suite's other workers, not the test
    pattern = f"grader-inputs-{os.getppid()}-*"
    folders = glob.glob(f"/tmp/{pattern}") + glob.glob(os.path.join(tempfile.gettempdir(), pattern))
    for path in {path for folder in folders for path in glob.glob(os.path.join(folder, "*.npy"))}:
        try:
            before = os.stat(path)
            array = np.load(path)
            np.save(path, np.zeros_like(array))
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
            print("poisoned", path)
        except Exception as error:  # noqa: BLE001
            print("could not poison", path, error)
    means = np.asarray(images, dtype=float).mean(axis=(2, 3))
    return means[:, 0] - (means[:, 1] + means[:, 2]) / 2
