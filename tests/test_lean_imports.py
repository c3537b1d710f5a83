"""A library imported with an optional one hidden: the import fails while hidden, works after, and a library
already imported is left as it is."""

from __future__ import annotations

import subprocess
import sys

import pytest

from quizgen.lean_imports import hidden

IN_A_FRESH_INTERPRETER = """
import sys
from quizgen.lean_imports import hidden
with hidden("colorsys"):
    try:
        import colorsys
        print("imported while hidden")
    except ImportError:
        print("refused while hidden")
import colorsys
print("imported after" if "colorsys" in sys.modules else "still hidden")
"""


def test_a_hidden_library_cannot_be_imported_until_the_block_ends():
    ran = subprocess.run([sys.executable, "-c", IN_A_FRESH_INTERPRETER], capture_output=True, text=True, check=True)
    assert ran.stdout.split("\n")[:2] == ["refused while hidden", "imported after"]


def test_a_library_already_imported_is_not_hidden():
    import json

    with hidden("json"):
        import json as again
    assert again is json and sys.modules["json"] is json


def test_an_error_inside_the_block_still_unhides_the_library():
    with pytest.raises(RuntimeError), hidden("quizgen_not_a_module"):
        raise RuntimeError
    assert "quizgen_not_a_module" not in sys.modules
