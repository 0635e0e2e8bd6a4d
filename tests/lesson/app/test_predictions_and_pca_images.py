"""Page 1's top-5 guesses (with the untrained stand-in's warning), page 4's number-of-images control and its
n - 1 ceiling, and the demo notes beside the reflection questions that depend on a pretrained network."""

from __future__ import annotations

import numpy as np
import pytest
from app_helpers import assert_clean, chart_data, charts, open_app, texts

pytestmark = pytest.mark.usefixtures("app_env")


def test_the_network_page_shows_each_images_top5_and_says_why_they_mean_nothing_untrained(bank):
    app = open_app("network")
    assert_clean(app)
    assert any("meaningless" in text and "1/1000" in text for text in texts(app.main.warning))
    guesses = next(frame.value for frame in app.dataframe if "guess 1" in frame.value.columns)
    in_first_class = np.flatnonzero(bank.labels == 0)
    assert len(guesses) == len(in_first_class) == 100
    classes, probabilities = bank.top5
    first = int(in_first_class[0])
    assert guesses["image"].iloc[0] == bank.image_names[first]
    assert guesses["guess 1"].iloc[0] == f"{bank.categories[classes[first, 0]]} ({probabilities[first, 0]:.1%})"
    bars = chart_data(charts(app)[1])  # the picked image's five guesses
    assert list(bars["category"]) == [bank.categories[index] for index in classes[first]]
    np.testing.assert_allclose(bars["probability"], probabilities[first], rtol=1e-6)
    app.selectbox(key="top5_class").select(bank.class_names[2]).run()
    app.number_input(key="top5_image").set_value(3).run()
    assert_clean(app)
    third = int(np.flatnonzero(bank.labels == 2)[2])
    assert list(chart_data(charts(app)[1])["category"]) == [bank.categories[index] for index in classes[third]]


def test_the_pca_page_uses_the_images_the_control_asks_for(bank):
    app = open_app("pca")
    control = app.select_slider(key="pca_per_class")
    assert control.value == 100 and list(control.options) == ["5", "10", "20", "40", "60", "80", "100"]
    assert "On 400 images" in " ".join(texts(app.caption))
    study = chart_data(charts(app)[3])  # components against the number of images, for conv1
    ceiling = study[study["series"] == "n - 1"]
    assert list(ceiling["images"]) == [20, 40, 80, 160, 240, 320, 400]
    np.testing.assert_array_equal(ceiling["components"], ceiling["images"] - 1)
    with_variance = study[study["series"] == "components with variance"]["components"].to_numpy()
    assert (with_variance <= ceiling["components"].to_numpy()).all() and with_variance[0] == 19  # at the ceiling
    at_400 = chart_data(charts(app)[2])["components"].to_numpy()
    control.set_value(5).run()
    assert_clean(app)
    assert "On 20 images" in " ".join(texts(app.caption))
    at_20 = chart_data(charts(app)[2])["components"].to_numpy()
    assert (at_20 <= 19).all() and (at_20 <= at_400).all() and (at_20 < at_400).any()


@pytest.mark.parametrize("page, questions", [("first_order", ["R4"]), ("second_order", ["R7"]), ("pca", ["R10"]),
                                             ("network", [])])
def test_demo_notes_stand_beside_the_questions_that_need_a_pretrained_network(page, questions):
    from lesson.curriculum import QUESTIONS

    app = open_app(page)
    notes = [text for text in texts(app.info) if text.startswith("**Demo mode (not the pretrained network).**")]
    expected = [question.demo_note for question in QUESTIONS if question.id in questions]
    assert [note.split("** ", 1)[1] for note in notes] == expected
