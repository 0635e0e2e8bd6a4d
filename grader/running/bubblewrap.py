"""The OS-level sandbox of every grading child: bubblewrap (``bwrap``) where it can start, else process isolation only.

Inside the sandbox (one per child, set up before the child waits for its job):
- new pid, network, IPC, UTS and (where available) cgroup namespaces: no network at all (a private loopback), and
  every process the child starts dies with it (``--die-with-parent``; the pid namespace ends with its first process);
- a new session (``--new-session``: no ioctl on the grader's terminal);
- an empty root with read-only binds of only what Python needs: the interpreter, its standard library and shared
  libraries, the folders numpy, scipy and torch are imported from, the child script alone; no shell, no other program,
  no ``/etc`` but the loader cache; ``/proc`` of its own pid namespace, a minimal ``/dev``, a private ``/tmp``;
- the case inputs read-only, and only the child's own work folder writable (it receives a fresh copy of the
  submission there): the instructor's repository, the reference solutions, the grader's files and reports, other
  students' folders and every other child's folder do not exist inside;
- an unprivileged uid: run as root, bwrap keeps no user namespace and the child switches to uid/gid 65534 (nobody)
  before anything else (so RLIMIT_NPROC counts); run as another user (or as root where only that works), a user
  namespace maps it to uid 65534 with no capabilities.

Where bwrap is missing or cannot create its namespaces (macOS, Windows, a container that refuses them), grading still
runs with process isolation only, and :func:`isolation` says so in every report.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass

__all__ = ["Isolation", "isolation", "sandbox_command", "require_sandbox_message", "BWRAP_VARIABLE", "NOBODY",
           "SANDBOX_DESCRIPTION", "HOW_TO_GET_THE_SANDBOX", "SCRIPT_INSIDE"]

BWRAP_VARIABLE = "LESSON_GRADER_BWRAP"  # the bwrap binary to use (default: bwrap on PATH); tests point it elsewhere
NOBODY = 65534
SANDBOX_DESCRIPTION = "bubblewrap sandbox"
HOW_TO_GET_THE_SANDBOX = ("grade on Linux with bubblewrap installed (Debian/Ubuntu: `apt-get install bubblewrap`) "
                          "where namespaces are allowed (a container needs them enabled)")
SCRIPT_INSIDE = "/grading/child.py"  # where the child script is bound alone (the grader's folder does not exist inside)
_NAMESPACES = ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try")
_DROP_CODE = f"import os; os.setgroups([]); os.setgid({NOBODY}); os.setuid({NOBODY}); assert os.geteuid() == {NOBODY}"


@dataclass(frozen=True)
class Isolation:
    """How this process's grading children are isolated (``description`` goes into every report)."""

    sandboxed: bool
    description: str  # "bubblewrap sandbox" or "process isolation only: <why>"
    bwrap: str = ""
    drop_to_nobody: bool = False  # run as root: the child switches to uid 65534 itself


def isolation() -> Isolation:
    """The isolation grading children get here (probed once per bwrap binary: ~30 ms)."""
    root = hasattr(os, "getuid") and os.getuid() == 0
    return _probe(os.environ.get(BWRAP_VARIABLE) or shutil.which("bwrap") or "", root)


def require_sandbox_message(found: Isolation) -> str:
    """Why grading refuses to run without the sandbox, and how to get it."""
    return (f"this grading requires the bubblewrap sandbox, which cannot start here "
            f"({found.description.partition(': ')[2] or found.description}); to get it, {HOW_TO_GET_THE_SANDBOX}; "
            "to grade with process isolation only (the reports say so), leave out --require-sandbox "
            "(batch, instructor: pass --no-require-sandbox; Gradescope: AUTOGRADER_REQUIRE_SANDBOX=0)")


@functools.lru_cache(maxsize=8)
def _probe(bwrap: str, root: bool) -> Isolation:
    """Start a trivial child in the sandbox; root tries first without a user namespace (the child drops to nobody,
    a real unprivileged uid), then with one (a container may allow only that)."""
    if not sys.platform.startswith("linux"):
        return Isolation(False, f"process isolation only: bubblewrap needs Linux (this is {sys.platform})")
    if not bwrap or not os.access(bwrap, os.X_OK):
        return Isolation(False, f"process isolation only: bubblewrap (bwrap) is not installed{f' at {bwrap}' * bool(bwrap)}")
    failure = ""
    for drop in (True, False) if root else (False,):
        candidate = Isolation(True, SANDBOX_DESCRIPTION, bwrap, drop_to_nobody=drop)
        failure = _try(candidate)
        if not failure:
            return candidate
    return Isolation(False, f"process isolation only: bubblewrap could not start here ({failure})")


def _try(candidate: Isolation) -> str:
    """What went wrong starting ``python -I`` in this sandbox ("" when it ran)."""
    with tempfile.TemporaryDirectory(prefix="grader-probe-") as folder:
        if candidate.drop_to_nobody:
            os.chown(folder, NOBODY, NOBODY)
        code = _DROP_CODE if candidate.drop_to_nobody else "pass"
        command = sandbox_command(candidate, [sys.executable, "-I", "-S", "-c", code], workdir=folder)
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as error:
            return str(error)
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return "" if done.returncode == 0 else said[-1] if said else f"exit code {done.returncode}"


def sandbox_command(found: Isolation, command: list[str], *, workdir: str, inputs: str | None = None,
                    read_only: tuple[str, ...] = (), hidden: tuple[str, ...] = (), script: str = "") -> list[str]:
    """``command`` wrapped in bwrap: ``workdir`` writable, ``inputs`` and ``read_only`` (files or folders)
    readable, ``hidden`` folders (the grader's own, when installed among the libraries) empty, the file ``script``
    readable at ``SCRIPT_INSIDE`` (``command`` names it there)."""
    arguments = [found.bwrap, *_NAMESPACES, "--die-with-parent", "--new-session"]
    if not found.drop_to_nobody:
        arguments += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    arguments += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    binds = _system_binds() + [(path, path) for path in _python_paths() + list(read_only) + ([inputs] if inputs else [])]
    binds.append((os.path.realpath(sys.executable), sys.executable))
    venv_config = os.path.join(sys.prefix, "pyvenv.cfg")
    if os.path.isfile(venv_config):
        binds.append((venv_config, venv_config))
    mounted: list[str] = []  # destinations bound so far (a path inside one needs no bind of its own)
    made: set[str] = set()
    for source, destination in sorted(set(binds), key=lambda pair: (pair[1].count("/"), pair[1])):
        if source.startswith("->"):
            arguments += ["--symlink", source[2:], destination]
            continue
        if not os.path.exists(source) or _inside(destination, mounted):
            continue
        arguments += _parents(destination, mounted, made) + ["--ro-bind", os.path.realpath(source), destination]
        mounted.append(destination)
    for folder in hidden:
        if _inside(folder, mounted):
            arguments += ["--tmpfs", folder]
    if script:
        arguments += _parents(SCRIPT_INSIDE, mounted, made) + ["--ro-bind", script, SCRIPT_INSIDE]
    arguments += _parents(workdir, mounted, made) + ["--bind", workdir, workdir, "--chdir", os.path.join(workdir, "cwd")
                                                     if os.path.isdir(os.path.join(workdir, "cwd")) else workdir]
    return arguments + command


def _inside(path: str, folders: list[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def _parents(destination: str, mounted: list[str], made: set[str]) -> list[str]:
    """``--dir`` (mode 0755, which bwrap does not give the folders it creates) for each missing parent."""
    arguments = []
    parts = destination.strip("/").split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/" + "/".join(parts[:depth])
        if folder in ("/tmp", "/proc", "/dev") or folder in made or _inside(folder, mounted):
            continue
        made.add(folder)
        arguments += ["--perms", "0755", "--dir", folder]
    return arguments


@functools.lru_cache(maxsize=1)
def _system_binds() -> list[tuple[str, str]]:
    """The shared libraries and the loader (``/usr/lib*``, ``/lib*`` as links or folders); ld.so.cache."""
    binds = []
    for folder in ("/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/libx32", "/usr/local/lib"):
        if os.path.isdir(folder):
            binds.append((folder, folder))
    for folder in ("/lib", "/lib64", "/lib32", "/libx32"):
        if os.path.islink(folder):
            binds.append(("->" + os.readlink(folder), folder))
        elif os.path.isdir(folder):
            binds.append((folder, folder))
    if os.path.isfile("/etc/ld.so.cache"):
        binds.append(("/etc/ld.so.cache", "/etc/ld.so.cache"))
    return binds


@functools.lru_cache(maxsize=1)
def _python_paths() -> list[str]:
    """The interpreter's standard library, shared library folder and site-packages."""
    paths = sysconfig.get_paths()
    folders = [paths.get(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")]
    folders.append(sysconfig.get_config_var("LIBDIR"))
    found = [folder for folder in folders if folder and os.path.isdir(folder)]
    return list(dict.fromkeys(found + [os.path.realpath(folder) for folder in found]))  # as Python names them, and real
