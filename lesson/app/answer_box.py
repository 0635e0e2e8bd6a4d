"""The reflection answer boxes: one per question of a page, saving while the student types.

Each box is a small ``st.components.v2`` component (inline HTML, CSS and JavaScript, no build step, no iframe).
Streamlit's ``st.text_area`` tells Python its text only on blur or Ctrl+Enter. This box sends its text a moment
after typing pauses (``DEBOUNCE_MS``), and at once on blur, Ctrl+Enter, leaving the page or hiding the tab.
Each update carries the browser's timestamp, so an update that arrives late or is replayed (a component
coming back after a page switch resends its last state) never overwrites newer text.

What the box shows: the text Python passes in ``data.value`` when the box first appears, and again only when
``data.version`` changes (the file was edited outside this window). Reruns caused by its own saves never touch
what the student is typing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from lesson.app import state_keys
from lesson.app.bank_context import Context
from lesson.app.frame import shown_path
from lesson.curriculum import questions_on

__all__ = ["DEBOUNCE_MS", "update_of", "apply_update", "reflection_box", "reflection_boxes"]

_log = logging.getLogger("lesson.app")


DEBOUNCE_MS = 700  # a pause in typing this long sends the text


_HTML = """<textarea class="answer" rows="5" spellcheck="true"></textarea><div class="status" aria-live="polite"></div>"""


_CSS = """
.answer {
  box-sizing: border-box; width: 100%; min-height: 8rem; resize: vertical; padding: 0.6rem 0.75rem;
  font-family: var(--st-font, inherit); font-size: 1rem; line-height: 1.5;
  color: var(--st-text-color, inherit); background: var(--st-secondary-background-color, #f0f2f6);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2)); border-radius: 0.5rem; outline: none;
}
.answer:focus { border-color: var(--st-primary-color, #ff4b4b); }
.answer::placeholder { color: var(--st-text-color, #31333f); opacity: 0.45; }
.status { min-height: 1.2rem; margin-top: 0.2rem; font-family: var(--st-font, inherit); font-size: 0.8rem;
          color: var(--st-text-color, inherit); opacity: 0.6; text-align: right; }
"""


_JS = """
export default function (component) {
  const { parentElement, data, setStateValue } = component;
  const box = parentElement.querySelector("textarea.answer");
  const status = parentElement.querySelector(".status");
  box.setAttribute("aria-label", data.label);
  box.placeholder = data.placeholder;
  if (box.dataset.version !== String(data.version)) {  // first shown, or the file was edited outside this window
    box.value = data.value;
    box.dataset.version = String(data.version);
    box.dataset.sent = data.value;
  }
  const pending = () => box.dataset.sent !== box.value;
  const send = () => {
    clearTimeout(box._timer);
    box._timer = undefined;
    if (!pending()) return;
    box.dataset.sent = box.value;
    status.textContent = "Saving …";
    setStateValue("text", { text: box.value, at: Date.now() });
  };
  status.textContent = pending() ? "Not saved yet …" : data.status;
  box.oninput = () => {
    status.textContent = "Not saved yet …";
    clearTimeout(box._timer);
    box._timer = setTimeout(send, data.debounce_ms);
  };
  box.onblur = send;
  box.onkeydown = (event) => { if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) send(); };
  const onHide = () => { if (document.hidden) send(); };
  document.addEventListener("visibilitychange", onHide);
  window.addEventListener("pagehide", send);
  return () => {
    document.removeEventListener("visibilitychange", onHide);
    window.removeEventListener("pagehide", send);
    send();
  };
}
"""


_component = st.components.v2.component("lesson_reflection_box", html=_HTML, css=_CSS, js=_JS)


def update_of(state) -> tuple[str, float] | None:
    """``(text, timestamp in ms)`` of the latest update a box sent (its session-state value), or None if malformed."""
    update = state.get("text") if hasattr(state, "get") else None
    if not hasattr(update, "get"):
        return None
    text, at = update.get("text"), update.get("at")
    if not isinstance(text, str) or isinstance(at, bool) or not isinstance(at, (int, float)):
        return None
    return text, float(at)


def apply_update(state, question_id: str, save: Callable[[str, str], None], applied: dict) -> bool:
    """Save the box's latest update unless it is not newer than the last one applied (``applied``: question id
    -> timestamp, kept in session state). True if saved."""
    update = update_of(state)
    if update is None or update[1] <= applied.get(question_id, float("-inf")):
        return False
    applied[question_id] = update[1]
    save(question_id, update[0])
    return True


def reflection_box(question_id: str, label: str, text: str, version: int, status: str,
                   save: Callable[[str, str], None]) -> None:
    """One answer box (session-state key ``reflection_<id>``). ``text`` is shown when the box appears and when
    ``version`` changes; ``save(question_id, text)`` runs for each newer update, before the rerun it causes."""
    key = f"reflection_{question_id}"
    applied = st.session_state.setdefault(state_keys.REFLECTION_APPLIED, {})
    _component(key=key, data={"value": text, "version": version, "label": label, "status": status,
                              "placeholder": "Write your answer here …", "debounce_ms": DEBOUNCE_MS},
               on_text_change=lambda: apply_update(st.session_state.get(key), question_id, save, applied))


def reflection_boxes(ctx: Context, page: str) -> None:
    """One box per reflection question of the page, saved to the reflections file while the student types
    (``lesson.app.answer_box``).

    The file is the truth: a new session starts from it, and an answer edited in the file by hand (while the
    app runs) replaces what the box held. Saving merges: only the changed answer is rewritten.
    """
    from lesson.reflections import load_answers

    path = Path(ctx.settings.reflections_path)
    questions = questions_on(page)
    baseline = st.session_state.setdefault(state_keys.REFLECTION_BASELINE, {})  # id -> the text the box was given
    versions = st.session_state.setdefault(state_keys.REFLECTION_VERSIONS, {})
    saved_at = st.session_state.setdefault(state_keys.REFLECTION_SAVED_AT, {})
    try:
        on_disk = load_answers(path)
    except (OSError, UnicodeDecodeError) as error:
        st.error(f"Could not read your reflections from {path}: {error}. Your typing is kept in this window, but "
                 "copy it somewhere safe until the file is readable again.", icon="🚧")
        on_disk = None
    st.markdown("### 📝 Reflections")
    st.caption(f"Your answers are saved to `{shown_path(path)}` as you type (a moment after you pause). You can "
               "also edit that file by hand.")
    for question in questions:
        if on_disk is not None and baseline.get(question.id) != on_disk.get(question.id, ""):
            baseline[question.id] = on_disk.get(question.id, "")  # a new session, or edited outside this window
            versions[question.id] = versions.get(question.id, 0) + 1
            saved_at.pop(question.id, None)
        st.markdown(f"**{question.id}.** {question.prompt}")
        if question.demo_note and not ctx.bank.is_pretrained:  # demo mode: say what to expect, do not mislead
            st.info(f"**Demo mode (not the pretrained network).** {question.demo_note}", icon="🧪")
        reflection_box(question.id, f"{question.id}. {question.prompt}", baseline.get(question.id, ""),
                       versions.get(question.id, 0),
                       f"Saved at {saved_at[question.id]}" if question.id in saved_at else "",
                       lambda question_id, text: _store_answer(path, question_id, text))
        problem = st.session_state.get(state_keys.reflection_error(question.id))
        if problem:
            st.error(problem, icon="🚧")


def _store_answer(path: Path, question_id: str, text: str) -> None:
    """Write one answer into the reflections file (merging with the others); a failure is shown under the box."""
    from lesson.reflections import load_answers, save_answers

    try:
        answers = load_answers(path)
        answers[question_id] = text
        save_answers(path, answers)
    except (OSError, UnicodeDecodeError) as error:
        _log.exception("could not save reflection %s", question_id)
        st.session_state[state_keys.reflection_error(question_id)] = (
            f"Could not save this answer to {path}: {error}. It is still in the box; copy it somewhere safe.")
        return
    st.session_state.pop(state_keys.reflection_error(question_id), None)
    # What the file holds now came from this window: the next run must not give it back to the box as an edit
    # from outside (the box may already hold newer typing).
    st.session_state.setdefault(state_keys.REFLECTION_BASELINE, {})[question_id] = load_answers(path).get(question_id, "")
    st.session_state.setdefault(state_keys.REFLECTION_SAVED_AT, {})[question_id] = time.strftime("%H:%M:%S")
