"""The app's configuration: argparse fills these frozen dataclasses in one place (cli.py).

A leaf: it imports only the pure-numpy core, so reading an option type loads no OpenCV,
onnxruntime or Qt. Each part goes where it is used: `PipelineConfig` to the pipeline,
`OverlayOptions` to the drawing, `StreamConfig` to the senders, `RunConfig` holds them all."""

from __future__ import annotations

from dataclasses import dataclass, field

from .core.pose import DEFAULT_FOV_DEG, focal_length
from .core.smoothing import OneEuroConfig

SOURCE_KINDS = ("camera", "video", "image", "demo")
OVERLAY_LAYERS = ("keypoints", "boxes", "pose", "gaze", "hud")


@dataclass(frozen=True)
class PipelineConfig:
    max_faces: int = 1
    min_score: float = 0.5
    # Frames between detector runs while faces are tracked; 1 = detect on every frame.
    redetect_every: int = 30
    # While fewer faces are tracked than `max_faces`, the detector runs every this many frames
    # to find the others (a face coming into view, or back), as MediaPipe does on every frame.
    search_every: int = 3
    # A tracked face whose keypoints fit the template worse than this (RMS residual as a
    # fraction of the eye distance, see core.tracking.shape_error) counts as lost. Frontal
    # faces score under 0.2 and profiles about 0.3; a model answering a lost crop can do more.
    max_shape_error: float = 0.5
    # Run a face framed from the detector (new, or found again) twice: the detector's eyes are
    # coarse, so the first answer frames the second crop the way tracking would. Costs one more
    # model call per detected face; on the 812 held-out CelebA photos it took the shipped
    # model's median NME from 2.68% to 2.46% and its mean from 3.49% to 3.03%, 0.32 of that
    # one near-profile photo whose implausible first answer it drops (`benchmarks.live_quality
    # --clips 0 --photos 1000 --sources celeba --worst 3`, with and without --no-refine).
    refine_detections: bool = True
    smoothing: OneEuroConfig | None = field(default_factory=OneEuroConfig)  # None: off
    # A face whose crop the model's readable-face score (models with one: `ModelSpec.score_name`)
    # puts under this counts as lost, and the detector looks again at once. 0 turns it off.
    min_readable: float = 0.1
    # A tracked face's crop is placed on a grid of this many input pixels (and the matching
    # steps of scale and angle, `core.tracking.snap_crop`), so the loop from answer to next
    # crop settles instead of drifting with the model's rounding noise: with 0 (off), moving
    # every timestamp of d13.mp4 by 1e-7 s moved its keypoints by up to 2 px, with 0.25 by 0
    # (`benchmarks.time_sensitivity`), at the same still-face jitter and moving-face NME.
    crop_step: float = 0.25
    # The camera's horizontal field of view, for head pose (distances scale with it).
    fov: float = DEFAULT_FOV_DEG

    def __post_init__(self) -> None:
        if self.max_faces < 1:
            raise ValueError(f"max_faces must be at least 1, got {self.max_faces}")
        if self.crop_step < 0:
            raise ValueError(f"crop_step must be non-negative, got {self.crop_step}")
        if self.redetect_every < 1 or self.search_every < 1:
            raise ValueError("redetect_every and search_every must be at least 1")
        focal_length(1, self.fov)  # raises ValueError outside (0, 180) degrees


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
