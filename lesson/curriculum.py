"""The lesson's one list: its pages, the exercises and the reflection questions, with the page that teaches each.

The app's navigation and progress, the grader's registry, the stubs' messages and the README follow it
(tests/test_curriculum.py keeps them in step). Adding an exercise starts here: see CONTRIBUTING.md.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Page", "PAGES", "LESSON_PAGES", "page", "Exercise", "EXERCISES", "EXERCISES_BY_NAME", "exercises_on",
           "Question", "QUESTIONS", "QUESTION_IDS", "questions_on"]


class Page(NamedTuple):
    number: str  # "0" (start) ... "5" (submit); the lesson's sections are "1" to "4"
    title: str  # as in the navigation: "First-order similarity"
    url_path: str  # the page's address in the app: /first-order
    file: str  # the page's script under lesson/app/lesson_pages/
    icon: str  # an emoji (a material icon would load a font from the internet)
    what: str  # one line for the start page: what the student finds out there

    @property
    def nav_title(self) -> str:
        """Its name in the app's navigation: "2 First-order similarity" ("Start" has no number)."""
        return self.title if self.number == "0" else f"{self.number} {self.title}"

    @property
    def label(self) -> str:
        """How students see it named: 'page 2 (First-order similarity)'."""
        return f"page {self.number} ({self.title})"


PAGES: tuple[Page, ...] = (
    Page("0", "Start", "start", "p0_start.py", "🏠", "How to work through the lesson."),
    Page("1", "Network and images", "network", "p1_network.py", "🖼️",
         "AlexNet's 21 layers, the images, and how red each one is."),
    Page("2", "First-order similarity", "first-order", "p2_first_order.py", "🟥",
         "For each layer: how alike are its responses to every pair of images?"),
    Page("3", "Second-order similarity", "second-order", "p3_second_order.py", "🔗",
         "Which layers arrange the images in the same way?"),
    Page("4", "PCA and dimensionality", "pca", "p4_pca.py", "📉",
         "How many dimensions does each layer's representation need?"),
    Page("5", "Submit", "submit", "p5_submit.py", "📬", "Your grade, your reflections, and how to hand in."),
)
LESSON_PAGES: tuple[Page, ...] = tuple(item for item in PAGES if item.number in {"1", "2", "3", "4"})
_PAGES_BY_NUMBER = {item.number: item for item in PAGES}


def page(number: str) -> Page:
    """The page called ``number`` ("0" ... "5"); the error lists the valid numbers."""
    try:
        return _PAGES_BY_NUMBER[number]
    except KeyError:
        raise KeyError(f"no page {number!r}; the pages are {', '.join(_PAGES_BY_NUMBER)}") from None


class Exercise(NamedTuple):
    name: str  # the function's name, as in exercises/ and solutions/ and the grader's registry
    module: str  # "rsa" | "pca" | "stimuli": the file exercises/<module>.py
    page: str  # the page that teaches it (and holds its Check button)
    purpose: str  # one line for people: what the app uses it for


EXERCISES: tuple[Exercise, ...] = (
    Exercise("redness", "stimuli", "1", "how red each image is"),
    Exercise("pick_redness_extrema", "stimuli", "1", "the 40 images of the RSA order"),
    Exercise("get_similarity_matrix", "rsa", "2", "the first-order similarity matrices"),
    Exercise("extract_lower_tri_entries", "rsa", "3", "the entries the second-order comparison uses"),
    Exercise("spearman_corrcoef", "rsa", "3", "rank correlation between layers"),
    Exercise("second_order_similarity", "rsa", "3", "the layer-by-layer matrix"),
    Exercise("PCA", "pca", "4", "variance explained per component"),
    Exercise("components_to_reach", "pca", "4", "components needed for a fraction of the variance"),
)
EXERCISES_BY_NAME = {exercise.name: exercise for exercise in EXERCISES}


def exercises_on(number: str) -> tuple[Exercise, ...]:
    """The exercises page ``number`` teaches, in lesson order."""
    return tuple(exercise for exercise in EXERCISES if exercise.page == number)


class Question(NamedTuple):
    id: str  # "R1" ... "R10": its heading in reflections.md
    page: str  # the page that asks it
    prompt: str
    demo_note: str = ""  # for answers that depend on a pretrained network: what the stand-in shows instead


QUESTIONS: tuple[Question, ...] = (
    Question("R1", "1", "Before any analysis: do you expect the dimensionality of the representation to rise, stay "
                        "the same or fall from the first layer to the last? Why?"),
    Question("R2", "1", "Which low-level features (colour, edges, texture) and which high-level features (shape, "
                        "parts, whole objects) could tell these four classes apart?"),
    Question("R3", "2", "Why compare images with a correlation rather than with the Euclidean distance between "
                        "their activation vectors?"),
    Question("R4", "2", "What changes in the similarity matrices from the first layers to the last, and what does "
                        "that tell you about what each layer represents?",
             "An untrained network only passes on what the pixels hold (colour, the stand-in patterns), so no "
             "class blocks are learned in its late layers; a pretrained AlexNet on the lesson's photos turns the "
             "early colour-driven blocks into four sharp class blocks in fc6 to fc8."),
    Question("R5", "3", "What does it mean when two layers have a high second-order similarity? And a low one?"),
    Question("R6", "3", "Why Pearson correlation for the first-order matrices but Spearman rank correlation for "
                        "the second-order comparison?"),
    Question("R7", "3", "Which groups (blocks) of layers stand out in the second-order matrix?",
             "With random weights each layer is a random transform of the one before, so the groups you see "
             "come from the layer types and the pixels; a pretrained AlexNet separates a block of convolutional "
             "layers from a block of fully connected layers, which it learned."),
    Question("R8", "3", "How do layer types relate: a convolution and its ReLU, a linear layer and its ReLU, a "
                        "dropout layer and its input? What did the in-place ReLU pitfall do to that picture?"),
    Question("R9", "4", "Why draw 1000 units at random from each layer instead of using all of them for PCA?"),
    Question("R10", "4", "What happens to the dimensionality (components needed for 80 % of the variance) "
                         "through the network? Does it match what you expected in R1?",
             "The untrained stand-in collapses to a handful of components after pool5 (random weights squeeze "
             "the images onto a few directions); a pretrained AlexNet keeps far more, its conv layers reaching a "
             "few hundred components with 400 images and its fully connected layers fewer, but not a handful."),
)
QUESTION_IDS = frozenset(question.id for question in QUESTIONS)


def questions_on(number: str) -> tuple[Question, ...]:
    """The reflection questions page ``number`` asks."""
    return tuple(question for question in QUESTIONS if question.page == number)
