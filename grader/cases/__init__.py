"""What is asked: the Case record, edge, random and bank cases, fixtures, and where expected outputs come from."""
