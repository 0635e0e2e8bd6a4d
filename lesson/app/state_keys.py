"""Every key the app keeps in ``st.session_state`` (one session = one browser tab), in one place."""

OWN_IMAGES = "lesson_own_images"  # the folder of the student's own images, while shown
OWN_IMAGES_REQUEST = "lesson_own_images_request"  # the folder asked for by "Use these images", until answered
OWN_IMAGES_PROBLEM = "lesson_own_images_problem"  # (path typed, message) of the last failed try
OWN_IMAGES_UNREADABLE = "lesson_own_images_unreadable"  # (folder, its unreadable files)
UNTRAINED = "lesson_untrained_on"  # the untrained network is asked for (pages 2, 3 and 4)
CHECKS = "lesson_checks"  # exercise name -> the latest Check's CheckState
LAST_REPORT = "lesson_last_report"  # the grader's report of the latest Check
CHECK_JOB = "lesson_check_job"  # the latest Check (lesson.app.check_jobs.CheckJob), running or done
REFLECTION_APPLIED = "lesson_reflection_applied"  # question id -> timestamp of the newest update applied
REFLECTION_BASELINE = "lesson_reflection_baseline"  # question id -> the text the box and the file last shared
REFLECTION_VERSIONS = "lesson_reflection_versions"  # question id -> bumped when the file changed outside the box
REFLECTION_SAVED_AT = "lesson_reflection_saved_at"  # question id -> "HH:MM:SS" of the last save
REFLECTION_ACKS = "lesson_reflection_acks"  # question id -> {"at": ms of the update saved, "text": the file's text}
REFLECTION_SESSION = "lesson_reflection_session"  # a random id: the boxes resend unsaved text to a new session


def reflection_error(question_id: str) -> str:
    """The message of the last failed save of one answer."""
    return f"lesson_reflection_error_{question_id}"


def reflection_merged(question_id: str) -> str:
    """The note shown after another edit of this answer (another tab, an editor) was merged into it."""
    return f"lesson_reflection_merged_{question_id}"
