"""Bad images and folders: bounded decoding, faithful colour modes, any file name, the same folder rules for
``prepare`` and the app's box (checked before torch is imported), and nothing left behind."""

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lesson.config import PROJECT_ROOT, Settings
from lesson.data.errors import DataError, SourceUnavailable
from lesson.data.images import MAX_PIXELS, ImageSourceError, UnusableImage, decode_image, load_folder
from lesson.data.own_images import check_image_folder
from lesson.data.prepare import choose_images


def _folder(root: Path, classes: dict[str, int], size=(64, 48)) -> Path:
    for name, count in classes.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for index in range(count):
            Image.new("RGB", size, (40 * index % 256, 90, 150)).save(root / name / f"{name}_{index:02d}.png")
    return root


def _tall_png(path: Path, width=1, height=30000) -> Path:
    Image.new("L", (width, height), 128).save(path, optimize=True)
    return path


def _png_claiming(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims ``width`` × ``height`` (its pixel data is a single row)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * (width + 1)))
                     + chunk(b"IEND", b""))
    return path


def test_a_1_by_30000_png_decodes_to_the_right_pixels_without_a_huge_resize(tmp_path):
    path = _tall_png(tmp_path / "tall.png")
    assert path.stat().st_size < 1000
    pixels = decode_image(path)
    assert pixels.shape == (224, 224, 3) and pixels.dtype == np.uint8
    assert np.all(np.abs(pixels.astype(int) - 128) <= 1)


def test_four_memory_bombs_in_a_folder_fit_in_a_small_address_space(tmp_path):
    """Resizing each 1×30000 PNG to 256×7,680,000 first needed ~8 GB each; under a 1.5 GB address-space limit
    the folder must still load (the bombs as real images) without a MemoryError."""
    root = _folder(tmp_path / "mine", {"a": 2, "b": 2})
    for index in range(4):
        _tall_png(tmp_path / "mine" / "a" / f"bomb{index}.png")
    script = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000));"
              "from lesson.data.images import load_folder; images = load_folder(sys.argv[1]);"
              "print(images.n_images, len(images.skipped))")
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["8", "0"]


def test_an_image_over_the_pixel_limit_is_refused_by_name_before_decoding(tmp_path):
    path = _png_claiming(tmp_path / "huge.png", 7000, 7000)
    assert 7000 * 7000 > MAX_PIXELS
    with pytest.raises(UnusableImage, match="7000 × 7000 pixels"):
        decode_image(path)
    root = _folder(tmp_path / "mine", {"a": 2, "b": 2})
    path.rename(root / "a" / "huge.png")
    images = load_folder(root)
    assert images.n_images == 4
    assert len(images.skipped) == 1 and images.skipped[0].startswith("a/huge.png (it is 7000 × 7000 pixels")


@pytest.mark.parametrize("mode, value, want", [
    ("I;16", 30000, round(30000 / 257)),  # 16-bit grayscale: scaled, not clipped to white
    ("I;16", 65535, 255),
    ("I;16", 0, 0),
])
def test_16_bit_grayscale_is_scaled_faithfully(tmp_path, mode, value, want):
    Image.fromarray(np.full((40, 50), value, dtype=np.uint16)).save(tmp_path / "deep.png")
    with Image.open(tmp_path / "deep.png") as image:
        assert image.mode in ("I;16", "I")  # what Pillow gives for a 16-bit grayscale PNG
    pixels = decode_image(tmp_path / "deep.png")
    assert np.all(np.abs(pixels.astype(int) - want) <= 1)


def test_16_bit_gradient_keeps_its_contrast(tmp_path):
    ramp = np.tile(np.linspace(0, 65535, 256).astype(np.uint16), (256, 1))
    Image.fromarray(ramp).save(tmp_path / "ramp.png")
    pixels = decode_image(tmp_path / "ramp.png")[..., 0].astype(int)
    assert pixels[:, 0].max() < 20 and pixels[:, -1].min() > 235  # dark on the left, bright on the right
    assert (pixels == 255).mean() < 0.05  # not almost all white


def test_alpha_is_composited_on_white_and_palette_cmyk_convert(tmp_path):
    rgba = Image.new("RGBA", (60, 60), (200, 0, 0, 0))  # fully transparent red: white
    rgba.save(tmp_path / "clear.png")
    assert np.all(decode_image(tmp_path / "clear.png") == 255)
    Image.new("LA", (60, 60), (0, 255)).save(tmp_path / "la.png")  # opaque black
    assert np.all(decode_image(tmp_path / "la.png") == 0)
    palette = Image.new("RGB", (60, 60), (0, 0, 255)).convert("P", palette=Image.Palette.ADAPTIVE)
    palette.save(tmp_path / "palette.png")
    assert np.all(np.abs(decode_image(tmp_path / "palette.png").astype(int) - (0, 0, 255)) <= 2)
    Image.new("RGB", (60, 60), (0, 200, 0)).convert("CMYK").save(tmp_path / "cmyk.jpg")
    assert np.all(np.abs(decode_image(tmp_path / "cmyk.jpg").astype(int) - (0, 200, 0)) <= 8)


def test_a_file_name_that_is_not_utf8_is_loaded_and_printable(tmp_path):
    root = _folder(tmp_path / "mine", {"a": 2, "b": 2})
    odd = os.fsdecode(b"caf\xe9-\xff.png")  # Latin-1 bytes: not UTF-8
    Image.new("RGB", (50, 50), (1, 2, 3)).save(root / "a" / odd)
    images = load_folder(root)
    assert images.n_images == 5
    assert "a/caf\ufffd-\ufffd.png" in images.names
    for name in images.names:
        name.encode("utf-8")  # printable and storable as JSON
    checked = check_image_folder(root)
    assert checked.class_counts == (("a", 3), ("b", 2))


@pytest.mark.parametrize("content, reason", [
    (b"not an image at all", "not an image Pillow can read"),
    ("truncated", "could not be decoded"),
])
def test_an_unusable_file_is_skipped_with_its_name_and_reason(tmp_path, content, reason):
    root = _folder(tmp_path / "mine", {"a": 3, "b": 2})
    if content == "truncated":
        data = (root / "a" / "a_01.png").read_bytes()
        content = data[: len(data) // 2]
    (root / "a" / "a_01.png").write_bytes(content)
    images = load_folder(root)
    assert images.n_images == 4
    assert len(images.skipped) == 1 and images.skipped[0].startswith("a/a_01.png (") and reason in images.skipped[0]
    assert check_image_folder(root).unreadable == images.skipped  # the same judgement, the same words


@pytest.mark.parametrize("classes, want", [
    ({"cat": 3, "dog": 1}, "class 'dog' has 1 usable image; at least 2 are needed"),
    ({"cat": 3}, "only one class sub-folder \\('cat'\\)"),
    ({f"c{index}": 2 for index in range(9)}, "has 9 class sub-folders"),
])
def test_prepare_and_the_app_box_apply_the_same_folder_rules(tmp_path, classes, want):
    root = _folder(tmp_path / "mine", classes)
    with pytest.raises(ImageSourceError, match=want):
        check_image_folder(root)
    settings = Settings(cache_dir=tmp_path / "cache", images=str(root), offline=True)
    with pytest.raises(SourceUnavailable, match=want) as raised:
        choose_images(settings)
    assert isinstance(raised.value, DataError) and "LESSON_IMAGES" in str(raised.value)


def test_the_folder_rules_are_checked_before_torch_is_imported(tmp_path):
    root = _folder(tmp_path / "mine", {"cat": 3, "dog": 1})
    script = ("import sys; from lesson.__main__ import main; code = main(['prepare', '--images', sys.argv[1], "
              "'--weights', 'random', '--offline']); print('torch' in sys.modules, code)")
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "LESSON_CACHE_DIR": str(tmp_path / "c")})
    assert done.stdout.split() == ["False", "2"], done.stderr
    assert "class 'dog' has 1 usable image" in done.stderr and "Traceback" not in done.stderr
    assert not list((tmp_path / "c").rglob("*.partial")) and not list((tmp_path / "c").rglob("*.part"))
