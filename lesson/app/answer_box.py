"""The reflection answer boxes: one per question of a page, saving while the student types, losing nothing.

Each box is a small ``st.components.v2`` component (inline HTML, CSS and JavaScript, no build step, no iframe).
It sends ``{text, at, base}`` a moment after typing pauses (``DEBOUNCE_MS``), at once on blur, Ctrl+Enter,
hiding the tab, leaving or reloading the page: ``at`` is the browser's timestamp (a late or replayed update
never overwrites newer text) and ``base`` the text the box last shared with the file, so the save is a
three-way merge with what the file holds now (another tab, another process, an editor: nothing is lost).

The box keeps its text until the app confirms the save (``data.ack`` names the update saved): while a save
is not confirmed it says so in a visible warning, keeps a copy in the browser's ``localStorage`` (restored when
the box comes back, e.g. after a reload the server never heard of) and sends again when the app answers again
(a new server session after a restart, or every few seconds). It takes text from the file (``data.value``)
only when the file changed outside it and the box holds nothing unsaved.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
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
UNCONFIRMED_MS = 4000  # a save not confirmed this long is shown as a warning
RETRY_MS = 5000  # an unconfirmed save is sent again this often


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
.status.unsaved { opacity: 1; font-weight: 600; color: #9a3412; background: #ffedd5; border-radius: 0.3rem;
                  padding: 0.2rem 0.4rem; text-align: left; }
"""


_JS = """
export default function (component) {
  const { parentElement, data, setStateValue } = component;
  const box = parentElement.querySelector("textarea.answer");
  const status = parentElement.querySelector(".status");
  const st = box._st || (box._st = { base: null, sent: null, seen: null, session: null, last: 0 });
  st.setStateValue = setStateValue;
  st.data = data;
  box.setAttribute("aria-label", data.label);
  box.placeholder = data.placeholder;
  const storeKey = "lesson-reflection:" + data.store_key;
  const same = (a, b) => String(a ?? "").trim() === String(b ?? "").trim();
  const unsaved = () => !same(box.value, st.base);
  const remember = () => {
    try {
      if (unsaved()) localStorage.setItem(storeKey, JSON.stringify({ text: box.value, base: st.base }));
      else localStorage.removeItem(storeKey);
    } catch (error) { /* storage disabled: the server copy is all there is */ }
  };
  const show = () => {
    const late = st.sent && Date.now() - st.sent.at > st.data.unconfirmed_ms;
    status.classList.toggle("unsaved", Boolean(late));
    if (late) status.textContent = "⚠️ Not saved yet: the app has not confirmed it (connection lost or app "
      + "restarting?). Your text is kept in this browser and is sent again when the app is back.";
    else if (st.sent) status.textContent = "Saving …";
    else if (unsaved()) status.textContent = "Not saved yet …";
    else status.textContent = st.data.status;
  };
  const send = () => {
    clearTimeout(st.timer);
    st.timer = undefined;
    if (!unsaved()) { st.sent = null; show(); return; }
    st.last = Math.max(Date.now(), st.last + 1);
    st.sent = { text: box.value, at: st.last, base: st.base };
    remember();
    st.setStateValue("text", st.sent);
    clearTimeout(st.retry);
    st.retry = setTimeout(() => { show(); if (st.sent) send(); }, st.data.retry_ms);
    setTimeout(show, st.data.unconfirmed_ms + 50);
    show();
  };
  if (st.base === null) {  // this box just appeared: the file's text, or an unsaved copy kept in the browser
    st.base = data.value;
    box.value = data.value;
    try {
      const kept = JSON.parse(localStorage.getItem(storeKey) || "null");
      if (kept && typeof kept.text === "string" && !same(kept.text, data.value)) {
        box.value = kept.text;
        st.base = typeof kept.base === "string" ? kept.base : data.value;
      } else if (kept) localStorage.removeItem(storeKey);
    } catch (error) { /* nothing kept */ }
    st.seen = data.version + "\\u0000" + data.value;
    st.session = data.session;
  }
  if (st.sent && data.ack && data.ack.at === st.sent.at) {  // saved: the file holds data.ack.text now
    if (same(box.value, st.sent.text)) {
      if (!same(box.value, data.ack.text)) box.value = data.ack.text;  // merged with another edit: show both
      st.base = data.ack.text;
    } else st.base = st.sent.text;  // typed on meanwhile: the next save merges from what was sent
    st.sent = null;
    clearTimeout(st.retry);
    remember();
  }
  const seen = data.version + "\\u0000" + data.value;
  if (seen !== st.seen) {  // the file changed outside this box: take it, unless the box holds unsaved text
    st.seen = seen;
    if (!unsaved() && !st.sent) { box.value = data.value; st.base = data.value; remember(); }
    else if (st.sent && same(data.value, st.sent.text)) { st.base = data.value; remember(); }  // saved, ack lost
  }
  if (data.session !== st.session) {  // a new server session (the app restarted): send what is unsaved
    st.session = data.session;
    if (unsaved()) send();
  } else if (unsaved() && !st.timer && !st.sent) send();  // e.g. restored from the browser's copy
  show();
  box.oninput = () => {
    remember();
    clearTimeout(st.timer);
    st.timer = setTimeout(send, st.data.debounce_ms);
    show();
  };
  box.onblur = send;
  box.onkeydown = (event) => { if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) send(); };
  st.send = send;
  if (!st.onFlush) {  // once per box: flush on hiding the tab, leaving or reloading the page
    st.onFlush = () => st.send();
    st.onHide = () => { if (document.hidden) st.send(); };
    document.addEventListener("visibilitychange", st.onHide);
    window.addEventListener("pagehide", st.onFlush);
    window.addEventListener("beforeunload", st.onFlush);
  }
  return () => {
    if (unsaved() && !st.sent) send();
    if (!box.isConnected) {  // gone (another page): the ack can never reach this box, so it stops resending (a
      // rerun every RETRY_MS that would cut short whatever the next page runs); an unconfirmed text stays in
      // localStorage, and the box sends it again when it comes back
      clearTimeout(st.retry);
      document.removeEventListener("visibilitychange", st.onHide);
      window.removeEventListener("pagehide", st.onFlush);
      window.removeEventListener("beforeunload", st.onFlush);
      st.onFlush = undefined;
    }
  };
}
"""


_component = st.components.v2.component("lesson_reflection_box", html=_HTML, css=_CSS, js=_JS)


def update_of(state) -> tuple[str, float, str | None] | None:
    """``(text, timestamp in ms, base text or None)`` of the latest update a box sent (its session-state value),
    or None if malformed."""
    update = state.get("text") if hasattr(state, "get") else None
    if not hasattr(update, "get"):
        return None
    text, at, base = update.get("text"), update.get("at"), update.get("base")
    if not isinstance(text, str) or isinstance(at, bool) or not isinstance(at, (int, float)):
        return None
    return text, float(at), base if isinstance(base, str) else None


def apply_update(state, question_id: str, save: Callable[[str, str, str | None, float], None], applied: dict) -> bool:
    """Save the box's latest update unless it is not newer than the last one applied (``applied``: question id
    -> timestamp, kept in session state): ``save(question_id, text, base, at)``. True if saved."""
    update = update_of(state)
    if update is None or update[1] <= applied.get(question_id, float("-inf")):
        return False
    applied[question_id] = update[1]
    save(question_id, update[0], update[2], update[1])
    return True


def reflection_box(question_id: str, label: str, text: str, version: int, status: str,
                   save: Callable[[str, str, str | None, float], None], *, store_key: str = "", ack=None) -> None:
    """One answer box (session-state key ``reflection_<id>``). ``text`` is offered when the box appears and when
    ``version`` changes; ``save(question_id, text, base, at)`` runs for each newer update, before the rerun it
    causes; ``ack`` (``{"at", "text"}``) tells the box which update was saved."""
    key = f"reflection_{question_id}"
    applied = st.session_state.setdefault(state_keys.REFLECTION_APPLIED, {})
    session = st.session_state.setdefault(state_keys.REFLECTION_SESSION, uuid.uuid4().hex)
    _component(key=key, data={"value": text, "version": version, "label": label, "status": status,
                              "placeholder": "Write your answer here …", "debounce_ms": DEBOUNCE_MS,
                              "unconfirmed_ms": UNCONFIRMED_MS, "retry_ms": RETRY_MS, "ack": ack,
                              "session": session, "store_key": f"{store_key}:{question_id}"},
               on_text_change=lambda: apply_update(st.session_state.get(key), question_id, save, applied))


def _read_or_offer_conversion(path: Path, page: str) -> dict[str, str] | None:
    """The file's answers; None (with the problem shown, and a button to convert a non-UTF-8 file) if unusable."""
    from lesson.reflections import ReflectionsFileError, convert_to_utf8, load_answers

    try:
        return load_answers(path)
    except ReflectionsFileError as error:
        st.error(f"{error}\n\nUntil then your typing is kept in this browser (not in the file).", icon="🚧")
        if error.kind == "encoding" and st.button("Convert to UTF-8", key=f"convert_reflections_{page}", icon="🔧"):
            try:
                convert_to_utf8(path)
            except OSError as problem:
                st.error(f"Could not convert {path}: {problem}", icon="🚧")
                return None
            st.rerun()
        return None


def reflection_boxes(ctx: Context, page: str) -> None:
    """One box per reflection question of the page, saved to the reflections file while the student types.

    The file is the truth: a new session starts from it, and an answer edited in the file by hand (while the
    app runs) is given to the box. Saving merges per question with what the file holds at that moment.
    """
    path = Path(ctx.settings.reflections_path)
    store_key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    baseline = st.session_state.setdefault(state_keys.REFLECTION_BASELINE, {})  # id -> text shared with the file
    versions = st.session_state.setdefault(state_keys.REFLECTION_VERSIONS, {})
    saved_at = st.session_state.setdefault(state_keys.REFLECTION_SAVED_AT, {})
    acks = st.session_state.setdefault(state_keys.REFLECTION_ACKS, {})
    st.markdown("### 📝 Reflections")
    on_disk = _read_or_offer_conversion(path, page)
    st.caption(f"Your answers are saved to `{shown_path(path)}` as you type (a moment after you pause). You can "
               "also edit that file by hand.")
    for question in questions_on(page):
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
                       lambda question_id, text, base, at: _store_answer(path, question_id, text, base, at),
                       store_key=store_key, ack=acks.get(question.id))
        for key, show in ((state_keys.reflection_merged(question.id), st.warning),
                          (state_keys.reflection_error(question.id), st.error)):
            if st.session_state.get(key):
                show(st.session_state[key], icon="🔀" if show is st.warning else "🚧")


def _store_answer(path: Path, question_id: str, text: str, base: str | None, at: float = 0.0) -> None:
    """Merge one answer into the reflections file; a failure is shown under the box (which keeps the text)."""
    from lesson.reflections import ReflectionsFileError, update_answers

    baseline = st.session_state.setdefault(state_keys.REFLECTION_BASELINE, {})
    if base is None:  # an update without its base: it started from what this session last shared with the file
        base = baseline.get(question_id)
    try:
        saved = update_answers(path, {question_id: (base, text)})[question_id]
    except (OSError, ReflectionsFileError) as error:
        _log.warning("could not save reflection %s: %s", question_id, error)
        st.session_state[state_keys.reflection_error(question_id)] = (
            f"Could not save this answer to {path}: {error} It is still in the box and kept in this browser; it "
            "is saved as soon as the file can be written.")
        return
    st.session_state.pop(state_keys.reflection_error(question_id), None)
    merged_key = state_keys.reflection_merged(question_id)
    if saved.merged:
        st.session_state[merged_key] = (
            "This answer was also changed elsewhere (another tab or window, or your editor) at the same time: "
            + ("both versions of the words you both changed are in the box now; keep what you want and delete the "
               "rest." if saved.overlapped else "both changes are kept in the box now."))
        st.session_state.setdefault(state_keys.REFLECTION_VERSIONS, {})[question_id] = (
            st.session_state[state_keys.REFLECTION_VERSIONS].get(question_id, 0) + 1)
    else:
        st.session_state.pop(merged_key, None)
    # What the file holds now came through this window: the next run must not give it back to the box as an edit
    # from outside (the box may already hold newer typing).
    baseline[question_id] = saved.text
    st.session_state.setdefault(state_keys.REFLECTION_ACKS, {})[question_id] = {"at": at, "text": saved.text}
    st.session_state.setdefault(state_keys.REFLECTION_SAVED_AT, {})[question_id] = time.strftime("%H:%M:%S")
