"""A library imported with an optional one hidden: the import fails while hidden, works after, and a library
already imported is left as it is."""

from __future__ import annotations

import subprocess
import sys

import pytest

from quizgen.lean_imports import deferred, hidden

IN_A_FRESH_INTERPRETER = """
import sys
from quizgen.lean_imports import deferred, hidden
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


DEFERRED_IN_A_FRESH_INTERPRETER = """
import sys
from quizgen.lean_imports import deferred
with deferred("colorsys", "rgb_to_hsv"):
    import colorsys
    from colorsys import rgb_to_hsv
    print("real" if "rgb_to_yiq" in vars(colorsys) else "stand-in")
    print(rgb_to_hsv(1.0, 0.0, 0.0))
    print("loaded" if "rgb_to_yiq" in vars(sys.modules["colorsys"]) else "not loaded")
print(colorsys.hls_to_rgb(0.0, 0.5, 1.0))
import colorsys as again
print("real after" if "rgb_to_yiq" in vars(again) else "stand-in after")
print(colorsys is not again and colorsys.__file__ == again.__file__)  # the stand-in kept from the block answers too
"""


def test_a_deferred_module_loads_at_its_first_use_and_answers_as_itself():
    ran = subprocess.run([sys.executable, "-c", DEFERRED_IN_A_FRESH_INTERPRETER], capture_output=True, text=True,
                         check=True)
    assert ran.stdout.split("\n")[:6] == ["stand-in", "(0.0, 1.0, 1.0)", "loaded", "(1.0, 0.0, 0.0)", "real after",
                                          "True"]


def test_a_module_imported_already_is_not_deferred():
    import json

    with deferred("json", "dumps"):
        import json as again
    assert again is json and sys.modules["json"] is json
