"""Your work: implement the functions in rsa.py, pca.py and stimuli.py (same contracts as the lesson's references)."""
