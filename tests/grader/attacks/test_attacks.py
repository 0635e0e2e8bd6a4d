"""Attacks on official grading (`batch`, `instructor`, Gradescope's `run_autograder`): all blocked by the sandbox.

One student's exercise file attacks at import time (tests/grader/submissions/attacks/attack.py): it sabotages a
classmate's pca.py, starts processes (os.system, subprocess, ctypes, fork + exec), reads the instructor's files,
/etc/shadow, the fixtures and a classmate's files, connects to a socket the test listens on, leaves a daemon
running, forges reports and looks for other gradings' files. Each test checks the concrete effects on this
machine; a control test shows the same attacks do work with process isolation only.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from classroom_helpers import build_with_grader, clean_env
from classroom_helpers import run_grader_command as _grader
from grader_helpers import PROJECT_ROOT, SUBMISSIONS

from grader import grade
from grader.running.bubblewrap import BWRAP_VARIABLE, isolation

CORRECT = SUBMISSIONS / "correct" / "float32_inside"
ATTACK = SUBMISSIONS / "attacks" / "attack.py"

if not sys.platform.startswith("linux"):
    pytest.skip("the sandbox is Linux-only", allow_module_level=True)
if not isolation().sandboxed:
    if os.environ.get("LESSON_REQUIRE_SANDBOX"):  # CI installs bubblewrap: a missing sandbox fails there
        raise RuntimeError(f"the bubblewrap sandbox is required here: {isolation().description}")
    pytest.skip(f"no sandbox here ({isolation().description})", allow_module_level=True)


class Listener:
    """A TCP socket on 127.0.0.1 that records every connection made to it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.connections.append(connection.recv(100) or b"(connected)")
                except OSError:
                    self.connections.append(b"(connected)")

    def close(self):
        self.running = False
        self.thread.join(2)
        self.server.close()


@pytest.fixture
def scene(tmp_path, fixtures_dir):
    """The machine an attack runs on: a classmate's submission, the instructor's secret, a listener, markers."""
    victim = tmp_path / "classroom" / "victim"
    victim.mkdir(parents=True)
    for path in CORRECT.glob("*.py"):
        shutil.copy(path, victim / path.name)
    secret = tmp_path / "instructor" / "answer-key.txt"
    secret.parent.mkdir()
    secret.write_text(f"SECRET-{secrets.token_hex(8)}\n")
    markers = tmp_path / "markers"
    markers.mkdir(mode=0o777)
    os.chmod(markers, 0o777)  # writable even by nobody: only the sandbox keeps the attack out
    listener = Listener()
    config = {"markers": str(markers), "port": listener.port, "linger": f"linger{secrets.token_hex(3)}",
              "victims": [str(victim / "pca.py")], "reports": [],
              "fixtures": [str(path) for path in Path(fixtures_dir).iterdir()],
              "secrets": {"the instructor's solutions/pca.py": str(PROJECT_ROOT / "solutions" / "pca.py"),
                          "the grader's engine.py": str(PROJECT_ROOT / "grader" / "engine.py"),
                          "the fixtures": str(Path(fixtures_dir) / "fixtures.npz"),
                          "a classmate's pca.py": str(victim / "pca.py"), "/etc/shadow": "/etc/shadow",
                          "the instructor's answer key": str(secret)}}
    yield type("Scene", (), {"victim": victim, "secret": secret, "markers": markers, "listener": listener,
                             "config": config, "victim_hash": _hash(victim / "pca.py")})
    listener.close()


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _attacker(folder: Path, config: dict) -> Path:
    """A correct submission whose pca.py first runs every attack."""
    folder.mkdir(parents=True)
    for path in CORRECT.glob("*.py"):
        shutil.copy(path, folder / path.name)
    attack = ATTACK.read_text().replace('r"""{}"""', 'r"""' + json.dumps(config) + '"""')
    (folder / "pca.py").write_text(attack + "\n\n" + (CORRECT / "pca.py").read_text())
    return folder


def _lingering(name: str) -> list[int]:
    """Live processes (not zombies waiting to be reaped) named ``name`` on this machine."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if Path(f"/proc/{pid}/comm").read_text().strip() == name and state != "Z":
                found.append(int(pid))
        except OSError:
            continue
    return found


def _assert_all_blocked(scene, outputs: str, reports: list[Path]):
    assert "ATTACK started" in outputs and "ATTACK network: blocked" in outputs  # the attack code did run
    assert "WORKED" not in outputs, [line for line in outputs.splitlines() if "WORKED" in line]
    assert list(scene.markers.iterdir()) == []  # no shell command ran, by any route
    assert scene.listener.connections == []  # no network
    assert _hash(scene.victim / "pca.py") == scene.victim_hash  # the classmate's file is unchanged
    assert scene.secret.read_text().strip() not in outputs
    time.sleep(0.5)
    assert _lingering(scene.config["linger"]) == []  # nothing the submission started is left
    for path in reports:
        assert "FORGED" not in path.read_text(), path


def _outputs(report: dict) -> str:
    return "\n".join(exercise["output"] for exercise in report["exercises"])


def test_batch_blocks_every_attack_and_the_victim_keeps_full_marks(scene, tmp_path, fixtures_dir, stand_in_env):
    out = tmp_path / "grades"
    root = scene.victim.parent
    scene.config["reports"] = [str(out / "victim" / "report.json"), str(out / "gradebook.csv"),
                               str(out / "attacker" / "report.json")]
    _attacker(root / "attacker", scene.config)
    done = _grader("batch", root, "--out", out, "--jobs", "2", "--fixtures", fixtures_dir, env=stand_in_env)
    assert done.returncode == 0, done.stderr
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert rows["victim"]["status"] == rows["attacker"]["status"] == "graded"
    assert float(rows["victim"]["total"]) == 15 and float(rows["victim"]["PCA"]) == 3
    attacker = json.loads((out / "attacker" / "report.json").read_text())
    assert attacker["isolation"] == "bubblewrap sandbox" and attacker["score"] == 15
    _assert_all_blocked(scene, _outputs(attacker), [out / "gradebook.csv", out / "victim" / "report.json"])


def test_instructor_blocks_every_attack(scene, tmp_path, fixtures_dir, stand_in_env):
    out = tmp_path / "reports"
    scene.config["reports"] = [str(out / "report.json"), str(out / "junit.xml")]
    repo = tmp_path / "attacker-repo"
    _attacker(repo / "exercises", scene.config)
    done = _grader("instructor", repo, "--out", out, "--fixtures", fixtures_dir, env=stand_in_env)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((out / "report.json").read_text())
    assert "Isolation: bubblewrap sandbox" in done.stdout and report["isolation"] == "bubblewrap sandbox"
    _assert_all_blocked(scene, _outputs(report), [out / "report.json", out / "junit.xml"])
    victim = _grader("instructor", scene.victim, "--fixtures", fixtures_dir, env=stand_in_env)
    assert victim.returncode == 0 and "Score: 15 / 15" in victim.stdout


@pytest.fixture(scope="module")
def archive(tmp_path_factory, hidden_fixtures_dir, stand_in_env):
    return build_with_grader("gradescope", tmp_path_factory.mktemp("gradescope") / "autograder.zip", hidden_fixtures_dir,
                             stand_in_env)


def _run_autograder(archive, root: Path, python, **env) -> dict:
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(root / "source")
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root, capture_output=True, text=True,
                          timeout=300, env=clean_env(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=str(python), **env))
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_gradescope_run_autograder_blocks_every_attack(scene, archive, tmp_path, python):
    root = tmp_path / "autograder"
    results = root / "results" / "results.json"
    scene.config["reports"] = [str(results)]
    _attacker(root / "submission", scene.config)
    data = _run_autograder(archive, root, python)
    assert data["score"] == 15 and "Isolation: bubblewrap sandbox" in data["output"]
    _assert_all_blocked(scene, "\n".join(test["output"] for test in data["tests"]), [results])


def test_gradescope_requires_the_sandbox_unless_told_not_to(archive, tmp_path, python):
    for name, extra in (("refused", {}), ("allowed", {"AUTOGRADER_REQUIRE_SANDBOX": "0"})):
        root = tmp_path / name
        (root / "submission").mkdir(parents=True)
        for path in CORRECT.glob("*.py"):
            shutil.copy(path, root / "submission" / path.name)
        data = _run_autograder(archive, root, python, **{BWRAP_VARIABLE: "/nonexistent/bwrap"}, **extra)
        if name == "refused":  # every student is told grading could not run, and the instructor how to fix it
            assert data["score"] == 0 and data["tests"] == [] and "could not run" in data["output"]
            assert "apt-get install bubblewrap" in data["output"]
        else:
            assert data["score"] == 15 and "Isolation: process isolation only: bubblewrap (bwrap)" in data["output"]


def test_the_attacks_are_real_with_process_isolation_only(scene, tmp_path, fixtures_dir, monkeypatch):
    """The control: without the sandbox the same file reaches the network, runs a shell, sabotages the classmate."""
    from grader.cases.fixtures import FixtureSource

    monkeypatch.setenv(BWRAP_VARIABLE, "/nonexistent/bwrap")
    folder = _attacker(tmp_path / "attacker", scene.config)
    report = grade(folder, ["PCA"], source=FixtureSource.load(fixtures_dir), warm=False, time_limit=30)
    assert report.isolation.startswith("process isolation only: bubblewrap (bwrap) is not installed")
    outputs = report.exercises[0].output
    assert "ATTACK ctypes system: WORKED" in outputs and (scene.markers / "ctypes_system").exists()
    assert "ATTACK os.system: blocked" in outputs  # the audit hook stops what it sees, not ctypes
    assert scene.listener.connections and set(scene.listener.connections) == {b"stolen answers"}
    assert _hash(scene.victim / "pca.py") != scene.victim_hash
    assert scene.secret.read_text().strip() not in outputs and "ATTACK read the instructor's answer key: WORKED" in outputs
    time.sleep(0.5)
    assert _lingering(scene.config["linger"]) == []  # the process-tree kill still ends what it started
