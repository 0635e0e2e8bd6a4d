"""The activation bank: contents, reuse without a forward pass, provenance, and the pretrained path offline."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

import lesson.data.network
from lesson.config import Settings
from lesson.data.layers import LAYER_PATHS
from lesson.data.network import build_model, extract_activations
from lesson.data.prepare import prepare_bank
from lesson.data.weights import PRETRAINED_FILE, choose_weights
from solutions.stimuli import pick_redness_extrema, redness


def test_bank_contents_match_a_direct_extraction(bank, stand_in_settings):
    assert bank.layer_paths == LAYER_PATHS and len(bank.layer_table) == 21
    assert bank.images.shape == (400, 224, 224, 3) and bank.labels.shape == (400,)
    np.testing.assert_array_equal(np.bincount(bank.labels), [100] * 4)  # PCA: the first 100 of each class
    np.testing.assert_allclose(bank.redness, redness(bank.images.transpose(0, 3, 1, 2) / 255.0), atol=1e-6)
    np.testing.assert_array_equal(bank.rsa_indices, pick_redness_extrema(bank.redness, bank.labels))
    assert bank.rsa_indices.shape == (40,)
    assert all(position % 100 < 40 for position in bank.rsa_indices)  # RSA: among the first 40 of each class
    from lesson.data.prepare import resolve_sources

    model = build_model(resolve_sources(stand_in_settings).weights)
    direct = extract_activations(model, np.asarray(bank.images)[bank.rsa_indices[:4]], ["features.0", "classifier.6"])
    np.testing.assert_allclose(bank.rsa_activations("features.0")[:4], direct["features.0"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bank.rsa_activations("classifier.6")[:4], direct["classifier.6"], rtol=1e-4, atol=1e-5)
    assert bank.rsa_activations("features.0").min() < 0  # stored conv output kept its negatives
    assert bank.pca_activations("features.0").shape == (400, 1000)
    assert bank.pca_activations("classifier.6", n_units=3000).shape == (400, 1000)
    assert bank.pca_activations("features.3", n_units=3000).shape == (400, 3000)


def test_bank_holds_each_images_top5_imagenet_classes(bank):
    """fc8's softmax top 5, most probable first, named by the weights' metadata (checked against a direct pass)."""
    from torchvision.models import AlexNet_Weights

    classes, probabilities = bank.top5
    assert classes.shape == probabilities.shape == (400, 5)
    assert bank.categories == tuple(AlexNet_Weights.IMAGENET1K_V1.meta["categories"]) and len(bank.categories) == 1000
    assert np.all(np.diff(probabilities, axis=1) <= 0) and np.all(probabilities > 0)
    fc8 = bank.rsa_activations("classifier.6").astype(np.float64)  # (40, 1000) scores of the RSA images
    softmax = np.exp(fc8 - fc8.max(axis=1, keepdims=True))
    softmax /= softmax.sum(axis=1, keepdims=True)
    rows = bank.rsa_indices
    np.testing.assert_array_equal(classes[rows, 0], softmax.argmax(axis=1))
    np.testing.assert_allclose(probabilities[rows], np.take_along_axis(softmax, classes[rows], axis=1), rtol=1e-4)
    np.testing.assert_array_equal(bank.first_per_class(3), [0, 1, 2, 100, 101, 102, 200, 201, 202, 300, 301, 302])


def test_bank_pitfall_activations_are_the_in_place_relu_bug(bank):
    sources = dict(zip(bank.layer_paths, bank.pitfall_sources))
    assert sources["features.0"] == "features.1" and sources["classifier.1"] == "classifier.2"
    assert sources["features.2"] == "features.2" and sources["classifier.6"] == "classifier.6"
    assert bank.pitfall_activations("features.0").min() == 0.0


def test_provenance_records_sources_and_stand_ins(bank):
    provenance = bank.provenance
    assert provenance["weights"]["kind"] == "random" and provenance["images"]["source"] == "synthetic"
    assert len(provenance["images"]["names"]) == 400 and provenance["pca_units"] == 1000
    assert provenance["pca_per_class"] == 100 and provenance["per_class"] == 40
    assert "resize_size=[256]" in provenance["transforms"] and "crop_size=[224]" in provenance["transforms"]
    assert {"numpy", "torch", "python"} <= set(provenance["versions"])
    assert not bank.is_pretrained and not bank.is_lesson_images


def test_second_prepare_reuses_the_bank_without_a_forward_pass(bank, stand_in_settings, monkeypatch):
    def no_forward(*args, **kwargs):
        raise AssertionError("the bank was rebuilt")

    monkeypatch.setattr(lesson.data.network, "iter_layer_outputs", no_forward)
    monkeypatch.setattr(lesson.data.network, "build_model", no_forward)
    again, _ = prepare_bank(stand_in_settings)
    assert again.path == bank.path


def test_loading_a_bank_does_not_import_torch(bank, stand_in_env):
    code = ("import sys; from lesson.config import Settings; from lesson.data.prepare import prepare_bank; "
            "b, _ = prepare_bank(Settings.from_env()); b.rsa_activations('features.0').sum(); "
            "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], env={**stand_in_env, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_pretrained_path_loads_a_state_dict_from_torchs_cache(tmp_path, monkeypatch):
    """No network: a state dict placed where torch's cache expects IMAGENET1K_V1, whose sha256 is made the
    expected one (the real file cannot be had here), is loaded as 'pretrained', as torchvision itself loads it."""
    import lesson.data.weights
    from lesson.data.download import file_digest

    torch_home = tmp_path / "torch"
    checkpoint = torch_home / "hub" / "checkpoints" / PRETRAINED_FILE
    checkpoint.parent.mkdir(parents=True)
    torch.manual_seed(123)
    from torchvision.models import AlexNet_Weights, alexnet

    stand_in = alexnet(weights=None)
    torch.save(stand_in.state_dict(), checkpoint)
    monkeypatch.setenv("TORCH_HOME", str(torch_home))
    monkeypatch.setattr(lesson.data.weights, "PRETRAINED_SHA256_PREFIX", file_digest(checkpoint, "sha256")[:8])
    settings = Settings(cache_dir=tmp_path / "cache", images="synthetic", weights="pretrained", offline=True,
                        images_per_class=10, pca_images_per_class=12, stored_units=1000)
    weights, notices = choose_weights(settings, require_pretrained=True)
    assert weights.kind == "pretrained" and notices == [] and weights.path == checkpoint
    model = build_model(weights)
    standard = alexnet(weights=AlexNet_Weights.IMAGENET1K_V1)  # torchvision's own call reads the same cached file
    for name, tensor in standard.state_dict().items():
        assert torch.equal(model.state_dict()[name], tensor), name
    built, _ = prepare_bank(settings)
    assert built.is_pretrained and built.provenance["weights"]["id"] == "AlexNet_Weights.IMAGENET1K_V1"
    assert built.provenance["images"]["n_images"] == 48 and built.rsa_indices.shape == (40,)


def test_prepare_cli_requires_pretrained_with_exit_2(tmp_path):
    env = {"LESSON_CACHE_DIR": str(tmp_path), "TORCH_HOME": str(tmp_path / "torch"), "LESSON_OFFLINE": "1",
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "lesson", "prepare", "--require-pretrained"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "Pretrained AlexNet weights could not be fetched" in result.stderr
    assert str(tmp_path / "torch" / "hub" / "checkpoints") in result.stderr


def test_prepare_cli_prints_provenance_with_stand_ins(bank, stand_in_env):
    result = subprocess.run([sys.executable, "-m", "lesson", "prepare", "--json"], env={**stand_in_env,
                            "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, check=True)
    assert json.loads(result.stdout)["key"] == bank.key


def test_wrong_weights_file_is_a_clear_error(tmp_path):
    from lesson.data.network import WeightsError
    from lesson.data.weights import WeightsInfo

    bad = tmp_path / "weights.pth"
    torch.save({"not": torch.zeros(1)}, bad)
    with pytest.raises(WeightsError, match="not an AlexNet state dict"):
        build_model(WeightsInfo("file", "weights.pth", "x", "test", path=bad))
