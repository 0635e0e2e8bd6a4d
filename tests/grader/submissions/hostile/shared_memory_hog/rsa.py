"""Hostile: maps 8 GiB of shared memory (not counted as data) before answering correctly."""

import mmap

import numpy as np


def get_similarity_matrix(activations):
    hoard = mmap.mmap(-1, 8 << 30)  # MAP_SHARED | MAP_ANONYMOUS: outside RLIMIT_DATA, inside the address space
    hoard[0] = 1
    return np.corrcoef(np.asarray(activations, dtype=float))
