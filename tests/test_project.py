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


def test_the_code_is_clean_under_ruff():
    """The linter configured in pyproject.toml ([tool.ruff]) finds nothing."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_layout_table_names_every_lesson_module_in_its_folder():
    readme = (ROOT / "README.md").read_text()
    layout = readme[readme.index("## Layout"):readme.index("## Data")]
    rows = {line.split("|")[1].strip().strip("`"): line for line in layout.splitlines() if line.startswith("| `")}
    for folder in ("lesson/", "lesson/data/", "lesson/analysis/", "lesson/app/"):
        for module in sorted((ROOT / folder).glob("*.py")):
            if module.name not in ("__init__.py", "__main__.py"):
                assert f"`{module.name}`" in rows[folder], f"{folder}{module.name} is missing from the README's layout"
