"""The lesson, in layers that import only downwards (ARCHITECTURE.md): this kernel (settings, the curriculum, the
reference check, atomic writes, the student's files), ``data/`` (stimuli, network, the activation bank),
``analysis/`` (pure numpy on a bank) and ``app/`` (the Streamlit app). torch is imported only on demand."""

from lesson.config import Settings

__all__ = ["Settings"]
