"""Weights identified by content: the pretrained file is the one whose sha256 checks, wherever it lies and whatever
its name; a cached file that fails the check is moved aside and fetched again (a loopback server stands in)."""

import hashlib
import os
import subprocess
import sys

import pytest
import torch
from loopback_server import LoopbackServer

import lesson.data.download
import lesson.data.weights
from lesson.config import Settings
from lesson.data.errors import SourceUnavailable
from lesson.data.weights import (
    PRETRAINED_FILE,
    PRETRAINED_SHA256_PREFIX,
    PRETRAINED_URL,
    choose_weights,
    is_pretrained_digest,
    weights_sha256,
)


def _random_state_dict(path, seed=1):
    """A loadable random AlexNet state dict in a few hundred KB (each tensor a strided view of a short vector)."""
    from torchvision.models import alexnet

    generator = torch.Generator().manual_seed(seed)
    state = {name: torch.randn(sum(size - 1 for size in tensor.shape) + 1, generator=generator)
             .as_strided(tensor.shape, (1,) * tensor.ndim) for name, tensor in alexnet(weights=None).state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    return path


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    home = tmp_path / "torch"
    monkeypatch.setenv("TORCH_HOME", str(home))
    return home


def _settings(tmp_path, **changes) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", images="synthetic", offline=True, **changes)


def test_the_url_file_name_and_hash_prefix_are_torchvisions():
    from torch.hub import HASH_REGEX
    from torchvision.models import AlexNet_Weights

    weights = AlexNet_Weights.IMAGENET1K_V1
    assert PRETRAINED_URL == weights.url == Settings().weights_url
    assert PRETRAINED_FILE == os.path.basename(weights.url) == "alexnet-owt-7be5be79.pth"
    assert PRETRAINED_SHA256_PREFIX == HASH_REGEX.search(PRETRAINED_FILE).group(1) == "7be5be79"
    assert is_pretrained_digest("7be5be79" + "0" * 56) and not is_pretrained_digest("0" * 64)


def test_a_file_is_recognised_by_its_content_wherever_it_lies_and_whatever_its_name(tmp_path, monkeypatch):
    weights_file = tmp_path / "somewhere" / "my-weights.bin"
    weights_file.parent.mkdir()
    weights_file.write_bytes(b"a small file standing in for the 233 MB one")
    settings = _settings(tmp_path, weights=str(weights_file))
    assert choose_weights(settings)[0].kind == "file"
    monkeypatch.setattr(lesson.data.weights, "PRETRAINED_SHA256_PREFIX", _sha256(weights_file)[:8])
    weights, notices = choose_weights(settings, require_pretrained=True)
    assert weights.kind == "pretrained" and weights.id == "AlexNet_Weights.IMAGENET1K_V1" and notices == []
    assert weights.sha256 == _sha256(weights_file) and weights.path == weights_file


def test_a_random_state_dict_under_the_pretrained_name_is_only_a_weights_file(tmp_path, torch_home):
    impostor = _random_state_dict(tmp_path / "elsewhere" / PRETRAINED_FILE)
    settings = _settings(tmp_path, weights=str(impostor))
    weights, notices = choose_weights(settings)
    assert weights.kind == "file" and not weights.is_pretrained and weights.sha256 == _sha256(impostor)
    assert "not the pretrained IMAGENET1K_V1 file" in notices[0] and "7be5be79" in notices[0]
    with pytest.raises(SourceUnavailable, match="pretrained weights were required, but .* not the pretrained"):
        choose_weights(settings, require_pretrained=True)
    assert impostor.is_file()  # a file the user named is never moved


def test_a_random_state_dict_in_torchs_cache_is_moved_aside_never_called_pretrained(tmp_path, torch_home):
    cached = _random_state_dict(torch_home / "hub" / "checkpoints" / PRETRAINED_FILE)
    original = _sha256(cached)
    weights, notices = choose_weights(_settings(tmp_path, weights="pretrained"))  # offline: cannot fetch again
    assert weights.kind == "random"
    assert not cached.exists()
    aside = list(cached.parent.glob(f"{PRETRAINED_FILE}.bad-*"))
    assert len(aside) == 1 and _sha256(aside[0]) == original
    assert "moved aside" in notices[0] and aside[0].name in notices[0]
    assert "could not be fetched" in notices[1] and "untrained AlexNet" in notices[1]


def test_required_pretrained_refuses_a_cached_impostor(tmp_path, torch_home):
    _random_state_dict(torch_home / "hub" / "checkpoints" / PRETRAINED_FILE)
    with pytest.raises(SourceUnavailable, match="moved aside.*could not be fetched"):
        choose_weights(_settings(tmp_path, weights="pretrained"), require_pretrained=True)


def test_prepare_cli_refuses_an_impostor_under_require_pretrained_with_exit_2(tmp_path):
    impostor = _random_state_dict(tmp_path / PRETRAINED_FILE)
    env = {"LESSON_CACHE_DIR": str(tmp_path / "cache"), "TORCH_HOME": str(tmp_path / "torch"), "LESSON_OFFLINE": "1",
           "LESSON_WEIGHTS": str(impostor), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "lesson", "prepare", "--require-pretrained"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert "not the pretrained IMAGENET1K_V1 file" in result.stderr and "Traceback" not in result.stderr


def test_a_corrupt_cached_file_is_moved_aside_and_fetched_again_once(tmp_path, torch_home, monkeypatch):
    genuine = _random_state_dict(tmp_path / "served.pth", seed=5)  # plays the real file: its hash is made expected
    monkeypatch.setattr(lesson.data.weights, "PRETRAINED_SHA256_PREFIX", _sha256(genuine)[:8])
    cached = torch_home / "hub" / "checkpoints" / PRETRAINED_FILE
    cached.parent.mkdir(parents=True)
    cached.write_bytes(genuine.read_bytes()[:5000])  # a download that broke off
    with LoopbackServer(genuine.read_bytes(), PRETRAINED_FILE) as server:
        settings = Settings(cache_dir=tmp_path / "cache", images="synthetic", weights="pretrained",
                            weights_url=server.url)
        weights, notices = choose_weights(settings, progress=lambda done, total: None)
        assert weights.kind == "pretrained" and weights.path == cached and _sha256(cached) == _sha256(genuine)
        assert len(notices) == 1 and "moved aside" in notices[0] and "fetched again" in notices[0]
        assert server.requests == 1
        again, notices = choose_weights(settings)
        assert again == weights and notices == [] and server.requests == 1  # a good cached file is not fetched
    from lesson.data.network import build_model

    model = build_model(weights)
    assert all(torch.equal(model.state_dict()[name], tensor) for name, tensor in torch.load(genuine).items())


def test_the_weights_url_comes_from_the_environment():
    assert Settings.from_env({"LESSON_WEIGHTS_URL": "http://127.0.0.1:1/x.pth"}).weights_url == "http://127.0.0.1:1/x.pth"


def test_the_digest_is_computed_once_per_file_version(tmp_path, monkeypatch):
    weights_file = tmp_path / "w.pth"
    weights_file.write_bytes(b"first version")
    cache = tmp_path / "cache"
    first = weights_sha256(weights_file, cache)
    assert first == _sha256(weights_file) and (cache / "file-digests.json").is_file()
    calls = []
    real_digest = lesson.data.download.file_digest
    monkeypatch.setattr(lesson.data.weights, "file_digest", lambda *args: calls.append(args) or real_digest(*args))
    assert weights_sha256(weights_file, cache) == first and calls == []  # remembered: not read again
    weights_file.write_bytes(b"second version, another size")
    assert weights_sha256(weights_file, cache) == _sha256(weights_file) != first and len(calls) == 1
    (cache / "file-digests.json").write_text("{not json")
    assert weights_sha256(weights_file, cache) == _sha256(weights_file)  # a damaged store is only a cache miss
