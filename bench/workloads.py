"""The workloads the benchmark times, each run in a fresh interpreter: `python -m bench.workloads NAME ARGS...`.

Each prints one JSON line of figures on its last line of stdout.
"""

from __future__ import annotations

import json
import sys
import time

T0 = time.perf_counter()


def _emit(**figures) -> None:
    figures.setdefault("seconds_since_start", round(time.perf_counter() - T0, 3))
    print(json.dumps(figures))


def imports(which: str = "torch+torchvision") -> None:
    started = time.perf_counter()
    import torch  # noqa: F401

    if which == "torch+torchvision":
        import torchvision  # noqa: F401

    _emit(import_seconds=time.perf_counter() - started)


def matmul() -> None:
    import torch

    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    for _ in range(3):
        a @ b
    runs, started = 10, time.perf_counter()
    for _ in range(runs):
        a @ b
    seconds = (time.perf_counter() - started) / runs
    _emit(matmul_gflops=2 * 2048**3 / seconds / 1e9, threads=torch.get_num_threads())


def forward(n_images: str = "160", batch_size: str = "32") -> None:
    from lesson.data.images import make_synthetic, to_network_input
    from lesson.data.network import build_model, stream_layer_outputs
    from lesson.data.weights import WeightsInfo

    images = to_network_input(make_synthetic(per_class=int(n_images) // 4).display)
    model = build_model(WeightsInfo("random", "random(seed=0)", "-", "-", seed=0))
    batch = int(batch_size)
    # The bank's own pass (its layout and batching), without hooks: the network alone.
    stream_layer_outputs(model, images[:batch], lambda *output: None, layers=(), batch_size=batch)  # warm-up
    started = time.perf_counter()
    stream_layer_outputs(model, images, lambda *output: None, layers=(), batch_size=batch)
    seconds = time.perf_counter() - started
    _emit(forward_seconds=seconds, images_per_second=len(images) / seconds,
          forward_gflops=0.714 * len(images) / seconds, batch_size=batch)


def naive(image_dir: str) -> None:
    """The lesson the way the original notebook does it: no batching of decode, training mode, recompute per section."""
    import numpy as np
    import torch
    from PIL import Image
    from torchvision.models import AlexNet_Weights, alexnet

    from lesson.data.layers import LAYER_PATHS
    from solutions.pca import PCA
    from solutions.rsa import get_similarity_matrix, second_order_similarity
    from solutions.stimuli import pick_redness_extrema, redness

    transform = AlexNet_Weights.IMAGENET1K_V1.transforms()
    paths = sorted(__import__("pathlib").Path(image_dir).glob("*/*.png"))
    tensors = torch.stack([transform(Image.open(path).convert("RGB")) for path in paths])  # one at a time
    labels = np.array([path.parent.name for path in paths])
    torch.manual_seed(0)
    model = alexnet(weights=None)  # left in training mode, as in the notebook
    modules = dict(model.named_modules())

    def record(images):
        stored = {}
        handles = [modules[p].register_forward_hook(lambda m, i, o, p=p: stored.__setitem__(p, o.detach().clone()))
                   for p in LAYER_PATHS]
        with torch.no_grad():
            model(images)
        for handle in handles:
            handle.remove()
        return stored

    mean = torch.tensor([0.485, 0.456, 0.406])[:, None, None]
    std = torch.tensor([0.229, 0.224, 0.225])[:, None, None]
    rgb = (tensors * std + mean).numpy()
    order = pick_redness_extrema(redness(rgb), labels)
    section2 = record(tensors[order])
    first_order = [get_similarity_matrix(section2[p].numpy()) for p in LAYER_PATHS]
    section3 = record(tensors[order])  # recomputed for the next section
    second_order_similarity([get_similarity_matrix(section3[p].numpy()) for p in LAYER_PATHS])
    section4 = record(tensors)  # all the PCA images (400), every layer in full
    rng = np.random.default_rng(0)
    for path in LAYER_PATHS:
        flat = section4[path].flatten(1).numpy()
        PCA(flat[:, rng.choice(flat.shape[1], min(1000, flat.shape[1]), replace=False)])
    _emit(n_first_order=len(first_order))


def project(cache_dir: str, image_dir: str) -> None:
    """This project: the activation bank (built if missing, else read), then every analysis of the lesson."""
    from pathlib import Path

    from lesson.config import Settings
    from lesson.data.prepare import prepare_bank

    started = time.perf_counter()
    settings = Settings(cache_dir=Path(cache_dir), images=image_dir, weights="random", offline=True)
    bank, _ = prepare_bank(settings)
    bank_seconds = time.perf_counter() - started
    from lesson.analysis.reference_results import reference_results

    analysis_started = time.perf_counter()
    results = reference_results(bank)  # 21 first-order matrices, second order, PCA of every layer (or their cache)
    assert results.first_order.shape[0] == len(bank.layer_paths)
    _emit(bank_seconds=bank_seconds, analysis_seconds=time.perf_counter() - analysis_started,
          imported_torch="torch" in sys.modules)


def build_bank_only(cache_dir: str, per_class: str) -> None:
    from pathlib import Path

    from lesson.config import Settings
    from lesson.data.prepare import prepare_bank

    started = time.perf_counter()
    settings = Settings(cache_dir=Path(cache_dir), images="synthetic", weights="random", offline=True,
                        images_per_class=min(40, int(per_class)), pca_images_per_class=int(per_class))
    prepare_bank(settings, analyses_follow=False)  # as lesson.data.build_worker runs it for the app
    _emit(build_seconds=time.perf_counter() - started)


def first_order_scaling(n_images: str) -> None:
    import numpy as np

    from solutions.rsa import get_similarity_matrix

    activations = np.random.default_rng(0).normal(size=(int(n_images), 43_264)).astype(np.float32)  # conv4-sized
    get_similarity_matrix(activations[:4])
    started = time.perf_counter()
    get_similarity_matrix(activations)
    _emit(first_order_seconds=time.perf_counter() - started)


def app(cache_dir: str, image_dir: str) -> None:
    """The lesson app in this process (AppTest): cold start to the first page, every page once, then warm page
    reruns and one Check; the resident memory of the process after all of it."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    scratch = Path(tempfile.mkdtemp())
    shutil.copytree(root / "exercises", scratch / "exercises")
    os.environ.update(LESSON_CACHE_DIR=cache_dir, LESSON_IMAGES=image_dir, LESSON_WEIGHTS="random", LESSON_OFFLINE="1",
                      LESSON_EXERCISES_DIR=str(scratch / "exercises"), LESSON_REFLECTIONS=str(scratch / "r.md"))
    from streamlit.testing.v1 import AppTest

    pages = [f"lesson_pages/{name}.py" for name in ("p1_network", "p2_first_order", "p3_second_order", "p4_pca",
                                             "p5_submit", "p0_start")]
    session = AppTest.from_file(str(root / "lesson" / "app" / "main.py"), default_timeout=600)
    started = time.perf_counter()
    session.run()
    first_page = time.perf_counter() - started
    started = time.perf_counter()
    for page in pages:
        session.switch_page(page).run()
    every_page_cold = time.perf_counter() - started
    reruns = {}
    for page in pages:
        session.switch_page(page).run()
        started = time.perf_counter()
        session.run()
        reruns[page.split("/")[1][:-3]] = round(time.perf_counter() - started, 3)
    session.switch_page("lesson_pages/p2_first_order.py").run()
    started = time.perf_counter()
    session.button(key="check_get_similarity_matrix").click().run()
    check = time.perf_counter() - started
    assert not session.exception, [element.value for element in session.exception]
    rss_now = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024
    shutil.rmtree(scratch, ignore_errors=True)
    _emit(first_page_seconds=first_page, every_page_cold_seconds=every_page_cold, rerun_seconds=reruns,
          check_seconds=check, rss_after_every_page_mb=rss_now)


def _tree_rss_mb(root_pid: int) -> tuple[float, dict[int, float]]:
    """Resident memory (MB) of a process and all its descendants, from /proc; also each process's own."""
    import os

    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
            parents[int(entry)] = int(fields["PPid"])
            rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        except (OSError, KeyError, ValueError):
            continue
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0.0) for pid in tree), {pid: round(rss.get(pid, 0.0)) for pid in tree}


def after_pass(cache_dir: str, image_dir: str) -> None:
    """The lesson app in this process (AppTest) with passing exercises: for PCA and get_similarity_matrix, the
    seconds from the Check's result to the page's plots drawn with the student's function (the page run after the
    click, minus the Check itself); then the resident memory of the app with its standby grading children."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    scratch = Path(tempfile.mkdtemp())
    (scratch / "exercises").mkdir()
    shutil.copy(root / "solutions" / "_validate.py", scratch / "exercises" / "_validate.py")
    for module in ("rsa", "pca", "stimuli"):  # the reference solutions as a passing submission
        source = (root / "solutions" / f"{module}.py").read_text()
        (scratch / "exercises" / f"{module}.py").write_text(source.replace("from solutions._validate import",
                                                                           "from _validate import"))
    os.environ.update(LESSON_CACHE_DIR=cache_dir, LESSON_IMAGES=image_dir, LESSON_WEIGHTS="random", LESSON_OFFLINE="1",
                      LESSON_EXERCISES_DIR=str(scratch / "exercises"), LESSON_REFLECTIONS=str(scratch / "r.md"))
    from streamlit.testing.v1 import AppTest

    from lesson.app import state_keys

    session = AppTest.from_file(str(root / "lesson" / "app" / "main.py"), default_timeout=600)
    session.run()
    figures = {}
    for page, exercise in (("p4_pca", "PCA"), ("p2_first_order", "get_similarity_matrix")):
        session.switch_page(f"lesson_pages/{page}.py").run()
        started = time.perf_counter()
        session.button(key=f"check_{exercise}").click().run()
        page_run = time.perf_counter() - started
        assert not session.exception, [element.value for element in session.exception]
        check = session.session_state[state_keys.CHECK_JOB].seconds
        figures[f"{exercise}_check_seconds"] = round(check, 3)
        figures[f"{exercise}_plots_after_pass_seconds"] = round(page_run - check, 3)
    time.sleep(3)  # the grader starts its standby children again after a Check
    total, per_process = _tree_rss_mb(os.getpid())
    shutil.rmtree(scratch, ignore_errors=True)
    _emit(**figures, app_tree_rss_mb=round(total), processes_rss_mb=per_process)


def grading_parent(exercise: str) -> None:
    """Grade one exercise of solutions/ through the CLI in this process (settings from LESSON_*; the children are
    separate processes) and say whether this process imported torch."""
    import contextlib
    import io

    from grader.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["--submission", "solutions", "--exercise", exercise, "--format", "json"])
    _emit(exit_code=code, imported_torch="torch" in sys.modules)


if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
