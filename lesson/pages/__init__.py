"""The lesson app's pages, one file per section, run by `st.navigation` in lesson/app.py."""
