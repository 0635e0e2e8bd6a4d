"""Hostile: sys.exit(0) while being imported (an exit code of 0 must not mean "passed")."""

import sys

sys.exit(0)
