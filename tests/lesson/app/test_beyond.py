"""The optional "Beyond the lesson" parts: Euclidean vs correlation, the untrained network, the second measure of
dimensionality and the number of units, and the student's own images."""

from __future__ import annotations

import numpy as np
import pytest
from app_helpers import (
    PAGES,
    assert_clean,
    chart_data,
    chart_spec,
    charts,
    open_app,
    texts,
    write_image_folder,
    write_weights_file,
)

pytestmark = pytest.mark.usefixtures("app_env")


def _all_text(app) -> str:
    return " ".join(texts(app.markdown) + texts(app.caption) + texts(app.info) + texts(app.success)
                    + texts(app.warning) + texts(app.error))


# --- Euclidean vs correlation (page 2) ---------------------------------------------------------------------

def test_the_euclidean_toggle_switches_every_first_order_matrix(bank):
    from lesson.analysis.beyond import similarity_matrix

    app = open_app("first_order")
    assert app.radio(key="first_order_measure").value == "correlation"
    correlation = chart_data(charts(app)[0])
    app.radio(key="first_order_measure").set_value("euclidean").run()
    assert_clean(app)
    small_multiples, single = charts(app)
    euclidean = chart_data(small_multiples)
    assert len(euclidean) == len(correlation)
    assert not np.allclose(euclidean["value"], correlation["value"], equal_nan=True)
    conv1 = euclidean[euclidean["layer"] == "conv1"].sort_values(["row", "col"])["value"].to_numpy()
    want = similarity_matrix(bank.rsa_activations("features.0"), "euclidean").ravel()
    np.testing.assert_allclose(conv1, want, atol=1e-6)
    spec = chart_spec(small_multiples)
    colour = spec["spec"]["encoding"]["color"]["condition"]
    assert colour["scale"]["domain"] == [-1, 1] and colour["title"] == "similarity"  # the same colour logic
    assert "Euclidean" in str(chart_spec(single).get("title"))
    assert "negated Euclidean distance" in _all_text(app)
    # the choice survives a page switch, and switching back restores the correlation
    app.switch_page(PAGES["start"]).run()
    app.switch_page(PAGES["first_order"]).run()
    assert app.radio(key="first_order_measure").value == "euclidean"
    app.radio(key="first_order_measure").set_value("correlation").run()
    np.testing.assert_allclose(chart_data(charts(app)[0])["value"], correlation["value"], equal_nan=True)


# --- Learned vs untrained (pages 2, 3, 4) -----------------------------------------------------------------------

def test_with_stand_ins_the_untrained_comparison_says_both_are_random():
    app = open_app("first_order")
    n_charts = len(charts(app))
    assert "Show an untrained AlexNet" in app.toggle(key="untrained_section2").label
    app.toggle(key="untrained_section2").set_value(True).run()
    assert_clean(app)
    assert any("Both networks would be random" in text for text in texts(app.info))
    assert len(charts(app)) == n_charts  # no two identical columns
    for page, section in (("second_order", "section3"), ("pca", "section4")):  # one switch for pages 2 to 4
        app.switch_page(PAGES[page]).run()
        assert_clean(app)
        assert app.toggle(key=f"untrained_{section}").value is True
        assert any("Both networks would be random" in text for text in texts(app.info))


@pytest.fixture
def trained_env(monkeypatch, tmp_path):
    """Weights that are not the random stand-in (a small file) on a small folder of images: the comparison with
    the untrained network then has two different networks to show."""
    images = write_image_folder(tmp_path / "shapes", {"discs": 12, "stripes": 12})
    weights = write_weights_file(tmp_path / "other-alexnet.pt")
    monkeypatch.setenv("LESSON_IMAGES", str(images))
    monkeypatch.setenv("LESSON_WEIGHTS", str(weights))
    return images, weights


def test_the_untrained_network_is_built_on_request_and_compared_on_pages_2_to_4(trained_env, monkeypatch):
    import lesson.data.prepare
    from lesson.config import Settings

    prepare_bank = lesson.data.prepare.prepare_bank
    asked = []

    def recording(settings, **kwargs):
        asked.append((settings.weights, kwargs.get("progress")))
        return prepare_bank(settings, **kwargs)

    monkeypatch.setattr(lesson.data.prepare, "prepare_bank", recording)
    app = open_app("first_order")
    assert_clean(app)
    assert [weights for weights, _ in asked] == [str(trained_env[1])]  # not the untrained one until asked for
    n_charts = len(charts(app))
    app.toggle(key="untrained_section2").set_value(True).run()
    assert_clean(app)
    assert [weights for weights, _ in asked][1:] == ["random"] and callable(asked[1][1])  # with a progress bar
    assert len(charts(app)) == n_charts + 3  # the picked layer in both networks, and the class separation
    assert "What differs" in _all_text(app)
    separation = chart_data(charts(app)[-1]).dropna(subset=["series"])  # (the other dataset: the zero line)
    assert set(separation["series"]) == {"weights other-alexnet.pt", "untrained (seed 0)"}
    assert len(separation) == 2 * 21

    # the untrained bank is the random-weights bank of the same images, built once and cached on disk
    untrained, _ = prepare_bank(Settings.from_env().with_(weights="random"))
    assert untrained.provenance["weights"]["kind"] == "random"
    assert untrained.image_names == tuple(f"{c}/{c}_{i:02d}.png" for c in ("discs", "stripes") for i in range(12))

    app.switch_page(PAGES["second_order"]).run()
    assert_clean(app)
    pair, agreement = charts(app)[-2:]
    assert len(chart_spec(pair)["vconcat"]) == 2
    values = chart_data(agreement).dropna(subset=["series"])["value"].to_numpy()
    assert len(values) == 21 and np.all(values <= 1 + 1e-9)
    assert "What differs" in _all_text(app) and "on average two layers have" in _all_text(app)

    app.switch_page(PAGES["pca"]).run()
    assert_clean(app)
    components = chart_data(charts(app)[-1]).dropna(subset=["series"])
    assert set(components["series"]) == {"weights other-alexnet.pt", "untrained (seed 0)"}
    assert (components["value"] >= 1).all()
    assert "participation ratio" in _all_text(app)


# --- Participation ratio and number of units (page 4) -----------------------------------------------------------

def test_participation_ratio_and_the_units_study_render(bank):
    from lesson.analysis.beyond import participation_ratio
    from lesson.analysis.reference_results import reference_results

    app = open_app("pca")
    assert_clean(app)
    charts_now = charts(app)  # variance, cumulative, components, image count, then the optional part's two
    components, estimates, study = charts_now[2], charts_now[4], charts_now[5]
    at_80 = chart_data(components)["components"].to_numpy()
    estimates = chart_data(estimates)
    ratios = estimates[estimates["series"] == "participation ratio"]["value"].to_numpy()
    want = [participation_ratio(variance) for variance in reference_results(bank).variance_explained]
    np.testing.assert_allclose(ratios, want)
    np.testing.assert_array_equal(estimates[estimates["series"] == "components for 80%"]["value"], at_80)

    rows = chart_data(study)
    assert len(chart_spec(study)["vconcat"]) == 2
    stored = {row["name"]: min(row["n_units"], bank.provenance["stored_units"]) for row in bank.layer_table}
    for name, group in rows.groupby("layer"):
        assert list(group["n_units"]) == [n for n in (100, 300, 1000, 3000) if n <= stored[name]]
    # the lesson's own draw is the first 1000 units: the study agrees with the main chart there
    at_1000 = rows[rows["n_units"] == 1000].set_index("layer")["components_needed"]
    np.testing.assert_array_equal(at_1000[list(bank.layer_names)].to_numpy(), at_80)
    assert "conv1 in red" in str(chart_spec(study).get("title"))
    app.selectbox(key="pca_layer").select("fc6").run()
    assert "fc6 in red" in str(chart_spec(charts(app)[5]).get("title"))
    assert "Think about it" in " ".join(texts(app.caption))


def test_warm_reruns_of_the_optional_parts_recompute_nothing(monkeypatch):
    import lesson.analysis.beyond

    calls = []
    for name in ("euclidean_similarity", "spectra_by_units"):
        original = getattr(lesson.analysis.beyond, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(lesson.analysis.beyond, name, counted)
    app = open_app("first_order")
    app.radio(key="first_order_measure").set_value("euclidean").run()
    app.switch_page(PAGES["pca"]).run()
    assert_clean(app)
    assert calls.count("euclidean_similarity") == 21 and calls.count("spectra_by_units") == 21
    calls.clear()
    app.run()
    app.switch_page(PAGES["first_order"]).run()
    app.run()
    assert calls == []


# --- Your own images (page 1) -----------------------------------------------------------------------------------

def _use_folder(app, path) -> None:
    app.text_input(key="own_images_path").input(str(path)).run()
    app.button(key="own_images_use").click().run()


def _broken_class(root):
    write_image_folder(root, {"cats": 3, "dogs": 3})
    for file in (root / "dogs").iterdir():
        file.write_bytes(b"not an image")
    return root


@pytest.mark.parametrize("make, want", [
    (lambda root: root / "nowhere", "does not exist"),
    (lambda root: (root.mkdir(), (root / "a.txt").write_text("x"), root / "a.txt")[-1], "is a file, not a folder"),
    (lambda root: (root.mkdir(), root)[-1], "has no class sub-folders"),
    (lambda root: (write_image_folder(root, {"cats": 3}), (root / "dogs").mkdir(), root)[-1],
     "class 'dogs' has no image files"),
    (_broken_class, "dogs/dogs_00.png"),
    (lambda root: write_image_folder(root, {"cats": 3, "dogs": 2}),
     "class 'cats' has 3 readable images, and every class needs at least 10"),
], ids=["nonexistent", "a file", "no classes", "empty class", "unreadable files", "too few per class"])
def test_a_folder_that_cannot_be_used_gives_a_clear_error_and_the_app_keeps_working(tmp_path, make, want):
    app = open_app("network")
    _use_folder(app, make(tmp_path / "mine"))
    assert not app.exception
    message = " ".join(texts(app.error))
    assert "cannot be used" in message and want in message
    assert "synthetic" in " ".join(texts(app.main.warning))  # still the lesson's (stand-in) images
    app.switch_page(PAGES["first_order"]).run()
    assert_clean(app)


def test_a_rerun_that_cuts_the_click_short_still_switches_to_the_folder(tmp_path, monkeypatch):
    """In a browser a rerun can reach the app while the click's run is still building the bank (a reflection box
    saving, another widget): Streamlit then starts a new run, and that run carries no click. The folder asked for
    must still be built and shown, and only once."""
    import streamlit as st

    from lesson.app import bank_context, state_keys

    folder = write_image_folder(tmp_path / "cut short", {"discs": 12, "stripes": 12})
    original, builds = bank_context.load_bank, []

    def load_bank(settings, **kwargs):
        if "cut short" in str(settings.images):
            builds.append(settings.images)
            if len(builds) == 1:
                st.stop()  # the click's run ends mid-build, as when a new rerun request interrupts it
        return original(settings, **kwargs)

    monkeypatch.setattr(bank_context, "load_bank", load_bank)
    app = open_app("network")
    _use_folder(app, folder)
    assert len(builds) == 1 and "Your own images" not in " ".join(texts(app.info))
    app.run()  # the rerun that cut the click short: no button pressed in it
    assert_clean(app)
    banner = " ".join(texts(app.info))
    assert "Your own images" in banner and str(folder) in banner
    assert state_keys.OWN_IMAGES_REQUEST not in app.session_state  # answered: the next runs do not build it again


def test_own_images_recompute_everything_and_the_provenance_names_them(tmp_path, monkeypatch, bank):
    folder = write_image_folder(tmp_path / "my pictures", {"discs": 12, "stripes": 12})
    (folder / "stripes" / "zz-broken.png").write_bytes(b"truncated")
    app = open_app("network")
    _use_folder(app, folder)
    assert_clean(app)
    banner = " ".join(texts(app.info))
    assert "Your own images" in banner and str(folder) in banner
    provenance = " ".join(texts(app.sidebar.markdown))
    assert str(folder) in provenance and "discs, stripes" in provenance
    assert any("stripes/zz-broken.png" in text for text in texts(app.warning))  # unreadable files, by name
    assert len(app.image) == 2 + 2 + 1  # one montage per class, one RSA row per class, the top-5 guesses' image

    app.switch_page(PAGES["first_order"]).run()
    assert_clean(app)
    cells = chart_data(charts(app)[1]).dropna(subset=["row"])  # (the other datasets: the block boundaries)
    assert len(cells) == 20 * 20  # 2 classes x (5 reddest + 5 least red)
    assert app.info and "Your own images" in " ".join(texts(app.info))

    # Check still grades on the lesson's images
    grader = pytest.importorskip("grader")

    graded_on = []

    def grade(*args, bank=None, settings=None, **kwargs):
        graded_on.append((bank, settings))
        return type("Report", (), {"exercises": ()})()

    monkeypatch.setattr(grader, "grade", grade, raising=False)
    app.button(key="check_get_similarity_matrix").click().run()
    assert graded_on and graded_on[0][0].key == bank.key and graded_on[0][1].images == "synthetic"

    app.button(key="own_images_back_banner").click().run()
    assert_clean(app)
    assert "Your own images" not in " ".join(texts(app.info))
    assert len(chart_data(charts(app)[1]).dropna(subset=["row"])) == len(bank.rsa_indices) ** 2
    app.switch_page(PAGES["network"]).run()
    assert app.text_input(key="own_images_path").value == str(folder)  # kept, to come back to
