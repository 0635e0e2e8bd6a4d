"""Slow or stalled servers are abandoned with a message; a hand-placed archive is used offline when it
verifies and kept aside (reported) when it does not; nothing partial is left behind."""

import hashlib
import io
import tarfile
import threading
import time

import pytest
from loopback_server import LoopbackServer
from PIL import Image

import lesson.data.images
from lesson.config import Settings
from lesson.data.download import DownloadError, download
from lesson.data.images import LESSON_CLASSES
from lesson.data.prepare import choose_images


def _archive(per_class: int) -> bytes:
    """A miniature imagenette2-160.tgz: the four lesson classes' validation images."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for label, wnid in enumerate(LESSON_CLASSES):
            for index in range(per_class):
                data = io.BytesIO()
                Image.new("RGB", (200, 160), (60 * label, 100, 30 * index)).save(data, format="JPEG")
                info = tarfile.TarInfo(f"imagenette2-160/val/{wnid}/{wnid}_{index:04d}.JPEG")
                info.size = len(data.getvalue())
                tar.addfile(info, io.BytesIO(data.getvalue()))
    return buffer.getvalue()


class _DripServer(LoopbackServer):
    """Promises ``size`` bytes and sends one every ``interval`` seconds."""

    def __init__(self, size: int = 1000, interval: float = 0.2):
        super().__init__(file_name="slow.tgz")
        self.size, self.interval, self.stop = size, interval, threading.Event()

    def respond(self, handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(self.size))
        handler.end_headers()
        for _ in range(self.size):
            if self.stop.wait(self.interval):
                return
            try:
                handler.wfile.write(b"x")
                handler.wfile.flush()
            except OSError:
                return

    def __exit__(self, *exc):
        self.stop.set()
        super().__exit__(*exc)


def test_a_dripping_server_is_abandoned_at_the_deadline(tmp_path):
    with _DripServer() as server, pytest.raises(DownloadError, match="passed its deadline of 1 s"):
        started = time.monotonic()
        download(server.url, tmp_path / "file.tgz", expected_md5=["0" * 32], deadline=1.0, timeout=5.0)
    assert time.monotonic() - started < 30  # abandoned, not waited out (a generous bound, not a timing target)
    assert list(tmp_path.iterdir()) == []  # no .part left


def test_a_server_below_the_minimum_rate_is_abandoned(tmp_path):
    with _DripServer() as server, pytest.raises(DownloadError, match="too slow .* bytes/s"):
        download(server.url, tmp_path / "file.tgz", expected_md5=["0" * 32], grace=0.5, min_rate=1000.0)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def archive() -> bytes:
    return _archive(per_class=2)


def test_a_hand_placed_archive_is_used_offline(tmp_path, archive, monkeypatch):
    monkeypatch.setattr(lesson.data.images, "IMAGENETTE_MD5S", (hashlib.md5(archive).hexdigest(),))
    (tmp_path / "imagenette2-160.tgz").write_bytes(archive)
    settings = Settings(cache_dir=tmp_path, offline=True, images_per_class=2, pca_images_per_class=2,
                        imagenette_url="http://127.0.0.1:9/never-used.tgz")
    images, notices = choose_images(settings)
    assert images.source == "imagenette" and images.n_images == 8 and notices == []
    assert not list(tmp_path.glob(".*.extracting")) and not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("offline", [True, False], ids=["offline", "online"])
def test_a_hand_placed_archive_that_fails_its_checksum_is_kept_aside_and_reported(tmp_path, archive, offline):
    placed = tmp_path / "imagenette2-160.tgz"
    placed.write_bytes(archive[:5000])  # half-copied by hand
    settings = Settings(cache_dir=tmp_path, offline=offline, images_per_class=2,
                        imagenette_url="http://127.0.0.1:9/unreachable.tgz")
    images, notices = choose_images(settings)
    assert images.source == "synthetic"  # the stand-in, said in the notices
    rejected = tmp_path / "imagenette2-160.tgz.rejected"
    assert rejected.read_bytes() == archive[:5000] and not placed.exists()
    text = " ".join(notices)
    assert "did not verify" in text and str(rejected) in text and "md5" in text
    assert not list(tmp_path.glob(".*.part"))
