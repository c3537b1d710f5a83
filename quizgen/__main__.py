"""`python -m quizgen` runs the command line."""

from .launch import run

run()
