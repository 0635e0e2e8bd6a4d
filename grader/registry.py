"""The one list of gradable exercises: module, function, points, cases, comparison, tolerance and known mistakes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from grader.cases.case import BANK_CASES, RANDOM_CASES, BankContext, Case
from grader.cases.edge_cases import EDGE_CASES
from grader.judging.compare import Tolerance
from grader.judging.hints import CATALOGUE, Mistake
from lesson.curriculum import EXERCISES_BY_NAME, page

__all__ = ["Exercise", "EXERCISES", "MODULES", "CREDIT", "exercise", "select"]

# Partial credit: an exercise's points are shared by its case groups in these proportions, and a group earns its
# share only when every one of its cases passes (points x the shares of the groups that pass). So the score does not
# depend on how many cases a group has, and the public and hidden case sets (the same groups) give the same score.
# The torch-tensor checks are reported but not scored: they run only where torch is installed.
CREDIT: Mapping[str, float] = {"edge": 1 / 3, "random": 1 / 3, "bank": 1 / 3}


@dataclass(frozen=True)
class Exercise:
    name: str  # the function's name, as in solutions/ and exercises/
    module: str  # "rsa" | "pca" | "stimuli": the file <module>.py of a submission
    points: float
    output: str  # how results are compared: "array" | "indices" | "count" | "pca"
    returns: str  # what a correct result is, in words, for feedback
    taught_on: str  # where the lesson teaches it, from lesson/curriculum.py: "page 2 (First-order similarity)"
    tolerance: Tolerance
    edge_cases: tuple[Case, ...]
    random_cases: tuple[Case, ...]
    bank_cases: Callable[[BankContext], list[Case]]
    mistakes: tuple[Mistake, ...]  # the hint catalogue entry
    credit: Mapping[str, float] = field(default_factory=lambda: dict(CREDIT))  # share of the points per case group

    @property
    def file_name(self) -> str:
        return f"{self.module}.py"


def _exercise(name, points, output, returns, tolerance) -> Exercise:
    """The grading side of the curriculum's exercise ``name`` (its module and page come from the curriculum)."""
    taught = EXERCISES_BY_NAME[name]
    return Exercise(name, taught.module, points, output, returns, page(taught.page).label, tolerance,
                    tuple(EDGE_CASES[name]), tuple(RANDOM_CASES[name]), BANK_CASES[name], CATALOGUE[name])


# What grading needs beyond the curriculum: points, how results are compared, what a correct result is (for
# feedback) and the tolerance. Tolerances: float32 arithmetic over ~200,000 units moves a correlation by up to
# ~1e-5; every known mistake moves some value of the edge cases by more than 1e-2.
_GRADING = {  # in grading (and report) order
    "get_similarity_matrix": (3, "array", "an (n_images, n_images) array of Pearson correlations",
                              Tolerance(atol=1e-4)),
    "extract_lower_tri_entries": (1, "array", "a 1-D array of the n·(n−1)/2 entries below the diagonal",
                                  Tolerance(atol=1e-12, rtol=1e-6)),
    "spearman_corrcoef": (2, "array", "an (m, m) array of Spearman correlations between rows", Tolerance(atol=1e-5)),
    # first-order matrices computed in float32 swap near-tied values, which moves a Spearman correlation of the bank's
    # 21 layers by up to ~1e-4 (seen on hidden bank crops); every known mistake moves it by more than 1e-2
    "second_order_similarity": (2, "array", "an (L, L) array comparing the L layers", Tolerance(atol=1e-3)),
    "PCA": (3, "pca", "a tuple (components (k, n_features), variance_explained (k,), cumulative_variance_explained (k,))",
            Tolerance(atol=1e-5, rtol=1e-4, component_atol=1e-3, gap=1e-3, null=1e-6)),
    "components_to_reach": (1, "count", "an int, the number of components needed", Tolerance()),
    "redness": (1, "array", "an (n_images,) array of redness values", Tolerance(atol=1e-5)),
    "pick_redness_extrema": (2, "indices", "an int array of positions, n_classes · 2 · n_extreme long", Tolerance()),
}
EXERCISES: tuple[Exercise, ...] = tuple(_exercise(name, *grading) for name, grading in _GRADING.items())
MODULES: tuple[str, ...] = tuple(dict.fromkeys(exercise.module for exercise in EXERCISES))
_BY_NAME = {exercise.name: exercise for exercise in EXERCISES}


def exercise(name: str) -> Exercise:
    """The exercise called ``name``; the error lists the valid names."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no exercise called {name!r}; the exercises are: {', '.join(_BY_NAME)}") from None


def select(names: Sequence[str] | None) -> tuple[Exercise, ...]:
    """The named exercises in registry order (all when ``names`` is None or empty), without repeats."""
    if not names:
        return EXERCISES
    wanted = {exercise(name).name for name in names}
    return tuple(item for item in EXERCISES if item.name in wanted)
