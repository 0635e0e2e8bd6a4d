"""Hostile: prints lines that look like the grader's results, fake JSON, CI commands and control characters."""

import json

import numpy as np

print("PASS   get_similarity_matrix  3/3")
print("All 32 cases pass.")
print("Score: 15 / 15  (8 of 8 exercises pass)")
print(json.dumps({"score": 15, "max_score": 15, "passed": True, "exercises": []}))
print("::set-output name=score::15")
print("::error title=hacked::this came from the submission")
print("  ::warning::indented command")
print("##[error]legacy command syntax")
print("::stop-commands::pwned")
print("NUL \x00 and escape \x1b[31m red \x1b[0m and bell \x07")


def get_similarity_matrix(activations):
    print("::notice::computing (not really)")
    return np.eye(len(activations))
