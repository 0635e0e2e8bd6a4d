"""Checking a folder of the student's own images before the app builds a bank from it: every problem gets a
message that says what is wrong and how to fix it, and unreadable files are named."""

from __future__ import annotations

import pytest
from app_helpers import write_image_folder

from lesson.data.images import ImageSourceError, load_folder
from lesson.data.own_images import check_image_folder


def test_a_good_folder_lists_its_classes_as_load_folder_reads_them(tmp_path):
    root = write_image_folder(tmp_path / "mine", {"cats": 5, "dogs": 3})
    (root / ".hidden").mkdir()  # hidden folders are not classes
    (root / "dogs" / "notes.txt").write_text("not an image suffix: ignored")
    checked = check_image_folder(root)
    assert checked.root == root.resolve()
    assert checked.class_counts == (("cats", 5), ("dogs", 3)) and checked.unreadable == ()
    assert checked.summary() == "2 classes, 8 images: cats (5), dogs (3)"
    loaded = load_folder(root, per_class=40)
    assert loaded.class_names == ("cats", "dogs") and loaded.n_images == checked.n_images


def test_per_class_limits_the_count_and_unreadable_files_are_named(tmp_path):
    root = write_image_folder(tmp_path / "mine", {"cats": 6, "dogs": 6})
    (root / "cats" / "cats_00.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    png = (root / "dogs" / "dogs_01.png").read_bytes()
    (root / "dogs" / "dogs_01.png").write_bytes(png[: len(png) // 2])  # truncated: a good header, no pixels
    checked = check_image_folder(root, per_class=4)
    assert checked.class_counts == (("cats", 4), ("dogs", 4))
    assert [entry.split(" (")[0] for entry in checked.unreadable] == ["cats/cats_00.png", "dogs/dogs_01.png"]
    assert set(load_folder(root, per_class=4).skipped) == set(checked.unreadable)  # the same judgement


@pytest.mark.parametrize("make, want", [
    (lambda root: "", "Type the path of a folder"),
    (lambda root: root / "nowhere", "does not exist"),
    (lambda root: (root.mkdir(), (root / "file.jpg").write_bytes(b"x"), root / "file.jpg")[-1],
     "is a file, not a folder"),
    (lambda root: (root.mkdir(), root)[-1], "has no class sub-folders"),
    (lambda root: write_image_folder(root, {f"class{index}": 2 for index in range(9)}), "has 9 class sub-folders"),
    (lambda root: write_image_folder(root, {"cats": 4}), "only one class sub-folder \\('cats'\\)"),
    (lambda root: (write_image_folder(root, {"cats": 3}), (root / "dogs").mkdir(), root)[-1],
     r"class 'dogs' has no image files"),
    (lambda root: write_image_folder(root, {"cats": 3, "dogs": 1}), r"class 'dogs' has 1 usable image; at least 2 are"),
], ids=["empty", "nonexistent", "a file", "no classes", "too many classes", "one class", "empty class", "one image"])
def test_folder_problems_say_what_to_fix(tmp_path, make, want):
    with pytest.raises(ImageSourceError, match=want):
        check_image_folder(make(tmp_path / "mine"))


def test_a_class_of_unreadable_files_names_them(tmp_path):
    root = write_image_folder(tmp_path / "mine", {"cats": 3, "dogs": 2})
    for file in (root / "dogs").iterdir():
        file.write_bytes(b"not an image")
    with pytest.raises(ImageSourceError, match=r"could not be used: dogs/dogs_00.png \(it is not .*\); dogs/dogs_01"):
        check_image_folder(root)
