"""Atomic writes: complete or untouched, with the permissions open() would give."""

import os
import stat

import pytest

from twin.files import atomic_write, atomic_write_text


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_written_file_has_the_mode_of_a_plain_open(tmp_path, mask):
    old = os.umask(mask)
    try:
        path = atomic_write_text(tmp_path / "a.txt", "x")
        with open(tmp_path / "b.txt", "w") as fh:
            fh.write("x")
    finally:
        os.umask(old)
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode == 0o666 & ~mask
    assert mode == stat.S_IMODE((tmp_path / "b.txt").stat().st_mode)


def test_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path):
    path = atomic_write_text(tmp_path / "a.txt", "old")

    def broken(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, broken)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
