"""Hostile: leaves processes behind (subprocess, fork, fork + setsid, double fork), then answers correctly.

Each process it manages to start writes its pid to PID_FILE, so the test can check that none survives.
"""

import ctypes
import os
import subprocess
import time

import numpy as np

PID_FILE = "/tmp/grader-hostile-leave-children.pids"
_libc = ctypes.CDLL(None)


def _linger(detach):
    if detach:
        _libc.setsid()
    with open(PID_FILE, "a") as handle:
        handle.write(f"{os.getpid()}\n")
    time.sleep(300)
    os._exit(0)


def _leave_children():
    try:
        subprocess.Popen(["sleep", "300"])
        print("subprocess.Popen worked")
    except Exception as error:  # the grader forbids starting processes
        print(f"subprocess.Popen refused: {error}")
    for detach in (False, True):
        if _libc.fork() == 0:  # libc's fork: Python's audit hooks do not see it
            _linger(detach)
    if _libc.fork() == 0:  # double fork: the middle process exits, the grandchild is orphaned
        if _libc.fork() == 0:
            _linger(True)
        os._exit(0)


def get_similarity_matrix(activations):
    _leave_children()
    rows = np.asarray(activations, dtype=float).reshape(len(activations), -1)
    return np.corrcoef(rows)
