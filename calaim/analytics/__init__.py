"""Identification runs from the web app: the plan's data files, the `identify` job run as a task, its candidates."""
