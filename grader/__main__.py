"""`python -m grader`: see grader/cli.py."""

import os
import sys

# Before numpy loads: the grader's small SVDs and products run far faster on one BLAS thread on a busy machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from grader.running.early_start import start_children_early

start_children_early(sys.argv[1:])  # torch imports in the child while the rest of the grader loads here

from grader.cli import main  # noqa: E402

sys.exit(main())
