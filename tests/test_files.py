"""Atomic output files (`fkd_live.core.files`): whole or absent, never half-written."""

from __future__ import annotations

import os
import stat

import pytest

from fkd_live.core.files import (
    OutputError,
    Pending,
    check_writable,
    replacing,
    write_bytes,
    write_text,
)


def test_a_written_file_replaces_the_old_one_whole(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    assert write_text(path, "new") == path
    assert path.read_text() == "new"
    assert os.listdir(tmp_path) == ["out.txt"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not mkstemp's private 0600
    write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"


def test_the_temporary_file_is_hidden_beside_it_and_keeps_the_suffix(tmp_path):
    with replacing(tmp_path / "shot.png") as tmp:
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(".shot.")
        assert tmp.name.endswith(".tmp.png")  # writers pick the format from the suffix
        tmp.write_bytes(b"png")
    assert sorted(os.listdir(tmp_path)) == ["shot.png"]


def test_a_failure_or_interruption_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "k.jsonl"
    path.write_text("before")

    def half_write(exc: BaseException) -> None:
        with replacing(path) as tmp:
            tmp.write_text("half")
            raise exc

    for exc in (ValueError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(exc)):
            half_write(exc)
    assert path.read_text() == "before"
    assert os.listdir(tmp_path) == ["k.jsonl"]


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("missing/x.jsonl", "folder {tmp}/missing does not exist"),
        (".", "cannot write {tmp}: it is a folder"),
    ],
)
def test_unwritable_paths_say_why_in_one_line(tmp_path, where, says):
    path = tmp_path / where if where != "." else tmp_path
    with pytest.raises(OutputError) as info:
        check_writable(path)
    assert says.format(tmp=tmp_path) in str(info.value)
    assert "\n" not in str(info.value)


def test_a_place_where_no_file_can_be_made(tmp_path):
    if not os.path.isdir("/proc"):
        pytest.skip("no /proc here")
    with pytest.raises(
        OutputError, match=r"cannot write /proc/x.jsonl: no file can be made in /proc"
    ):
        check_writable("/proc/x.jsonl")


def test_check_writable_leaves_nothing_and_an_existing_file_alone(tmp_path):
    path = tmp_path / "keep.txt"
    path.write_text("mine")
    check_writable(path)
    check_writable(tmp_path / "new.txt")
    assert os.listdir(tmp_path) == ["keep.txt"]
    assert path.read_text() == "mine"


def test_pending_commit_and_discard(tmp_path):
    done = Pending(tmp_path / "a.bin")
    done.tmp.write_bytes(b"a")
    assert done.commit().read_bytes() == b"a"
    dropped = Pending(tmp_path / "b.bin")
    dropped.discard()
    assert os.listdir(tmp_path) == ["a.bin"]


def test_make_folder_makes_parents_and_says_why_it_cannot(tmp_path):
    from fkd_live.core.files import make_folder

    assert make_folder(tmp_path / "a" / "b").is_dir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match=r"cannot make folder .*file.*: "):
        make_folder(tmp_path / "file" / "sub")  # a file where a folder should be
