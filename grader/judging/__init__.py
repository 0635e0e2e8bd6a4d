"""How a submission is judged: compare with the expected output, name known mistakes, score and explain."""
