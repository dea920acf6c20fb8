"""A detector for the demo source that needs no model file, so window tests always run.

It answers where BlazeFace finds the astronaut's face in the demo's portrait (measured once:
`make_detector(...).detect(skimage.data.astronaut())`), carried through the demo's motion
(its turn included) at `t`. The pipeline calls a detector with the frame only, so `t` is the
caller's: window tests run a few frames (a fraction of a second), over which the face moves a
few pixels, which the tracker absorbs as it absorbs a real detector's error.
"""

import numpy as np

from fkd_live.adapters.sources import DemoSource
from fkd_live.core.faces import Detection

PORTRAIT_BOX = (177.6, 82.9, 95.3, 95.3)  # x, y, w, h in the 512x512 portrait
PORTRAIT_EYES = ((201.5, 104.9), (245.8, 109.1))  # image-left, image-right


class DemoFaceDetector:
    name = "scripted demo face"

    def __init__(self, source: DemoSource, t: float = 0.0) -> None:
        self.source, self.t = source, t
        self.calls = 0

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        self.calls += 1
        x, y, w, h = PORTRAIT_BOX
        corners = self.source.place([(x, y), (x + w, y), (x, y + h), (x + w, y + h)], self.t)
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
        eyes = self.source.place(PORTRAIT_EYES, self.t)
        return [Detection(box=(x0, y0, x1 - x0, y1 - y0), score=0.95, eyes=eyes)]

    def close(self) -> None:
        pass
