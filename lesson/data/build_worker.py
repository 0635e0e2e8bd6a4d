"""Building an activation bank in a separate process, for the app: torch and the network live there, not in
the app's process, which stays small (about 0.6 GB instead of 1.2 GB after a cold start) and keeps answering.

The parent (``build_in_subprocess``) sends the settings as JSON on stdin; the worker (``python -m
lesson.data.build_worker``) runs ``lesson.data.prepare.prepare_bank`` and reports on stdout, one JSON object per line:
``{"progress": [message, fraction]}``, ``{"download": [done, total]}``, and last ``{"key": ..., "notices": [...]}``
or ``{"error": ..., "message": ..., "expected": bool}``. Anything else on stdout is ignored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

from lesson.config import PROJECT_ROOT, Settings

__all__ = ["settings_to_json", "settings_from_json", "build_in_subprocess", "main"]

_PATH_FIELDS = {field.name for field in fields(Settings) if field.type in ("Path", Path)}


def settings_to_json(settings: Settings) -> str:
    return json.dumps({field.name: str(value) if isinstance(value := getattr(settings, field.name), Path) else value
                       for field in fields(settings)})


def settings_from_json(text: str) -> Settings:
    values = json.loads(text)
    return Settings(**{name: Path(value) if name in _PATH_FIELDS else value for name, value in values.items()})


def build_in_subprocess(settings: Settings, on_progress: Callable[[str, float], None],
                        on_download: Callable[[int, int | None], None]) -> tuple[str, tuple[str, ...]]:
    """Build the bank for ``settings`` in a new process; ``(bank key, notices)``. Raises ``SourceUnavailable``
    for data that cannot be had (the worker's message), ``RuntimeError`` for anything else."""
    from lesson.data.errors import SourceUnavailable

    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT_ROOT), environment.get("PYTHONPATH"))))
    with subprocess.Popen([sys.executable, "-m", "lesson.data.build_worker"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment) as worker:
        worker.stdin.write(settings_to_json(settings))
        worker.stdin.close()
        last: dict = {}
        for line in worker.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if "progress" in message:
                on_progress(*message["progress"])
            elif "download" in message:
                on_download(*message["download"])
            else:
                last = message
        errors = worker.stderr.read()
    if "key" in last:
        return str(last["key"]), tuple(last.get("notices", ()))
    if last.get("expected"):
        raise SourceUnavailable(last.get("message", "the data is not available"))
    if "error" in last:
        raise RuntimeError(f"{last['error']}: {last.get('message', '')}")
    tail = "\n".join(errors.strip().splitlines()[-5:])
    raise RuntimeError(f"the process building the activation bank stopped (exit code {worker.returncode})"
                       + (f": {tail}" if tail else "") + ". If it ran out of memory, close other programs and retry.")


def main() -> int:
    from lesson.data.errors import DataError
    from lesson.data.prepare import prepare_bank

    def emit(**message) -> None:
        print(json.dumps(message), flush=True)

    try:
        bank, sources = prepare_bank(settings_from_json(sys.stdin.read()),
                                     progress=lambda text, fraction: emit(progress=[text, fraction]),
                                     download_progress=lambda done, total: emit(download=[done, total]),
                                     analyses_follow=False)  # the app analyses it, not this process
    except Exception as error:  # noqa: BLE001 (reported to the app, which shows it as a message)
        emit(error=type(error).__name__, message=str(error),
             expected=isinstance(error, DataError))  # a file or setting to fix, said in the message
        return 1
    emit(key=bank.key, notices=list(sources.notices))
    return 0


if __name__ == "__main__":
    sys.exit(main())
