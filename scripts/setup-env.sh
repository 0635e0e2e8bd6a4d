# Sourced by ./run-app and ./run-tests: create .venv once and (re)install when pyproject.toml changes.
# Usage: source scripts/setup-env.sh [extra]   (extra: "" for the app, "test" for the test suite)
set -euo pipefail
extra="${1:-}"
python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "error: Python 3.10 or newer is needed (found: $("$python_bin" --version 2>&1)). Set PYTHON=/path/to/python3.11." >&2
    exit 2
fi
if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtual environment in .venv ..." >&2
    "$python_bin" -m venv .venv
fi
stamp=".venv/.installed-${extra:-app}"
want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing the lesson and its dependencies into .venv (torch is large: a few minutes the first time) ..." >&2
    spec="."
    [ -n "$extra" ] && spec=".[$extra]"
    # compat mode: a .pth file puts the checkout on sys.path, so packages added later are found too
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec" --config-settings editable_mode=compat
    echo "$want" > "$stamp"
fi
