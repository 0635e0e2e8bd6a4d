"""The grading child: runs a submission's functions on .npy inputs and writes .npy outputs (stdlib + numpy only).

Started by ``grader.running.processes`` (``python -I -B -u child.py MEMORY_BYTES [--torch] [--preload=MODULE]
[--drop-to=UID]``), inside the bubblewrap sandbox where it can start (``grader/running/bubblewrap.py``), in a new
session with a scrubbed environment and a temporary working directory, under the limits of :func:`_limit_resources`
and the job's processor-time backstop (:func:`_limit_cpu`); nothing of the grader, the lesson or the references is
importable (``-I``, :func:`_isolate_imports`, :func:`_guard`). The job arrives on stdin as JSON;
results go to files in a folder only the job names, never to stdout: ``e<i>.start`` / ``e<i>.imported`` /
``e<i>.done`` mark exercise i's progress (the parent's clock), ``e<i>.out`` holds what the student's code printed,
``e<i>.import.json`` an import failure or missing function, ``e<i>.c<j>.json`` case j's record (returned, raised,
skipped) and ``e<i>.c<j>.o<k>.npy`` its output arrays. The parent alone holds the expected values and checks
every record again: a tampered child can only hand back wrong answers.
"""

import builtins
import json
import os
import sys
import traceback
import types
from time import perf_counter as _perf_counter

_MAX_OUTPUT_BYTES = 64 << 20  # a larger result is described (type, shape) but not written
_MAX_TEXT = 4000
_BLOCKED = ("solutions", "grader", "lesson", "exercises")
_type, _isinstance, _len, _open, _str = type, isinstance, len, builtins.open, str  # taken before student code runs


def _drop_privileges():
    """In the sandbox started by root: become ``--drop-to=UID`` (nobody) for good, before anything else runs."""
    for argument in sys.argv:
        if argument.startswith("--drop-to="):
            uid = int(argument[10:])
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)  # real, effective and saved ids: there is no way back
            if os.getuid() != uid or os.geteuid() != uid or os.getegid() != uid:
                raise PermissionError(f"could not switch to uid {uid}")


_ADDRESS_SPACE_MARGIN = 4 << 30  # torch maps ~2.6 GB of library code and reservations that hold no data


def _limit_resources(memory_bytes):
    """Memory, file size and process count limits that student code cannot raise again.

    On Linux the memory limit is RLIMIT_DATA: the writable private memory the process holds (heap, numpy's
    arrays, thread stacks), about 0.2 GB for numpy and scipy and 0.95 GB with torch. The address space
    (RLIMIT_AS) counts library code and reservations as well, 3.5 GB once torch is imported, more on machines
    with more threads: as the only limit it left a torch child no room to import scipy, so a correct file's
    torch-tensor check failed. The address space keeps a looser backstop (shared mappings are not data).
    """
    import signal

    try:
        import resource
    except ImportError:  # not POSIX: only the time limit applies
        return
    limits = [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, 256 << 20)]
    if memory_bytes > 0 and sys.platform.startswith("linux"):
        limits += [(resource.RLIMIT_DATA, memory_bytes), (resource.RLIMIT_AS, memory_bytes + _ADDRESS_SPACE_MARGIN)]
    elif memory_bytes > 0:
        limits.append((resource.RLIMIT_AS, memory_bytes))
    if sys.platform.startswith("linux") and os.getuid() != 0:
        try:  # a fork bomb stops at (the user's processes now) + 256
            own = sum(1 for name in os.listdir("/proc")
                      if name.isdigit() and os.stat(f"/proc/{name}").st_uid == os.getuid())
            limits.append((resource.RLIMIT_NPROC, own + 256))
        except OSError:
            pass
    for which, value in limits:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # not supported here (e.g. RLIMIT_AS on macOS): the time limit still applies
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long write fails with an error instead of killing us
    if sys.platform.startswith("linux"):
        try:  # orphaned grandchildren are re-parented to us, so the parent can find and kill them
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        except (OSError, AttributeError):
            pass


_CPU_GRACE_SECONDS = 5  # SIGXCPU at the soft limit (fatal unless caught), SIGKILL this much CPU time later


def _limit_cpu(seconds):
    """A processor-time backstop (RLIMIT_CPU) of ``seconds`` more CPU time, from the job, before any student code.

    Not the time limit: the parent's wall-time watcher stops an exercise long before this (the job gives a
    generous multiple of it). It is what stops a child that spins on after its parent is gone.
    """
    try:
        import resource
    except ImportError:  # not POSIX: only the parent's watcher applies
        return
    if not _isinstance(seconds, (int, float)) or seconds <= 0:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)  # the limit counts CPU time since the process started
    soft = int(usage.ru_utime + usage.ru_stime + seconds) + 1
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + _CPU_GRACE_SECONDS))
    except (ValueError, OSError):
        pass


def _isolate_imports(submission_dir, package):
    """Only the standard library, installed packages and the submission itself are importable."""
    def project_root(entry):  # a source checkout on the path (not a site-packages, which holds numpy)
        return (any(os.path.isdir(os.path.join(entry, name)) for name in _BLOCKED)
                and not os.path.isdir(os.path.join(entry, "numpy")))

    sys.path[:] = [submission_dir] + [entry for entry in sys.path
                                      if not entry.startswith("__editable__") and not project_root(entry)]
    sys.path_hooks[:] = [hook for hook in sys.path_hooks if "__editable__" not in getattr(hook, "__module__", "")]
    sys.path_importer_cache.clear()
    sys.meta_path[:] = [finder for finder in sys.meta_path
                        if "__editable__" not in (getattr(finder, "__module__", "") or "")]
    for name in list(sys.modules):
        if name.split(".")[0] in _BLOCKED and name.split(".")[0] != package:
            del sys.modules[name]

    class _Blocker:
        """Refuses the grader's own packages (and the reference solutions) by name."""

        @staticmethod
        def find_spec(fullname, path=None, target=None):
            if fullname.split(".")[0] in _BLOCKED and fullname.split(".")[0] != package:
                raise ModuleNotFoundError(f"No module named {fullname!r} (not available while grading)", name=fullname)
            return None

    sys.meta_path.insert(0, _Blocker)
    # The submission folder is also a package named after it, so `from exercises.rsa import ...` or
    # `from solutions._validate import ...` inside it resolve to files of the submission only.
    import importlib.machinery

    parent = types.ModuleType(package)
    parent.__path__ = [submission_dir]
    parent.__spec__ = importlib.machinery.ModuleSpec(package, None, is_package=True)
    parent.__spec__.submodule_search_locations = [submission_dir]
    sys.modules[package] = parent


def _guard(forbidden_dirs, package):
    """An audit hook (which Python code cannot remove) refusing, from here on: importing the grader's packages,
    opening files inside the folders the job names (the reference solutions, the grader, the lesson), and
    starting processes."""
    forbidden = tuple(os.path.realpath(folder) + os.sep for folder in forbidden_dirs)
    blocked = frozenset(name for name in _BLOCKED if name != package)
    spawning = frozenset(("os.fork", "os.forkpty", "os.system", "os.exec", "os.spawn", "os.posix_spawn",
                          "subprocess.Popen", "pty.spawn"))
    realpath, fspath, startswith = os.path.realpath, os.fsdecode, str.startswith

    def hook(event, args):
        if event == "open" and forbidden and _isinstance(args[0], (str, bytes, os.PathLike)):
            if startswith(realpath(fspath(args[0])), forbidden):
                raise PermissionError(f"{fspath(args[0])} cannot be read while grading")
        elif event == "import" and _str(args[0]).partition(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {args[0]!r} (not available while grading)")
        elif event in spawning:
            raise PermissionError("starting other processes is not allowed while grading")

    sys.addaudithook(hook)


def _load_module(path, qualified_name):
    """Compile the file's current bytes (never a stale .pyc) into a fresh module."""
    with _open(path, "rb") as handle:
        source = handle.read()
    module = types.ModuleType(qualified_name)
    module.__file__ = path
    module.__package__ = qualified_name.rpartition(".")[0]
    sys.modules[qualified_name] = module
    code = compile(source, path, "exec", dont_inherit=True)
    exec(code, module.__dict__)
    return module


def _student_traceback(error, submission_dir):
    """The traceback of ``error`` with the submission's own frames only, then the exception line."""
    lines = []
    try:
        frames = [frame for frame in traceback.extract_tb(error.__traceback__)
                  if os.path.realpath(frame.filename).startswith(submission_dir + os.sep)]
        if frames:
            lines.append("Traceback (your code only):\n")
            lines.extend(traceback.format_list(frames))
        lines.extend(traceback.format_exception_only(_type(error), error))
    except BaseException:  # noqa: BLE001 (a hostile __str__ must not take the child down)
        lines.append(f"{_type(error).__name__} (its message could not be shown)\n")
    return _clip("".join(lines))


def _clip(text):
    return text if _len(text) <= _MAX_TEXT else text[:_MAX_TEXT // 2] + "\n[... cut ...]\n" + text[-_MAX_TEXT // 2:]


def _type_name(value):
    try:
        kind = _type(value)
        module, name = _str(kind.__module__ or ""), _str(kind.__qualname__)
        return name if module == "builtins" else f"{module}.{name}"
    except BaseException:  # noqa: BLE001 (a metaclass with rigged attributes)
        return "object"


class _Writer:
    """Writes one case's outputs as .npy files, accepting only plain numbers and plain numeric numpy arrays."""

    def __init__(self, numpy, results, stem):
        self.np, self.results, self.stem, self.count = numpy, results, stem, 0
        self.scalars = tuple({numpy.dtype(code).type for code in "bhilqBHILQefdg"})
        self.write_array = numpy.lib.format.write_array

    def describe(self, value, depth=0):
        np = self.np
        kind = _type(value)
        if kind is np.ndarray:
            info = {"kind": "array", "type": "numpy.ndarray", "dtype": _str(value.dtype), "shape": list(value.shape)}
            if value.dtype.kind not in "iuf":
                return {**info, "kind": "rejected", "why": f"an array of dtype {value.dtype} (not numbers)"}
            if value.nbytes > _MAX_OUTPUT_BYTES:
                return {**info, "kind": "rejected", "why": f"an array of shape {value.shape} (too large to return)"}
            return {**info, "file": self._save(value)}
        if kind is int or kind is float or kind in self.scalars:
            array = np.asarray(value)
            return {"kind": "number", "type": _type_name(value), "dtype": _str(array.dtype), "file": self._save(array)}
        if depth == 0 and (kind is list or issubclass(kind, tuple)):  # a namedtuple is a tuple too
            items = list(list.__iter__(value)) if kind is list else list(tuple.__iter__(value))
            if _len(items) <= 3:
                described = [self.describe(item, 1) for item in items]
                return {"kind": "sequence", "type": _type_name(value), "items": described}
        info = {"kind": "rejected", "type": _type_name(value)}
        if _isinstance(value, np.ndarray):
            info["why"] = f"a subclass of numpy.ndarray ({_type_name(value)})"
            try:
                info["shape"] = list(np.ndarray.__getattribute__(value, "shape"))
            except BaseException:  # noqa: BLE001
                pass
        elif kind is list or kind is tuple:
            info["why"] = f"a {kind.__name__} of {_len(value)} items"
        elif kind is bool:
            info["why"] = f"a bool ({value}), not a number"
        return info

    def _save(self, array):
        name = f"{self.stem}.o{self.count}.npy"
        self.count += 1
        _write_atomic(os.path.join(self.results, name),
                      lambda handle: self.write_array(handle, array, allow_pickle=False))
        return name


def _write_atomic(path, write):
    temporary = path + ".part"
    with _open(temporary, "wb") as handle:
        write(handle)
    os.replace(temporary, path)


def _write_json(path, record):
    _write_atomic(path, lambda handle: handle.write(json.dumps(record).encode()))


def _touch(path):
    _write_atomic(path, lambda handle: None)


def _decode(spec, numpy, torch):
    """Rebuild one argument from its JSON description, loading arrays afresh (a mutated input hurts no other case)."""
    if "array" in spec:
        array = numpy.load(spec["array"], allow_pickle=False)
        return torch.from_numpy(array) if torch is not None and spec.get("tensor") else array
    if "list" in spec:
        return [_decode(item, numpy, torch) for item in spec["list"]]
    if "tuple" in spec:
        return tuple(_decode(item, numpy, torch) for item in spec["tuple"])
    if "dict" in spec:
        return {key: _decode(item, numpy, torch) for key, item in spec["dict"]}
    return spec["value"]


def _redirect_output(path):
    """Send fd 1 and 2 to the exercise's .out file, and sys.stdout / sys.stderr there through one 8 KB buffer.

    Unbuffered (``-u``), each print cost a system call: a function printing 200,000 lines took seconds per case,
    past the time limit. With the buffer a print costs a memory copy; at most the last 8 KB printed before a hang
    are lost. The parent shows only the first and last lines (``outcomes.read_text``)."""
    _finish_output()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)
    sys.stdout = sys.stderr = _open(1, "w", buffering=8192, encoding="utf-8", errors="replace", closefd=False)


def _finish_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 (the student's code replaced or closed it: its own output, its own loss)
            pass


def _run_exercise(index, item, job, modules, numpy, torch):
    results, submission_dir = job["results"], job["submission_dir"]
    stem = os.path.join(results, f"e{index}")
    _redirect_output(stem + ".out")
    _touch(stem + ".start")
    module_name = item["module"]
    if module_name not in modules:
        try:
            modules[module_name] = ("ok", _load_module(item["file"], f"{job['package']}.{module_name}"))
        except BaseException as error:  # noqa: BLE001 (SystemExit at import included)
            modules[module_name] = ("error", {"status": "import_error", "error": _type(error).__name__,
                                              "traceback": _student_traceback(error, submission_dir)})
    status, module = modules[module_name]
    function = None
    if status == "ok":
        _touch(stem + ".imported")
        try:
            function = getattr(module, item["function"], None)
        except BaseException:  # noqa: BLE001 (a module-level __getattr__ that fails: treated as missing)
            pass
    if status != "ok" or not callable(function):
        record = module if status != "ok" else {"status": "missing"}
        _write_json(stem + ".import.json", record)
        _finish_output()
        _touch(stem + ".done")
        return
    for case_index, case in enumerate(item["cases"]):
        case_stem = f"{stem}.c{case_index}"
        if case.get("tensor") and torch is None:
            _write_json(case_stem + ".json", {"status": "skipped"})
            continue
        args = [_decode(spec, numpy, torch) for spec in case["args"]]
        kwargs = {key: _decode(spec, numpy, torch) for key, spec in case["kwargs"]}
        writer = _Writer(numpy, results, os.path.basename(case_stem))
        started = _perf_counter()
        try:
            value = function(*args, **kwargs)
            record = {"status": "returned", "seconds": _perf_counter() - started, "value": writer.describe(value)}
        except BaseException as error:  # noqa: BLE001 (sys.exit inside a function is a failure like any other)
            record = {"status": "raised", "seconds": _perf_counter() - started, "error": _type(error).__name__,
                      "not_implemented": _isinstance(error, NotImplementedError),
                      "memory": _isinstance(error, MemoryError),
                      "traceback": _student_traceback(error, submission_dir)}
        del args, kwargs
        _write_json(case_stem + ".json", record)
        if case_index == 0 and record.get("not_implemented"):
            break  # still the stub: the remaining cases would say the same
    _finish_output()
    _touch(stem + ".done")


def main():
    _drop_privileges()
    memory_bytes = int(sys.argv[1])
    _limit_resources(memory_bytes)
    for argument in sys.argv:  # where the grader found numpy, scipy and torch (a user site is off under -I)
        if argument.startswith("--path=") and argument[7:] not in sys.path:
            sys.path.append(argument[7:])
    import numpy

    torch = None
    if "--torch" in sys.argv:
        try:
            import torch
        except BaseException:  # noqa: BLE001 (no torch here: tensor cases are skipped)
            torch = None
    for name in [argument.partition("=")[2] for argument in sys.argv if argument.startswith("--preload=")]:
        try:  # an idle standby child imports what submissions often use, before its job arrives
            __import__(name)
        except BaseException:  # noqa: BLE001
            pass
    raw = sys.stdin.buffer.read()
    if not raw:
        os._exit(0)  # a standby child that was never used
    job = json.loads(raw)
    _limit_cpu(job.get("cpu_seconds"))
    descriptor = os.open(os.devnull, os.O_RDONLY)
    os.dup2(descriptor, 0)
    os.mkdir(job["results"], 0o700)
    _isolate_imports(job["submission_dir"], job["package"])
    _guard(job.get("forbidden", []), job["package"])
    modules = {}
    for index, item in enumerate(job["exercises"]):
        _run_exercise(index, item, job, modules, numpy, torch)
    _touch(os.path.join(job["results"], "finished"))
    os._exit(0)  # no atexit handlers or lingering threads from student code


if __name__ == "__main__":
    try:
        main()
    except BaseException:  # noqa: BLE001 (a failure of the child itself: the parent reports it)
        try:
            _write_atomic(os.path.join(os.environ.get("GRADER_WORKDIR", "."), "child-error.txt"),
                          lambda handle: handle.write(traceback.format_exc().encode()))
        except BaseException:  # noqa: BLE001
            pass
        os._exit(70)
