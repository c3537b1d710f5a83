"""The pool kept in the user's cache (build/pool_cache.py): a second run deals the same set from it, anything the pool
depends on names another entry, a damaged, foreign or linked entry is only a miss, a pack with errors is never kept,
and only the last few entries stay; the sets dealt from it are kept by the options that dealt them."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path


from helpers import MINIMAL_PACK, write_pack
from quizgen import cli
from quizgen.build.generating import load_and_generate
from quizgen.build.code import code_fingerprint, sources_fingerprint
from quizgen.build.pool_cache import KEEP_ENTRIES, KEEP_SETS, POOLS_FOLDER, Dealt, PoolCache, Stored
from quizgen.files import user_cache_folder
from quizgen.generate import generate_question_set
from quizgen.generate.serialise import question_set_json
from quizgen.load.pack import load_pack


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def entries(cache_home: Path, suffix: str = ".pool") -> list[Path]:
    folder = cache_home / "quizgen" / POOLS_FOLDER
    return sorted(folder.glob(f"*{suffix}")) if folder.is_dir() else []


def generate(capsys, pack: Path, *options: str) -> str:
    code, out, err = run(capsys, "generate", str(pack), "--count", "5", "--seed", "3", "--format", "json", *options)
    assert code == 0, err
    return out


def test_a_second_run_deals_the_same_set_from_the_stored_pool(minimal_pack, private_cache_folder, capsys):
    fresh = generate(capsys, minimal_pack, "--no-cache")
    assert entries(private_cache_folder) == [] and entries(private_cache_folder, ".set") == []
    assert generate(capsys, minimal_pack) == fresh  # a miss: made, dealt and stored
    assert len(entries(private_cache_folder)) == 1
    assert generate(capsys, minimal_pack) == fresh  # a hit
    assert len(entries(private_cache_folder)) == 1


def test_the_stored_pool_is_what_a_hit_deals_from(minimal_pack, capsys):
    generate(capsys, minimal_pack)
    store = PoolCache.of(minimal_pack)
    stored = store.get()
    assert stored is not None and len(stored.questions) > 1
    store.put(Stored(stored.pack, stored.questions[:1], stored.skipped))  # a pool of one question, under its key
    assert json.loads(generate(capsys, minimal_pack, "--seed", "4"))["pool_size"] == 1  # a set not dealt before


def test_a_set_dealt_before_is_taken_from_the_cache_without_dealing(minimal_pack, private_cache_folder, capsys,
                                                                     monkeypatch):
    first = generate(capsys, minimal_pack)
    assert len(entries(private_cache_folder, ".set")) == 1

    def dealt_again(*args, **kwargs):
        raise AssertionError("the set was dealt again")

    with monkeypatch.context() as patched:
        patched.setattr("quizgen.generate.question_set_from_pool", dealt_again)
        assert generate(capsys, minimal_pack) == first
    other = generate(capsys, minimal_pack, "--seed", "4")  # other options: dealt, and kept beside the first
    assert other != first and len(entries(private_cache_folder, ".set")) == 2
    (entry,) = [p for p in entries(private_cache_folder, ".set") if p.stat().st_mtime_ns == max(
        q.stat().st_mtime_ns for q in entries(private_cache_folder, ".set"))]
    entry.write_bytes(b"torn")  # a damaged entry is only a miss: dealt again, and kept again
    assert generate(capsys, minimal_pack, "--seed", "4") == other
    assert PoolCache.of(minimal_pack).get_dealt({"count": 5, "seed": 4, "versions": 1}) is not None


def test_a_set_an_outputs_own_filter_dealt_is_not_kept(minimal_pack, private_cache_folder):
    store = PoolCache.of(minimal_pack)
    assert store.dealt_entry({"count": 5, "seed": 3, "versions": 1, "takes": None}) is not None
    assert store.dealt_entry({"count": 5, "seed": 3, "versions": 1, "takes": lambda question: True}) is None
    load_and_generate(minimal_pack, count=5, seed=3, versions=1, takes=lambda question: question.type != "matching")
    assert entries(private_cache_folder, ".set") == [] and len(entries(private_cache_folder)) == 1


def test_only_the_most_recently_used_sets_are_kept(minimal_pack, private_cache_folder):
    pack = load_pack(minimal_pack)
    dealt = Dealt(pack, generate_question_set(pack, count=3))
    store = PoolCache.of(minimal_pack)
    for count in range(1, KEEP_SETS + 3):
        store.put_dealt({"count": count}, dealt)
        entry = store.dealt_entry({"count": count})
        os.utime(entry, ns=(count * 10 ** 9, count * 10 ** 9))
    assert store.get_dealt({"count": 1}) is None and store.get_dealt({"count": 2}) is None
    assert store.get_dealt({"count": 3}) is not None  # used now: kept when the next one comes
    store.put_dealt({"count": 100}, dealt)
    kept = entries(private_cache_folder, ".set")
    assert len(kept) == KEEP_SETS and store.dealt_entry({"count": 3}) in kept
    assert store.dealt_entry({"count": 4}) not in kept


def test_a_build_that_fails_after_dealing_still_keeps_the_pool_and_the_set(minimal_pack, private_cache_folder,
                                                                         tmp_path, capsys):
    layouts = tmp_path / "broken-layouts"
    layouts.mkdir()
    (layouts / "worksheet.html").write_text("{% if %}\n", encoding="utf-8")
    code, _, err = run(capsys, "build", str(minimal_pack), "--out", str(tmp_path / "out"), "--layouts", str(layouts),
                       "--only", "worksheets", "--quiet")
    assert code == 1 and "worksheet.html" in err
    assert len(entries(private_cache_folder)) == 1 and len(entries(private_cache_folder, ".set")) == 1


def test_after_an_edit_only_the_edited_yaml_file_is_parsed_again(minimal_pack, private_cache_folder, capsys,
                                                                  monkeypatch):
    from quizgen.load import yamlfile

    generate(capsys, minimal_pack)
    facts = minimal_pack / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("rivers", "rivers ") + "\n", encoding="utf-8")
    composed = []
    compose = yamlfile._compose
    monkeypatch.setattr(yamlfile, "_compose", lambda text: composed.append(text) or compose(text))
    edited = generate(capsys, minimal_pack)
    assert composed == [facts.read_text(encoding="utf-8")]  # the pack's other files and the templates: kept
    assert edited == generate(capsys, minimal_pack, "--no-cache")


def test_loading_and_generating_is_the_engines_set_on_a_miss_and_on_a_hit(minimal_pack):
    expected = question_set_json(generate_question_set(load_pack(minimal_pack), count=4, seed=2, versions=2))
    for _ in range(2):
        _, made = load_and_generate(minimal_pack, count=4, seed=2, versions=2)
        assert question_set_json(made) == expected


def test_an_edited_pack_is_read_again_not_served_from_the_old_entry(minimal_pack, private_cache_folder, capsys):
    assert json.loads(generate(capsys, minimal_pack))["pack"]["title"] == "Rivers of Europe"
    pack_file = minimal_pack / "pack.yaml"
    pack_file.write_text(pack_file.read_text(encoding="utf-8").replace("Rivers of Europe", "Rivers of the World"),
                         encoding="utf-8")
    assert json.loads(generate(capsys, minimal_pack))["pack"]["title"] == "Rivers of the World"
    assert len(entries(private_cache_folder)) == 2


def test_a_source_text_in_a_subfolder_is_part_of_the_fingerprint(minimal_pack):
    before = PoolCache.of(minimal_pack).key
    (minimal_pack / "sources" / "notes.txt").write_text("The Rhine is about 1,230 km long. The Danube rises in "
                                                        "the Black Forest. It is long.\n", encoding="utf-8")
    assert PoolCache.of(minimal_pack).key != before


def test_templates_options_and_the_code_name_other_entries(minimal_pack, tmp_path):
    templates = tmp_path / "my-templates"
    templates.mkdir()
    plain = PoolCache.of(minimal_pack).key
    keys = {plain, PoolCache.of(minimal_pack, template_dirs=[templates]).key,
            PoolCache.of(minimal_pack, types=["true-false"]).key, PoolCache.of(minimal_pack, tags=["x"]).key,
            PoolCache.of(minimal_pack, with_excluded=True).key}
    assert len(keys) == 5
    with_folder = PoolCache.of(minimal_pack, template_dirs=[templates]).key
    (templates / "extra.yaml").write_text("id: extra\n", encoding="utf-8")
    assert PoolCache.of(minimal_pack, template_dirs=[templates]).key != with_folder
    assert PoolCache.of(minimal_pack).key == plain


def test_an_edit_of_quizgens_code_changes_the_code_fingerprint(tmp_path):
    package = tmp_path / "quizgen"
    shutil.copytree(Path(cli.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_fingerprint(package)
    assert code_fingerprint(package) == before
    deal = package / "generate" / "deal.py"
    deal.write_text(deal.read_text(encoding="utf-8").replace("MAX_PER_RELATION = 5", "MAX_PER_RELATION = 6"),
                    encoding="utf-8")
    assert code_fingerprint(package) == before  # read once per process: what runs is the code it imported
    sources_fingerprint.cache_clear()  # as in the next process
    assert code_fingerprint(package) != before


def test_a_corrupt_entry_is_a_miss_and_is_written_again(minimal_pack, private_cache_folder, capsys):
    generate(capsys, minimal_pack)
    [entry] = entries(private_cache_folder)
    entry.write_bytes(b"\x80\x05 not a pool")
    assert PoolCache.of(minimal_pack).get() is None
    fresh = generate(capsys, minimal_pack, "--seed", "4", "--no-cache")
    assert generate(capsys, minimal_pack, "--seed", "4") == fresh  # a set not dealt before: from a pool made again
    assert PoolCache.of(minimal_pack).get() is not None


def test_an_entry_written_for_another_key_is_a_miss(minimal_pack, tmp_path, capsys):
    other = write_pack(tmp_path / "other", MINIMAL_PACK)
    generate(capsys, other)
    mine, theirs = PoolCache.of(minimal_pack), PoolCache.of(other)
    shutil.copyfile(theirs.entry, mine.entry)
    os.chmod(mine.entry, 0o600)
    assert theirs.get() is not None
    assert mine.get() is None


def test_an_entry_others_can_write_or_a_link_is_never_unpickled(minimal_pack, tmp_path, capsys):
    generate(capsys, minimal_pack)
    store = PoolCache.of(minimal_pack)
    os.chmod(store.entry, 0o666)
    assert store.get() is None
    os.chmod(store.entry, 0o600)
    assert store.get() is not None
    moved = tmp_path / "elsewhere.pool"
    store.entry.rename(moved)
    store.entry.symlink_to(moved)
    assert store.get() is None
    os.chmod(store.folder, 0o777)
    store.entry.unlink()
    moved.rename(store.entry)
    assert store.get() is None  # a folder others can write into holds nothing to trust
    os.chmod(store.folder, 0o700)
    assert store.get() is not None


def test_no_cache_and_the_variable_leave_the_cache_folder_alone(minimal_pack, private_cache_folder, capsys,
                                                                 monkeypatch):
    generate(capsys, minimal_pack, "--no-cache")
    code, _, err = run(capsys, "check", str(minimal_pack), "--no-cache")
    assert code == 0, err
    monkeypatch.setenv("QUIZGEN_NO_CACHE", "1")
    generate(capsys, minimal_pack)
    assert not (private_cache_folder / "quizgen").exists()
    monkeypatch.setenv("QUIZGEN_NO_CACHE", "0")
    generate(capsys, minimal_pack)
    assert len(entries(private_cache_folder)) == 1


def test_only_the_most_recently_used_entries_are_kept(minimal_pack, private_cache_folder):
    stored = Stored(load_pack(minimal_pack), (), ())
    folder = private_cache_folder / "quizgen" / POOLS_FOLDER

    def put(name: str, second: int) -> None:
        PoolCache(folder, name).put(stored)
        os.utime(folder / f"{name}.pool", ns=(second * 10 ** 9, second * 10 ** 9))

    for i in range(KEEP_ENTRIES + 2):
        put(f"k{i}", i + 1)
    assert [p.stem for p in entries(private_cache_folder)] == [f"k{i}" for i in range(2, KEEP_ENTRIES + 2)]
    assert PoolCache(folder, "k2").get() is not None  # used now: the newest
    put("new", KEEP_ENTRIES + 5)
    kept = {p.stem for p in entries(private_cache_folder)}
    assert "k2" in kept and "k3" not in kept and len(kept) == KEEP_ENTRIES


def test_a_pack_with_errors_is_never_stored(minimal_pack, private_cache_folder, capsys):
    facts = minimal_pack / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("relation: length", "relation: lenght"),
                     encoding="utf-8")
    for _ in range(2):
        code, out, err = run(capsys, "generate", str(minimal_pack), "--format", "json")
        assert code == 1 and out == ""
        assert "facts.yaml:" in err and "lenght" in err and "Traceback" not in err
    assert entries(private_cache_folder) == []


def test_check_warns_of_the_same_review_ids_from_the_stored_pool(minimal_pack, private_cache_folder, capsys):
    (minimal_pack / "review.yaml").write_text("exclude:\n  - {id: '0123456789ab', reason: gone}\n", encoding="utf-8")
    first = run(capsys, "check", str(minimal_pack))
    assert first[0] == 0 and "'0123456789ab' matches no question" in first[2]
    assert len(entries(private_cache_folder)) == 1
    assert run(capsys, "check", str(minimal_pack)) == first


def test_templates_of_the_user_are_run_bounded_and_their_pool_stored(minimal_pack, tmp_path, private_cache_folder,
                                                                     capsys):
    templates = tmp_path / "my-templates"
    templates.mkdir()
    fresh = generate(capsys, minimal_pack, "--no-cache")
    assert generate(capsys, minimal_pack, "--templates", str(templates)) == fresh
    assert len(entries(private_cache_folder)) == 1
    assert generate(capsys, minimal_pack, "--templates", str(templates)) == fresh


def test_a_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_cache_folder() == tmp_path / ".cache" / "quizgen"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_folder() == tmp_path / "xdg" / "quizgen"


def test_stats_and_lint_read_the_pool_generate_stored(minimal_pack, private_cache_folder, capsys):
    fresh = {command: run(capsys, command, str(minimal_pack), "--no-cache") for command in ("stats", "lint")}
    assert entries(private_cache_folder) == []
    generate(capsys, minimal_pack)
    for command in ("stats", "lint", "stats", "lint"):
        assert run(capsys, command, str(minimal_pack)) == fresh[command]
    assert len(entries(private_cache_folder)) == 1  # one entry for the pool all three read


def test_lint_and_stats_of_a_pack_with_nothing_to_ask_say_so_from_the_cache_too(tmp_path, capsys):
    files = dict(MINIMAL_PACK)
    files["facts.yaml"] = "facts: []\n"
    pack = write_pack(tmp_path / "empty", files)
    for _ in range(2):
        code, out, _ = run(capsys, "lint", str(pack))
        assert code == 0 and "no questions yet: the pack has no facts yet" in out
        code, _, err = run(capsys, "stats", str(pack))
        assert code == 1 and "the pack has no facts yet" in err


def test_a_build_takes_the_pack_and_pool_from_the_cache_and_writes_the_same_files(minimal_pack, private_cache_folder,
                                                                                 tmp_path, capsys):
    def build(out: Path, *options: str) -> dict[str, bytes]:
        code, _, err = run(capsys, "build", str(minimal_pack), "--out", str(out), "--count", "4", "--versions", "2",
                           "--only", "questions,worksheets,keys", "--jobs", "1", "--quiet", *options)
        assert code == 0, err
        folder = out / "rivers"
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "manifest.json"}

    fresh = build(tmp_path / "fresh", "--no-cache")
    assert entries(private_cache_folder) == []
    assert build(tmp_path / "miss") == fresh
    [entry] = entries(private_cache_folder)
    [dealt] = entries(private_cache_folder, ".set")  # kept while the workers rendered
    assert build(tmp_path / "hit") == fresh
    assert entries(private_cache_folder) == [entry] and entries(private_cache_folder, ".set") == [dealt]
