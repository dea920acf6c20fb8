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


# What a call or stream should see: the prop only (the debug layers are the window's).
VIRTUAL_CAMERA_LAYERS = OverlayOptions(
    keypoints=False, boxes=False, pose=False, gaze=False, hud=False
)


@dataclass(frozen=True)
class StreamConfig:
    """Where results go beyond the window and files (see fkd_live/streams.py)."""

    opentrack: tuple[str, int] | None = None  # (host, port) of opentrack's UDP input
    vmc: tuple[str, int] | None = None  # (host, port) of a VMC receiver
    virtual_camera: str | None = None  # None: off; "": the first free device; else its name
    virtual_camera_layers: OverlayOptions = VIRTUAL_CAMERA_LAYERS  # the prop is always drawn
    centre_on_start: bool = False  # the first pose sent becomes the neutral one


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
    streams: StreamConfig = field(default_factory=StreamConfig)
