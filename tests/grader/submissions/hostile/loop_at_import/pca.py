"""Hostile: an endless loop while being imported (both pca exercises must time out, once, not twice)."""

while True:
    pass
