"""The Streamlit app (``streamlit run lesson/app/main.py``): the only code that imports Streamlit."""
