"""Rendering: layouts → HTML (html.py), HTML → PDF (pdf.py), card imposition geometry (cards.py)."""
