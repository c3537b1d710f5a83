"""quizgen: sourced facts in, question sets, answer keys, printable cards and exports out."""

__version__ = "0.1.0"
