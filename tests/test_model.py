"""The typed records passed between stages: a question's hash, worked out once and never carried to another
process."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys

from helpers import ROOT, make_sample_set


def test_a_questions_hash_is_its_fields_hash_and_equal_questions_hash_alike():
    first, second = make_sample_set().questions[:2]
    copy = dataclasses.replace(first)
    assert copy == first and hash(copy) == hash(first)
    assert hash(first) == hash(tuple(getattr(first, f.name) for f in dataclasses.fields(first)))
    assert hash(dataclasses.replace(first, prompt=first.prompt + "?")) != hash(first)
    assert len({first, copy, second}) == 2


def test_the_kept_hash_is_not_pickled_where_string_hashes_differ():
    """The pool cache pickles questions; another process hashes strings otherwise, so a kept hash would lie."""
    question = make_sample_set().questions[0]
    hash(question)
    data = pickle.dumps(question)
    assert pickle.loads(data) == question
    program = ("import pickle, sys; q = pickle.loads(sys.stdin.buffer.read()); "
               "import dataclasses; print(hash(q) == hash(tuple(getattr(q, f.name) for f in dataclasses.fields(q))))")
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", program], input=data, capture_output=True, cwd=ROOT,
                             env={"PYTHONHASHSEED": seed, "PATH": ""}, check=True).stdout
        assert out.strip() == b"True"
