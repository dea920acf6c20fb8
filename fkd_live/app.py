"""Wiring: build the source, models and pipeline from a RunConfig, then run the window."""

from __future__ import annotations

import logging
from pathlib import Path

from .adapters.grabber import ThreadedSource
from .adapters.sources import (
    CameraSource,
    DemoSource,
    FrameSource,
    ImageSource,
    VideoSource,
)
from .adapters.video_out import check_target
from .api import Tracker
from .config import RunConfig, SourceConfig
from .core.files import check_writable
from .core.props import choose_prop, load_props, shipped_props_folder, user_props
from .display import check_display
from .streams import Streams

log = logging.getLogger(__name__)


def open_source(cfg: SourceConfig) -> FrameSource:
    if cfg.kind == "video":
        return VideoSource(cfg.path)
    if cfg.kind == "image":
        return ImageSource(cfg.path)
    if cfg.kind == "demo":
        return DemoSource(cfg.size) if cfg.size else DemoSource()
    return CameraSource(cfg.camera, cfg.size, cfg.fps)


def check_prop(cfg: RunConfig) -> None:
    """`PropError` now for a `--prop` that names no prop, even in a mode that draws none
    (a typo should not pass silently). Reads the JSON only: no Qt."""
    if cfg.prop is None or cfg.prop.lower() == "none":
        return
    props = load_props(shipped_props_folder())
    if cfg.props_dir:
        props += user_props(Path(cfg.props_dir))[0]
    choose_prop(props, cfg.prop)


def check_outputs(cfg: RunConfig) -> None:
    """`OutputError` now, before anything opens, for an output path that cannot be written."""
    if cfg.keypoints_out:
        check_writable(cfg.keypoints_out)
    if cfg.output:
        check_target(Path(cfg.output))  # its suffix names a codec, and a file can go there


def run_app(cfg: RunConfig) -> int:
    """Open the live window, or run headless; returns the process exit code."""
    # Fail fast (display, source, runtime, model, detector, virtual camera) before any window
    # opens.
    if not cfg.headless:
        check_display()
    check_outputs(cfg)
    check_prop(cfg)
    # The source first: its thread decodes the first frames while the models load.
    source: FrameSource = ThreadedSource(open_source(cfg.source))
    try:
        tracker = Tracker.from_config(cfg).prepare()
    except BaseException:
        source.close()
        raise
    try:
        streams = Streams(cfg.streams, source.size, source.fps)
    except BaseException:
        source.close()
        tracker.close()
        raise
    try:
        if cfg.headless:
            from .headless import run_headless

            return run_headless(source, tracker, cfg, streams)
        from .ui.app import run_qt

        return run_qt(source, tracker, cfg, streams)
    finally:
        streams.close()
        source.close()
        tracker.close()
