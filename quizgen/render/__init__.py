"""Rendering: layouts → HTML (layouts.py and a module per kind of document), HTML → PDF (pdf.py, through the
WeasyPrint boundary weasy.py), worksheets composed from pieces (compose.py, composer.py), card imposition
(imposition.py)."""

# What render_pdfs imports when it first runs (WeasyPrint as weasy.imported does it, with one library lookup, then
# the modules of the tasks a build gives its workers): a process that imports them ahead forks render workers that
# start warm (sandbox.WarmStart). Named here, not in pdf.py, so that naming them imports none of them.
# (email.policy: what WeasyPrint's response to the first fetch of a layout file imports, in every worker)
RENDERER_MODULES = ("quizgen.render.weasy:warmed", "pikepdf", "fontTools.ttLib", "tinycss2", "email.policy",
                    "quizgen.render.pdf", "quizgen.render.piece_shares", "quizgen.render.version_shares")
# and, for a build that writes a composed file of its own fonts (the flashcards, or one version's worksheet or key),
# the font subsetter (font_subsets.py); a class set has none to write, and would wait for its import
SUBSETTER_MODULES = ("uharfbuzz",)
