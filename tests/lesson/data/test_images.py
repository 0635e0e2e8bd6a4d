"""Stimuli: preprocessing matches torchvision, folders load robustly, synthetic images are deterministic."""

import numpy as np
import pytest
from PIL import Image

from lesson.data.images import ImageSourceError, load_folder, make_synthetic, preprocess, to_network_input


def _write_image(path, colour=(200, 30, 30), size=(300, 200), mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, colour)
    if mode != "RGB":
        image = image.convert(mode)
    image.save(path)
    return path


def test_preprocessing_matches_the_weights_own_transforms():
    from torchvision.models import AlexNet_Weights

    rng = np.random.default_rng(0)
    transforms = AlexNet_Weights.IMAGENET1K_V1.transforms()
    for size in [(320, 240), (160, 213), (500, 500), (72, 90)]:
        image = Image.fromarray(rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8))
        expected = transforms(image).numpy()
        got = to_network_input(preprocess(image)[None])[0]
        np.testing.assert_allclose(got, expected, atol=1e-6)


def test_display_images_are_uint8_rgb_224():
    image = preprocess(Image.new("RGB", (400, 300), (10, 20, 30)))
    assert image.shape == (224, 224, 3) and image.dtype == np.uint8
    assert tuple(image[100, 100]) == (10, 20, 30)


@pytest.mark.parametrize("mode", ["L", "P", "CMYK", "RGBA", "LA"])
def test_other_colour_modes_become_rgb(tmp_path, mode):
    suffix = ".jpg" if mode in ("L", "CMYK") else ".png"
    _write_image(tmp_path / "a" / f"x{suffix}", colour=(102, 102, 102), mode=mode)  # 102 is in the web palette
    images = load_folder(tmp_path)
    assert images.display.shape == (1, 224, 224, 3)
    assert abs(int(images.display[0, 112, 112, 0]) - 102) <= 3


def test_exif_orientation_is_applied(tmp_path):
    image = Image.new("RGB", (300, 200), (0, 0, 0))
    image.paste((255, 0, 0), (0, 0, 150, 200))  # left half red
    exif = Image.Exif()
    exif[0x0112] = 3  # rotated 180 degrees: the red half must end up on the right
    (tmp_path / "c").mkdir()
    image.save(tmp_path / "c" / "rotated.jpg", exif=exif)
    display = load_folder(tmp_path).display[0]
    assert display[112, 10, 0] < 60 and display[112, 210, 0] > 200


def test_folder_order_labels_and_manifest(tmp_path):
    for class_name in ["zebra", "ant"]:
        for index in [2, 0, 1]:
            _write_image(tmp_path / class_name / f"{index}.png", colour=(index * 50, 0, 0))
    images = load_folder(tmp_path, per_class=2)
    assert images.class_names == ("ant", "zebra")
    assert images.names == ("ant/0.png", "ant/1.png", "zebra/0.png", "zebra/1.png")
    assert list(images.labels) == [0, 0, 1, 1]
    again = load_folder(tmp_path, per_class=2)
    assert again.manifest_sha256 == images.manifest_sha256
    _write_image(tmp_path / "ant" / "0.png", colour=(1, 2, 3))
    assert load_folder(tmp_path, per_class=2).manifest_sha256 != images.manifest_sha256


def test_unreadable_file_is_skipped_and_named(tmp_path):
    _write_image(tmp_path / "a" / "good.png")
    (tmp_path / "a" / "broken.jpg").write_bytes(b"this is not a jpeg")
    images = load_folder(tmp_path)
    assert images.names == ("a/good.png",)
    assert images.skipped == ("a/broken.jpg (it is not an image Pillow can read)",)


def test_empty_class_is_a_clear_error(tmp_path):
    _write_image(tmp_path / "a" / "good.png")
    (tmp_path / "b").mkdir()
    with pytest.raises(ImageSourceError, match="no readable images"):
        load_folder(tmp_path)


@pytest.mark.parametrize("make, match", [
    (lambda root: root, "no class sub-folders"),
    (lambda root: root / "missing", "does not exist"),
])
def test_empty_or_missing_folder_is_a_clear_error(tmp_path, make, match):
    with pytest.raises(ImageSourceError, match=match):
        load_folder(make(tmp_path))


def test_synthetic_images_are_deterministic_with_class_and_colour_structure():
    first, second = make_synthetic(per_class=12), make_synthetic(per_class=12)
    np.testing.assert_array_equal(first.display, second.display)
    assert first.manifest_sha256 == second.manifest_sha256
    assert first.display.shape == (48, 224, 224, 3) and list(np.bincount(first.labels)) == [12] * 4
    red_minus_blue = first.display[..., 0].mean(axis=(1, 2)) - first.display[..., 2].mean(axis=(1, 2))
    for label in range(4):  # tints vary within every class, from bluish to reddish
        values = red_minus_blue[first.labels == label]
        assert values.min() < -10 and values.max() > 10
