"""The lesson app's pages, one file per page of lesson/curriculum.py, run by `st.navigation` in lesson/app/main.py."""
