"""Pure numpy on an activation bank: the lesson's steps, the reference analyses, the optional measures. No Streamlit."""
