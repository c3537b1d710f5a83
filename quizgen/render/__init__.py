"""Rendering: layouts → HTML (layouts.py and a module per kind of document), HTML → PDF (pdf.py, through the
WeasyPrint boundary weasy.py), worksheets composed from pieces (compose.py, composer.py), card imposition
(imposition.py)."""
