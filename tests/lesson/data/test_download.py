"""Downloads through a loopback HTTP server: a good archive, a wrong checksum, a truncated transfer, a corrupt cache."""

import hashlib
import io
import tarfile

import numpy as np
import pytest
from loopback_server import LoopbackServer
from PIL import Image

import lesson.data.images
from lesson.config import Settings
from lesson.data.download import ChecksumMismatch, DownloadError, download
from lesson.data.images import LESSON_CLASSES, fetch_imagenette, load_imagenette
from lesson.data.prepare import choose_images


def _archive(per_class=3) -> bytes:
    """A miniature imagenette2-160.tgz: the four lesson classes plus one other, train and val."""
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for split in ["train", "val"]:
            for wnid in [*LESSON_CLASSES, "n01440764"]:
                for index in range(per_class):
                    image = Image.fromarray(rng.integers(0, 256, (160, 200, 3), dtype=np.uint8))
                    data = io.BytesIO()
                    image.save(data, format="JPEG")
                    info = tarfile.TarInfo(f"imagenette2-160/{split}/{wnid}/{wnid}_{index:04d}.JPEG")
                    info.size = len(data.getvalue())
                    tar.addfile(info, io.BytesIO(data.getvalue()))
    return buffer.getvalue()


def _serve(body: bytes, truncate_to: int | None = None) -> LoopbackServer:
    """Serves the archive as imagenette2-160.tgz."""
    return LoopbackServer(body, "imagenette2-160.tgz", truncate_to=truncate_to)


@pytest.fixture(scope="module")
def archive() -> bytes:
    return _archive()


def test_good_archive_downloads_once_with_progress_and_extracts_only_lesson_classes(tmp_path, archive, monkeypatch):
    monkeypatch.setattr(lesson.data.images, "IMAGENETTE_MD5S", (hashlib.md5(archive).hexdigest(),))
    progress = []
    with _serve(archive) as server:
        val_dir = fetch_imagenette(tmp_path, server.url, progress=lambda done, total: progress.append((done, total)))
        assert sorted(path.name for path in val_dir.iterdir()) == sorted(LESSON_CLASSES)
        assert progress[-1] == (len(archive), len(archive))
        fetch_imagenette(tmp_path, server.url)
        assert server.requests == 1  # the second call used the cache
    images = load_imagenette(val_dir, per_class=3)
    assert images.source == "imagenette" and images.n_images == 12
    assert images.class_names == tuple(LESSON_CLASSES.values())


def test_wrong_checksum_is_reported_and_nothing_is_kept(tmp_path, archive):
    with _serve(archive) as server, pytest.raises(ChecksumMismatch, match="md5"):
        download(server.url, tmp_path / "file.tgz", expected_md5=["0" * 32])
    assert list(tmp_path.iterdir()) == []


def test_truncated_transfer_is_detected_and_nothing_is_kept(tmp_path, archive):
    with _serve(archive, truncate_to=len(archive) // 2) as server, \
            pytest.raises(DownloadError, match="truncated|broke off"):
        download(server.url, tmp_path / "file.tgz", expected_md5=[hashlib.md5(archive).hexdigest()])
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_cached_file_is_fetched_again(tmp_path, archive):
    target = tmp_path / "file.tgz"
    target.write_bytes(archive[:100])  # a partial earlier download
    with _serve(archive) as server:
        download(server.url, target, expected_md5=[hashlib.md5(archive).hexdigest()])
        assert server.requests == 1
    assert target.read_bytes() == archive


def test_unreachable_server_falls_back_to_synthetic_with_a_notice(tmp_path):
    settings = Settings(cache_dir=tmp_path, imagenette_url="http://127.0.0.1:9/none.tgz", images_per_class=10)
    images, notices = choose_images(settings)
    assert images.source == "synthetic"
    assert "could not be fetched" in notices[0] and str(tmp_path) in notices[0] and "synthetic" in notices[0]


def test_required_lesson_images_fail_instead_of_falling_back(tmp_path):
    from lesson.data.errors import SourceUnavailable

    settings = Settings(cache_dir=tmp_path, offline=True)
    with pytest.raises(SourceUnavailable, match="Imagenette"):
        choose_images(settings, require_lesson_images=True)
