"""Network: eval mode, the layer table, and activation extraction that in-place ReLUs cannot corrupt."""

import numpy as np
import pytest
import torch

from lesson.data.images import make_synthetic
from lesson.data.layers import LAYER_PATHS, LAYERS
from lesson.data.network import (
    build_model,
    extract_activations,
    layer_table,
    memory_order_view,
    stream_layer_outputs,
    unit_subsample,
)
from lesson.data.weights import WeightsInfo


@pytest.fixture(scope="module")
def model():
    return build_model(WeightsInfo("random", "random(seed=0)", "x", "test", seed=0))


@pytest.fixture(scope="module")
def display():
    return make_synthetic(per_class=3).display[:6]


def test_model_is_in_eval_mode_and_random_weights_are_reproducible(model):
    assert not model.training
    again = build_model(WeightsInfo("random", "random(seed=0)", "x", "test", seed=0))
    for (name, a), (_, b) in zip(model.state_dict().items(), again.state_dict().items()):
        assert torch.equal(a, b), name


def test_layer_table_has_21_modules_with_conventional_names_and_units(model):
    table = layer_table(model)
    assert [row["path"] for row in table] == list(LAYER_PATHS)
    assert [row["name"] for row in table][:3] == ["conv1", "relu1", "pool1"] and table[-1]["name"] == "fc8"
    units = {row["name"]: row["n_units"] for row in table}
    assert units["conv1"] == 193_600 and units["pool5"] == 9_216 and units["fc6"] == 4_096 and units["fc8"] == 1_000
    assert table[0]["shape"] == [64, 55, 55] and table[0]["module"] == "Conv2d"


def test_conv_outputs_keep_their_negative_values(model, display):
    activations = extract_activations(model, display, ["features.0", "features.1", "classifier.1", "classifier.2"])
    assert activations["features.0"].min() < 0 and activations["classifier.1"].min() < 0
    np.testing.assert_array_equal(activations["features.1"], np.maximum(activations["features.0"], 0))
    assert not np.array_equal(activations["features.0"], activations["features.1"])


def test_the_uncopied_pitfall_really_loses_the_negatives(model, display):
    buggy = extract_activations(model, display, ["features.0"], copy_outputs=False)
    assert buggy["features.0"].min() == 0.0


def test_eval_mode_dropout_is_the_identity(model, display):
    activations = extract_activations(model, display, ["avgpool", "classifier.0", "classifier.2", "classifier.3"])
    np.testing.assert_array_equal(activations["classifier.0"], activations["avgpool"].reshape(len(display), -1))
    np.testing.assert_array_equal(activations["classifier.3"], activations["classifier.2"])


def test_batching_does_not_change_the_result(model, display):
    one_batch = extract_activations(model, display, ["features.12"], batch_size=6)
    small_batches = extract_activations(model, display, ["features.12"], batch_size=2)
    np.testing.assert_allclose(one_batch["features.12"], small_batches["features.12"], rtol=1e-5, atol=1e-6)


def test_streaming_gives_every_layer_as_extraction_does_and_leaves_the_model_as_it_was(model, display):
    layouts = {name: parameter.stride() for name, parameter in model.named_parameters()}
    expected = extract_activations(model, display)
    streamed = {path: np.zeros_like(values) for path, values in expected.items()}
    strides = {}

    def consume(path, rows, output):
        strides[path] = output.stride()
        streamed[path][rows] = output.numpy()

    stream_layer_outputs(model, display, consume, batch_size=4)
    for path, values in expected.items():
        np.testing.assert_allclose(streamed[path], values, rtol=1e-4, atol=1e-5 * np.abs(values).max(), err_msg=path)
    assert strides["features.0"][1] == 1  # the pass ran channels-last (the faster layout for oneDNN)
    assert {name: parameter.stride() for name, parameter in model.named_parameters()} == layouts


@pytest.mark.parametrize("channels_last", [False, True])
def test_memory_order_columns_pick_the_same_units_as_a_reshape(channels_last):
    values = np.random.default_rng(0).normal(size=(3, 5, 4, 6)).astype(np.float32)  # (batch, C, H, W)
    tensor = torch.from_numpy(values)
    if channels_last:
        tensor = tensor.contiguous(memory_format=torch.channels_last)
    stored = tensor.numpy()
    assert stored.flags.c_contiguous != channels_last
    view, columns = memory_order_view(stored)
    assert np.shares_memory(view, stored)  # no copy
    units = np.array([0, 7, 30, 31, 119, 64, 5])
    np.testing.assert_array_equal(view[:, columns(units)], values.reshape(3, -1)[:, units])
    flat = np.random.default_rng(1).normal(size=(3, 10))
    view, columns = memory_order_view(flat)
    np.testing.assert_array_equal(view[:, columns(np.arange(10))], flat)


def test_unit_subsample_is_stable_nested_and_independent_of_other_layers(model, display):
    first = unit_subsample("features.3", 139_968, 1000)
    assert len(set(first)) == 1000 and first.max() < 139_968
    np.testing.assert_array_equal(first, unit_subsample("features.3", 139_968, 1000))
    np.testing.assert_array_equal(unit_subsample("features.3", 139_968, 3000)[:1000], first)
    assert not np.array_equal(first, unit_subsample("features.4", 139_968, 1000))
    assert len(unit_subsample("classifier.6", 1000, 3000)) == 1000  # fewer units than asked: all of them
    alone = extract_activations(model, display, ["features.3"], n_units=1000)["features.3"]
    together = extract_activations(model, display, ["classifier.6", "features.3", "features.0"], n_units=1000)
    np.testing.assert_array_equal(alone, together["features.3"])
    full = extract_activations(model, display, ["features.3"])["features.3"].reshape(len(display), -1)
    np.testing.assert_array_equal(alone, full[:, first])


def test_unknown_layer_is_a_clear_error(model, display):
    with pytest.raises(KeyError, match="valid layers"):
        extract_activations(model, display, ["features.99"])


def test_layer_names_cover_every_module(model):
    modules = dict(model.named_modules())
    assert all(layer.path in modules for layer in LAYERS)
    assert len(LAYERS) == 21


def test_the_model_is_torchvisions_alexnet_with_its_standard_random_initialisation():
    """build_model calls torchvision.models.alexnet: "random(seed=7)" is torchvision's init after manual_seed(7)."""
    import torchvision

    ours = build_model(WeightsInfo("random", "random(seed=7)", "x", "test", seed=7))
    torch.manual_seed(7)
    theirs = torchvision.models.alexnet(weights=None).eval()
    assert type(ours) is torchvision.models.AlexNet
    assert all(torch.equal(ours.state_dict()[name], tensor) for name, tensor in theirs.state_dict().items())
    assert [module.inplace for module in ours.modules() if isinstance(module, torch.nn.ReLU)] == [True] * 7
    images = torch.randn(2, 3, 224, 224)
    with torch.inference_mode():
        assert torch.equal(ours(images), theirs(images))


def test_the_network_input_is_the_weights_own_transforms():
    """Display images (resize 256 + centre crop 224 in images.preprocess) normalised by network_input equal
    AlexNet_Weights.IMAGENET1K_V1.transforms() applied to the original picture."""
    from PIL import Image
    from torchvision.models import AlexNet_Weights

    from lesson.data.images import preprocess, to_network_input
    from lesson.data.network import network_input

    rng = np.random.default_rng(3)
    transforms = AlexNet_Weights.IMAGENET1K_V1.transforms()
    pictures = [Image.fromarray(rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)) for h, w in [(240, 320), (300, 260)]]
    display = np.stack([preprocess(picture) for picture in pictures])
    expected = torch.stack([transforms(picture) for picture in pictures])
    torch.testing.assert_close(network_input(display), expected, atol=1e-6, rtol=0)
    np.testing.assert_allclose(to_network_input(display), expected.numpy(), atol=1e-6)  # the numpy twin, too


def test_imagenet_categories_are_the_weights_metadata():
    from torchvision.models import AlexNet_Weights

    from lesson.data.network import imagenet_categories

    categories = imagenet_categories()
    assert categories == AlexNet_Weights.IMAGENET1K_V1.meta["categories"] and len(categories) == 1000
    assert {"chain saw", "French horn", "gas pump", "golf ball"} <= set(categories)


@pytest.mark.parametrize("legacy_format", [False, True])
def test_a_weights_file_is_loaded_without_initialising_first(tmp_path, legacy_format):
    """Zip-format files are memory-mapped; legacy-format ones (torchvision's original checkpoint may be one) read."""
    from torchvision.models import alexnet

    torch.manual_seed(11)
    saved = alexnet(weights=None).state_dict()
    path = tmp_path / "weights.pth"
    torch.save(saved, path, _use_new_zipfile_serialization=not legacy_format)
    model = build_model(WeightsInfo("file", path.name, "-", "-", path=path))
    assert not model.training
    assert all(torch.equal(model.state_dict()[name], tensor) for name, tensor in saved.items())
    assert {parameter.device.type for parameter in model.parameters()} == {"cpu"}


def test_a_file_that_is_not_an_alexnet_state_dict_is_a_clear_error(tmp_path):
    from lesson.data.network import WeightsError

    path = tmp_path / "other.pth"
    torch.save({"features.0.weight": torch.zeros(3, 3)}, path)
    with pytest.raises(WeightsError, match="is not an AlexNet state dict"):
        build_model(WeightsInfo("file", path.name, "-", "-", path=path))
    path.write_bytes(b"not a torch file")
    with pytest.raises(WeightsError, match="is not a readable torch file"):
        build_model(WeightsInfo("file", path.name, "-", "-", path=path))


def test_the_modules_the_app_uses_import_neither_torch_nor_torchvision():
    """The app chooses sources and reads banks without torch; only the build worker imports the network."""
    import subprocess
    import sys

    code = ("import sys, lesson.data.bank, lesson.data.prepare, lesson.data.weights, lesson.data.bank_index; "
            "print('torch' in sys.modules, 'torchvision' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False False"
