"""Bad weights files and settings through `python -m lesson prepare`: one message naming the file or setting,
what was expected and how to fix it, exit code 2, never a traceback nor advice to turn off ``weights_only``."""

import os

import pytest
import torch
from torch import nn
from torchvision.models import alexnet

from lesson.__main__ import main
from lesson.data.network import WeightsError, build_model
from lesson.data.weights import WeightsInfo


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo this should never run",))


def _write(kind: str, path):
    if kind == "random bytes":
        path.write_bytes(os.urandom(4096))
    elif kind == "another architecture":
        torch.save(nn.Linear(3, 2).state_dict(), path)
    elif kind == "truncated":
        torch.save(alexnet(weights=None).state_dict(), path)
        path.write_bytes(path.read_bytes()[:100_000])
    elif kind == "malicious pickle":
        torch.save({"features.0.weight": _Evil()}, path)
    elif kind == "not a state dict":
        torch.save([torch.zeros(3)], path)
    return path


BAD = [
    ("random bytes", "not a readable torch file"),
    ("another architecture", r"Missing key\(s\) in state_dict: .*classifier\.6\.bias.*\n.*Unexpected key\(s\) in "
                             r"state_dict: \"weight\", \"bias\""),
    ("truncated", "not a readable torch file: it is damaged, truncated"),
    ("malicious pickle", "holds Python objects other than tensors .*posix.system.*it was not loaded"),
    ("not a state dict", "holds a list, not a state dict"),
]


@pytest.mark.parametrize("kind, want", BAD, ids=[kind for kind, _ in BAD])
def test_a_bad_weights_file_is_one_clear_message(tmp_path, kind, want):
    path = _write(kind, tmp_path / "weights.pth")
    with pytest.raises(WeightsError, match=want) as raised:
        build_model(WeightsInfo("file", path.name, "x", "test", path=path))
    text = str(raised.value)
    assert str(path) in text and "weights_only" not in text and "torch.save(model.state_dict(), path)" in text


@pytest.mark.parametrize("kind, want", BAD, ids=[kind for kind, _ in BAD])
def test_prepare_exits_2_with_the_message_and_no_leftovers(tmp_path, monkeypatch, capsys, kind, want):
    cache = tmp_path / "cache"
    monkeypatch.setenv("LESSON_CACHE_DIR", str(cache))
    path = _write(kind, tmp_path / "weights.pth")
    code = main(["prepare", "--weights", str(path), "--images", "synthetic", "--offline"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("error: ") == 1 and "Traceback" not in err and "weights_only" not in err
    assert str(path) in err
    assert not [item for item in cache.rglob("*") if item.name.endswith((".partial", ".part"))]


def test_a_wrapped_or_half_precision_state_dict_loads_as_float32(tmp_path):
    reference = alexnet(weights=None)
    state = reference.state_dict()
    torch.save({"state_dict": state, "epoch": 7}, tmp_path / "wrapped.pth")
    torch.save({f"module.{key}": value.half() for key, value in state.items()}, tmp_path / "half.pth")
    for name in ("wrapped.pth", "half.pth"):
        model = build_model(WeightsInfo("file", name, "x", "test", path=tmp_path / name))
        weight = model.features[0].weight
        assert weight.dtype == torch.float32
        torch.testing.assert_close(weight, state["features.0.weight"], atol=1e-2 if name == "half.pth" else 0, rtol=0)
        output = model(torch.zeros(1, 3, 224, 224))  # computes (a float16 model would fail on float32 input)
        assert output.shape == (1, 1000)


@pytest.mark.parametrize("make, want", [
    (lambda root: (root.write_text("a file"), root)[-1], "is a file, not a folder"),
    (lambda root: (root.parent.joinpath("plain").write_text("x"), root.parent / "plain" / "cache")[-1],
     "cannot be created or written"),
], ids=["a file", "under a file"])
def test_an_unusable_cache_dir_is_named_with_exit_2(tmp_path, monkeypatch, capsys, make, want):
    cache = make(tmp_path / "cache")
    monkeypatch.setenv("LESSON_CACHE_DIR", str(cache))
    code = main(["prepare", "--weights", "random", "--images", "synthetic", "--offline"])
    err = capsys.readouterr().err
    assert code == 2 and want in err and "LESSON_CACHE_DIR" in err and str(cache) in err and "Traceback" not in err


def test_the_app_falls_back_to_a_temporary_cache_with_a_notice(tmp_path):
    from lesson.config import Settings
    from lesson.data.prepare import usable_settings

    (tmp_path / "cache").write_text("a file")
    settings, notices = usable_settings(Settings(cache_dir=tmp_path / "cache"))
    assert settings.cache_dir != tmp_path / "cache" and settings.cache_dir.is_dir()
    assert "is a file, not a folder" in notices[0] and str(settings.cache_dir) in notices[0]
    same, none = usable_settings(Settings(cache_dir=tmp_path / "fine"))
    assert same.cache_dir == tmp_path / "fine" and none == ()
