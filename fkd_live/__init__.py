"""fkd-live: real-time webcam AR overlay driven by five facial keypoints.

`from fkd_live import Tracker` is the Python API (see `fkd_live.api`); `Face`, `HeadPose` and
`FrameResult` are what it returns. They load on first use, so `import fkd_live` stays cheap
(no onnxruntime, no OpenCV) for tools that only need the version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Face", "FrameResult", "HeadPose", "Tracker", "__version__"]

if TYPE_CHECKING:
    from .api import Tracker
    from .core.faces import Face, FrameResult
    from .core.pose import HeadPose

_HOMES = {
    "Tracker": "fkd_live.api",
    "Face": "fkd_live.core.faces",
    "FrameResult": "fkd_live.core.faces",
    "HeadPose": "fkd_live.core.pose",
}


def __getattr__(name: str) -> Any:
    """The public names, imported when first asked for (PEP 562)."""
    if name in _HOMES:
        import importlib

        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fkd_live' has no attribute {name!r}")
