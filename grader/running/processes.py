"""Child processes for grading: start them (optionally ahead of time), and kill them with everything they started."""

from __future__ import annotations

import atexit
import functools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from grader.running.bubblewrap import NOBODY, SCRIPT_INSIDE, isolation, sandbox_command

__all__ = ["Child", "take_child", "keep_warm", "keep_warm_for_grading", "shutdown_standby", "torch_installed",
           "package_folders", "memory_limit_bytes", "inputs_folder", "share_with_children", "TOKEN_VARIABLE",
           "DEFAULT_MEMORY_LIMIT", "end_process_tree"]

CHILD_SCRIPT = Path(__file__).with_name("child.py")
DEFAULT_MEMORY_LIMIT = 4 << 30  # bytes of memory (data; see child._limit_resources) per child
TOKEN_VARIABLE = "LESSON_GRADER_RUN"  # every process of one child carries it: found and killed even after setsid


def memory_limit_bytes(mib: int | None) -> int:
    """The limit for the command-line option ``--memory-limit MIB`` (absent or 0: the default)."""
    return mib << 20 if mib else DEFAULT_MEMORY_LIMIT


@dataclass
class Child:
    """One fresh interpreter, waiting on stdin for its single job; its temporary folder goes with it."""

    proc: subprocess.Popen
    workdir: Path  # cwd/ (the student's working directory), tmp/, results-<random>/
    token: str
    torch: bool
    memory_limit: int
    sandboxed: bool = False  # inside bubblewrap (it sees only its workdir, the inputs and Python)
    killed: bool = False

    @classmethod
    def spawn(cls, *, torch: bool, memory_limit: int, preload: tuple[str, ...] = ()) -> Child:
        """Start a child; it imports numpy (torch if asked, and the ``preload`` modules), then waits for its job."""
        workdir = Path(tempfile.mkdtemp(prefix=f"grader-{os.getpid()}-"))  # the pid: lesson.data.leftovers
        for name in ("cwd", "tmp"):
            (workdir / name).mkdir()
        token = secrets.token_hex(16)
        env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(workdir / "cwd"), "TMPDIR": str(workdir / "tmp"),
               "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8", "OMP_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "",
               "GRADER_WORKDIR": str(workdir), TOKEN_VARIABLE: token}
        if sys.platform == "win32":
            env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
        command = [sys.executable, "-I", "-B", "-u", str(CHILD_SCRIPT), str(memory_limit)] + (["--torch"] if torch else [])
        command += [f"--preload={name}" for name in preload] + [f"--path={folder}" for folder in _library_paths()]
        found = isolation()
        if found.sandboxed:
            if found.drop_to_nobody:  # the child switches to nobody before anything else: its folders must be its own
                command.append(f"--drop-to={NOBODY}")
                for folder in (workdir, workdir / "cwd", workdir / "tmp"):
                    os.chown(folder, NOBODY, NOBODY)
            command[command.index(str(CHILD_SCRIPT))] = SCRIPT_INSIDE
            command = sandbox_command(found, command, workdir=str(workdir), inputs=inputs_folder(),
                                      read_only=_library_paths(), hidden=_grader_folders(), script=str(CHILD_SCRIPT))
        with open(workdir / "startup.out", "wb") as startup_output:  # only the child's own start-up errors land here
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=startup_output, stderr=subprocess.STDOUT,
                                    cwd=workdir / "cwd", env=env, close_fds=True,
                                    start_new_session=(os.name == "posix"))
        return cls(proc, workdir, token, torch, memory_limit, sandboxed=found.sandboxed)

    def send(self, job: bytes) -> bool:
        """Hand over the job (the child reads stdin to its end); False when the child is already gone."""
        try:
            self.proc.stdin.write(job)
            self.proc.stdin.close()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def kill(self) -> None:
        """Kill the child and every process it started (its group, its descendants, anything carrying its token)."""
        if not self.killed:
            self.killed = True
            end_process_tree(self.proc, self.token)

    def discard(self) -> None:
        """Kill everything and remove the temporary folder (safe to call more than once)."""
        self.kill()
        try:
            self.proc.stdin.close()
        except (OSError, ValueError):
            pass
        if self.workdir.exists():
            shutil.rmtree(self.workdir, onerror=_make_writable_and_retry)


def package_folders(name: str) -> list[str]:
    """The real folders the package ``name`` is imported from in this interpreter (none if it is absent)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return []
    return [os.path.realpath(location) for location in (spec.submodule_search_locations or [])] if spec else []


@functools.lru_cache(maxsize=1)
def _library_paths() -> tuple[str, ...]:
    """The folders this interpreter imports numpy, scipy and torch from, for the child to find them too."""
    parents = [os.path.dirname(folders[0]) for folders in map(package_folders, ("numpy", "scipy", "torch")) if folders]
    return tuple(dict.fromkeys(parents))


@functools.lru_cache(maxsize=1)
def _grader_folders() -> tuple[str, ...]:
    """The grader's, the lesson's and the references' folders: emptied in the sandbox when installed among the libraries."""
    return tuple(folder for name in ("grader", "lesson", "solutions", "exercises") for folder in package_folders(name))


_inputs_lock = threading.Lock()
_inputs: list[str] = []


def inputs_folder() -> str:
    """The folder of this process's case input files (created on first use, removed at exit), which every
    sandboxed child sees read-only."""
    with _inputs_lock:
        if not _inputs:
            folder = tempfile.mkdtemp(prefix=f"grader-inputs-{os.getpid()}-")  # the pid: lesson.data.leftovers
            share_with_children(folder, 0o750)
            atexit.register(shutil.rmtree, folder, True)
            _inputs.append(folder)
        return _inputs[0]


def share_with_children(path: str, mode: int = 0o640) -> None:
    """Let children running as nobody (when this process is root) read ``path`` and nobody else write it."""
    if hasattr(os, "getuid") and os.getuid() == 0:
        os.chown(path, -1, NOBODY)
        os.chmod(path, mode)


def _make_writable_and_retry(function, path, _info):
    try:  # a submission may have made its files or folders read-only
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
        function(path)
    except OSError:
        pass


# ---- finding and killing every process of a child ----

def _process_table() -> dict[int, int]:
    """pid -> parent pid, for all processes (Linux /proc; empty elsewhere)."""
    table = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
                table[int(name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    return table


def _carrying_token(pids, token: str | None) -> set[int]:
    if token is None:
        return set()
    marker = f"{TOKEN_VARIABLE}={token}".encode()
    found = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/environ", "rb") as handle:
                if marker in handle.read():
                    found.add(pid)
        except OSError:
            continue
    return found


def _family(root: int, token: str | None) -> set[int]:
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, parent in table.items():
        children.setdefault(parent, []).append(pid)
    family, stack = set(), [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in family:
                family.add(child)
                stack.append(child)
    family |= _carrying_token(table, token)
    family.discard(os.getpid())
    return family


def _signal(pid: int, number: int, group: bool = False) -> None:
    try:
        (os.killpg if group else os.kill)(pid, number)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def end_process_tree(proc: subprocess.Popen, token: str | None = None) -> None:
    """Kill ``proc`` and every process it started, then reap it.

    Freezes first (nothing can fork while we look), then kills everything found: the process group of ``proc``,
    its descendants (kept under a grading child by PR_SET_CHILD_SUBREAPER), the group each of them leads (a
    grading child leads its own session) and, given ``token``, any process carrying it in its environment.
    """
    if os.name != "posix":
        proc.kill()
        proc.wait()
        return
    _signal(proc.pid, signal.SIGSTOP, group=True)
    frozen: set[int] = set()
    if proc.poll() is None:
        frozen.add(proc.pid)
    for _ in range(50):
        found = _family(proc.pid, token) - frozen
        if not found:
            break
        for pid in found:
            _signal(pid, signal.SIGSTOP)
        frozen |= found
    for pid in frozen:
        _signal(pid, signal.SIGKILL, group=True)
        _signal(pid, signal.SIGKILL)
    _signal(proc.pid, signal.SIGKILL, group=True)
    try:
        proc.kill()
    except OSError:
        pass
    proc.wait()


# ---- children started ahead of time (the app's Check buttons do not wait for Python, numpy and torch) ----

_pool_lock = threading.Lock()
_standby: dict[tuple[bool, int, bool], list[Child]] = {}  # (torch, memory limit, sandboxed) -> idle children


def take_child(*, torch: bool, memory_limit: int) -> Child:
    """A child that has not run anything yet: a standby one when available, else a new one."""
    with _pool_lock:
        queue = _standby.get((torch, memory_limit, isolation().sandboxed), [])
        while queue:
            child = queue.pop()
            if child.proc.poll() is None:
                return child
            child.discard()
    return Child.spawn(torch=torch, memory_limit=memory_limit)


def keep_warm(*, torch: bool, memory_limit: int, count: int = 1, preload: tuple[str, ...] = ()) -> None:
    """Have ``count`` standby children of this kind started (they wait, idle, for the next grading).

    ``preload`` names modules a submission is likely to import (``scipy.stats``): an idle child imports them
    in the background, so that the next Check does not wait for them.
    """
    with _pool_lock:
        queue = _standby.setdefault((torch, memory_limit, isolation().sandboxed), [])
        queue[:] = [child for child in queue if child.proc.poll() is None or child.discard()]
        while len(queue) < count:
            queue.append(Child.spawn(torch=torch, memory_limit=memory_limit, preload=preload))


def torch_installed() -> bool:
    """Whether torch is installed here (found, not imported): the torch-tensor cases need it."""
    return bool(package_folders("torch"))


def keep_warm_for_grading(*, memory_limit: int, numpy_children: int = 1, preload: tuple[str, ...] = ()) -> None:
    """The standby children a grading uses: one with torch (where installed; started first, as it takes longest to
    start) and ``numpy_children`` without."""
    if torch_installed():
        keep_warm(torch=True, memory_limit=memory_limit, preload=preload)
    keep_warm(torch=False, memory_limit=memory_limit, count=numpy_children, preload=preload)


def shutdown_standby() -> None:
    """Stop all standby children (also run at exit; a standby child also exits when its parent dies)."""
    with _pool_lock:
        children = [child for queue in _standby.values() for child in queue]
        _standby.clear()
    for child in children:
        child.discard()


atexit.register(shutdown_standby)
