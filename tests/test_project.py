"""The README's promises about commands and CI hold: the scripts exist, CI runs the README's test command."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_opens_with_the_two_commands_and_they_exist():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["./run-app", "./run-tests"]
    for command in commands:
        assert os.access(ROOT / command[2:], os.X_OK), f"{command} is not executable"


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\./run-tests\s*$", ci, re.M), ".ci/run must end by running ./run-tests"
    assert "set -euo pipefail" in ci


def test_streamlit_sends_no_usage_statistics_and_binds_to_loopback():
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert "gatherUsageStats = false" in config and 'address = "127.0.0.1"' in config


def test_every_environment_variable_the_code_reads_is_documented():
    readme = (ROOT / "README.md").read_text()
    used = set()
    for path in [*ROOT.glob("lesson/**/*.py"), *ROOT.glob("grader/**/*.py"), *ROOT.glob("tests/**/*.py")]:
        # os.environ["X"], os.environ.get("X"), os.getenv("X"), env.get("X"), monkeypatch.setenv("X", ...)
        used |= set(re.findall(r"(?:environ|env|getenv|setenv)(?:\.get)?[\[(]\s*[\"'](LESSON_[A-Z_]+)", path.read_text()))
    missing = sorted(name for name in used if name not in readme)
    assert not missing, f"undocumented environment variables: {missing}"
