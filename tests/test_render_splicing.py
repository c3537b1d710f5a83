"""A composed page's content stream, spliced from deflate runs made once: whatever the runs, compressed or
stored, the stream inflates to their bytes one after the other."""

from __future__ import annotations

import pickle
import zlib

from hypothesis import given
from hypothesis import strategies as st

from quizgen.render.splicing import END_OF_PIECE, deflated, stored, zlib_stream

RUNS = st.lists(st.tuples(st.booleans(), st.binary(max_size=300)), max_size=12)


@given(RUNS)
def test_compressed_and_stored_runs_joined_inflate_to_their_bytes(runs):
    made = [stored(data) if plain else deflated(data) for plain, data in runs] + [END_OF_PIECE]
    assert zlib.decompress(zlib_stream(made)) == b"".join(data for _, data in runs) + b"\nQ\n"


def test_a_stored_run_longer_than_one_block_is_split_into_blocks():
    data = bytes(range(256)) * 600  # 153,600 bytes: three stored blocks
    run = stored(data)
    assert len(run.data) == len(data) + 3 * 5
    assert zlib.decompress(zlib_stream([stored(b"q 1 0 0 1 10 20 cm\n"), run, END_OF_PIECE])) == (
        b"q 1 0 0 1 10 20 cm\n" + data + b"\nQ\n")


def test_a_run_compresses_when_asked_and_crosses_to_another_process_compressed():
    """Pages compressed whole read only the raw bytes; a class set's cut pieces go to the workers composing its
    versions already compressed, so that each is compressed once."""
    run = deflated(b"BT /F1 12 Tf (Reconquered) Tj ET\n" * 40)
    assert "data" not in vars(run)
    copy = pickle.loads(pickle.dumps(run))
    assert "data" in vars(copy) and copy == run
    assert zlib.decompress(zlib_stream([copy, stored(b"Q\n")])) == run.raw + b"Q\n"
