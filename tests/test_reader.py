"""Reading sources: encodings, line ends, folders, stdin and every kind of bad input."""

from __future__ import annotations

import pytest

from hfkg.errors import InputError
from hfkg.extract.reader import decode_bytes, expand_sources, iter_sources, read_file, sample_paths

TEXT = "計劃生育特殊家庭每人每月發放２００元，我們為他們提供服務。\n第二行"
SIMPLE = "计划生育特殊家庭每人每月发放２００元，我们为他们提供服务。\n第二行"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be"])
def test_detects_encoding(encoding: str) -> None:
    text = SIMPLE if encoding == "gb18030" else TEXT
    if encoding == "big5":
        text = TEXT
    src = decode_bytes(text.encode(encoding), "x.txt")
    assert src.text == text


def test_gbk_simplified_report_is_not_read_as_big5() -> None:
    src = decode_bytes(SIMPLE.encode("gbk"), "x.txt")
    assert src.text == SIMPLE


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_line_ends_become_lf(newline: str) -> None:
    src = decode_bytes("第一行\n第二行\n".replace("\n", newline).encode("utf-8"), "x.txt")
    assert src.text == "第一行\n第二行\n"


def test_explicit_encoding_and_errors() -> None:
    assert decode_bytes(TEXT.encode("big5"), "x.txt", "big5").text == TEXT
    with pytest.raises(InputError, match="not valid utf-8"):
        decode_bytes(TEXT.encode("big5"), "x.txt", "utf-8")
    with pytest.raises(InputError, match="unknown encoding"):
        decode_bytes(b"abc", "x.txt", "no-such-codec")


@pytest.mark.parametrize(("data", "message"), [
    (b"", "is empty"),
    (b"  \n\n ", "is empty"),
    (bytes(range(256)) * 4, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
])
def test_bad_bytes(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_bytes(data, "bad.txt")


def test_missing_file_and_empty_folder(tmp_path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_file(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="no such file or folder"):
        expand_sources([str(tmp_path / "missing")])
    (tmp_path / "notes.md").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"holds no \.txt files"):
        expand_sources([str(tmp_path)])


def test_folder_expands_sorted_and_skips_symlink_loops(tmp_path) -> None:
    (tmp_path / "b.txt").write_text("乙市报告", encoding="utf-8")
    (tmp_path / "a.txt").write_text("甲市报告", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path)
    names = [s.name for s in iter_sources([str(tmp_path)])]
    assert names == ["a.txt", "b.txt"]


def test_sample_ships_with_package() -> None:
    paths = sample_paths()
    assert paths and all(p.suffix == ".txt" for p in paths)
    assert "创建幸福家庭" in read_file(paths[0]).text
