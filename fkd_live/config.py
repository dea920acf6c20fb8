"""The app's configuration: argparse fills these frozen dataclasses in one place (cli.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .pipeline import PipelineConfig

SOURCE_KINDS = ("camera", "video", "image", "demo")
OVERLAY_LAYERS = ("keypoints", "boxes", "pose", "gaze", "hud")


@dataclass(frozen=True)
class OverlayOptions:
    """Which overlay layers are drawn (the window's View menu toggles them)."""

    keypoints: bool = True
    boxes: bool = True
    pose: bool = True
    gaze: bool = True
    hud: bool = True


@dataclass(frozen=True)
class SourceConfig:
    kind: str = "camera"
    camera: int = 0
    path: str = ""
    size: tuple[int, int] | None = None
    fps: float = 0.0


@dataclass(frozen=True)
class RunConfig:
    source: SourceConfig = field(default_factory=SourceConfig)
    model: str | None = None  # None: the model shipped inside the package
    device: str = "auto"
    threads: int = 1  # one face's 80x80 crop is too little work to share between threads
    detector_model: str | None = None
    download: bool = True  # fetch the detector model when no file is found
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    frames: int = 0  # stop after this many frames (0 = run until closed or the source ends)
    headless: bool = False  # no window: run the pipeline only
    keypoints_out: str | None = None  # JSON lines, one per frame (implies headless)
    screenshot_dir: str = "."
    output: str | None = None  # annotated video (drawn offscreen; implies headless)
    overlay: OverlayOptions = field(default_factory=OverlayOptions)
    prop: str | None = None  # prop shown first (its file stem, e.g. "glasses"); None: none
    props_dir: str | None = None  # a folder of the user's own props, added to the shipped ones
