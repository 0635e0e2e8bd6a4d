"""How a submission runs: isolated child processes with limits, the child script, its inputs and outcomes."""
