"""Marking scanned answer sheets: scans → locate → identify → read → score → report (see run.py)."""
