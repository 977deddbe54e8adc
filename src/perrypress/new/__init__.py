"""`perrypress new`: a new paper project (project.py) from the files in scaffold/."""
