"""Every page of the app renders with the stand-in data, with its key elements, and no error reaches the page."""

from __future__ import annotations

import pytest
from app_helpers import PAGES, assert_clean, chart_data, chart_spec, charts, open_app, reflection_boxes, texts

pytestmark = pytest.mark.usefixtures("app_env")


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_without_errors_and_shows_the_demo_banner(page):
    app = open_app(page)
    assert_clean(app)
    banner = " ".join(texts(app.main.warning))
    assert "Demo mode" in banner
    assert "untrained AlexNet" in banner and "synthetic" in banner
    assert any("Demo data" in text for text in texts(app.sidebar.warning))
    assert app.title, "every page has a title"
    assert app.sidebar.button(key="check_all").label == "Check all exercises"


def test_start_page_explains_the_lesson_and_the_data():
    app = open_app("start")
    assert app.title[0].value.endswith("How AlexNet represents images")
    markdown = " ".join(texts(app.markdown))
    for needle in ("Write code", "Press Check", "Reflect", "Network weights", "Preprocessing"):
        assert needle in markdown
    assert "| **4 · PCA and dimensionality** |" in markdown  # the lesson map lists every section


def test_network_page_shows_21_layers_the_images_and_the_rsa_grid(bank):
    app = open_app("network")
    table = app.dataframe[0].value
    assert len(table) == 21
    assert list(table["layer"]) == list(bank.layer_names)
    assert table["units"].iloc[0] == 64 * 55 * 55 and table["units"].iloc[-1] == 1000
    assert list(table["output shape"][:1]) == ["64 × 55 × 55"]
    # one montage per class, the image whose guesses are shown, and one per class row of the RSA order
    assert len(app.image) == 2 * len(bank.class_names) + 1
    assert len(charts(app)) == 3  # units per layer, one image's top-5 guesses, redness
    redness = chart_data(charts(app)[2])
    assert len(redness) == len(bank.labels)
    assert (redness["role"] != "not picked").sum() == len(bank.rsa_indices)
    assert list(reflection_boxes(app)) == ["R1", "R2"]


def test_first_order_page_shows_all_layers_on_one_fixed_scale(bank):
    app = open_app("first_order")
    small_multiples, single = charts(app)
    spec = chart_spec(small_multiples)
    assert spec["columns"] == 4  # 4 panels a row fit a 768 px window with the sidebar open
    assert spec["usermeta"]["embedOptions"]["renderer"] == "canvas"
    data = chart_data(small_multiples)
    n_rsa = len(bank.rsa_indices)
    assert sorted(set(data["layer"])) == sorted(bank.layer_names)
    assert len(data) == 21 * n_rsa * n_rsa
    colour = spec["spec"]["encoding"]["color"]["condition"]
    assert colour["scale"]["domain"] == [-1, 1]
    assert set(single.proto.selection_mode) == {"cell"}
    assert "Click a cell" in " ".join(texts(app.info))
    assert app.selectbox(key="first_order_layer").value == "conv1"


def test_first_order_single_layer_follows_the_selectbox(bank):
    app = open_app("first_order")
    app.selectbox(key="first_order_layer").select("fc8").run()
    assert_clean(app)
    assert "fc8 (classifier.6)" in str(chart_spec(charts(app)[1]).get("title"))


def test_second_order_page_shows_the_layer_matrix_and_the_pitfall(bank):
    app = open_app("second_order")
    layer_matrix, pitfall = charts(app)
    data = chart_data(layer_matrix)
    assert len(data) == 21 * 21
    assert set(data["layer (row)"]) == set(bank.layer_names)  # readable names, not module paths
    assert spec_uses_fixed_scale(chart_spec(layer_matrix))
    assert len(chart_spec(pitfall)["vconcat"]) == 2
    table = app.dataframe[0].value
    assert len(table) == 9  # 7 ReLUs and 2 dropouts, each with its input
    dropout = table[table["relation"] == "input → dropout"]
    assert (dropout["correct extraction"] > 0.9999).all()
    relu = table[table["relation"].str.endswith("relu")]
    assert (relu["buggy extraction"] > 0.9999).all()
    assert (relu["correct extraction"] < 0.99999).any()
    assert list(reflection_boxes(app)) == ["R5", "R6", "R7", "R8"]


def spec_uses_fixed_scale(spec: dict) -> bool:
    layers = spec.get("layer", [spec])
    colour = layers[0]["encoding"]["color"]["condition"]
    return colour["scale"]["domain"] == [-1, 1]


def test_pca_page_shows_spectra_and_components_with_an_adjustable_threshold(bank):
    app = open_app("pca")
    assert app.slider(key="pca_threshold").value == pytest.approx(0.8)
    variance, cumulative, components = charts(app)[:3]  # then the optional part's two charts
    counts = chart_data(components)
    assert list(counts["layer"]) == list(bank.layer_names)
    at_80 = counts["components"].to_numpy()
    assert (at_80 >= 1).all()
    app.slider(key="pca_threshold").set_value(0.95).run()
    assert_clean(app)
    at_95 = chart_data(charts(app)[2])["components"].to_numpy()
    assert (at_95 >= at_80).all() and (at_95 > at_80).any()
    app.selectbox(key="pca_layer").select("fc7").run()
    assert "fc7" in str(chart_spec(charts(app)[0]).get("title"))


def test_submit_page_lists_exercises_and_reflections():
    app = open_app("submit")
    table = app.dataframe[0].value
    assert len(table) == 8
    assert set(table["status"]) == {"not checked"}
    assert "0 of 10 answered" in " ".join(str(bar.proto.text) for bar in app.get("progress"))
    assert any("git push" in block.value for block in app.code)
    assert any("./run-grader" in block.value for block in app.code)


def test_selections_survive_a_page_switch():
    app = open_app("first_order")
    app.selectbox(key="first_order_layer").select("relu5").run()
    app.switch_page(PAGES["start"]).run()
    app.switch_page(PAGES["first_order"]).run()
    assert app.selectbox(key="first_order_layer").value == "relu5"


@pytest.mark.parametrize("page", ["network", "first_order", "second_order", "pca"])
def test_a_rerun_with_warm_caches_recomputes_nothing(page, monkeypatch):
    import lesson.analysis.reference_results
    import lesson.analysis.steps

    calls = []
    for module, name in ((lesson.analysis.steps, "first_order"), (lesson.analysis.steps, "pca_spectrum"),
                         (lesson.analysis.steps, "redness_of_images"), (lesson.analysis.steps, "montage"),
                         (lesson.analysis.reference_results, "reference_results")):
        original = getattr(module, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    app = open_app(page)
    assert_clean(app)
    calls.clear()
    app.run()
    app.switch_page(PAGES["start"]).run()
    app.switch_page(PAGES[page]).run()
    assert calls == []
