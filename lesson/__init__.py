"""The lesson's data layer (stimuli, network, activation bank) and its Streamlit app; torch is imported only on demand."""

from lesson.config import Settings
from lesson.layers import LAYER_PATHS, LAYERS, display_name

__all__ = ["Settings", "LAYERS", "LAYER_PATHS", "display_name"]
