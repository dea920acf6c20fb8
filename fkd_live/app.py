"""Wiring: build the source, models and pipeline from a RunConfig, then run the window."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

import cv2

from .adapters.detector import make_detector
from .adapters.grabber import ThreadedSource
from .adapters.runtime import KeypointModel, shipped_model_path
from .adapters.sources import (
    CameraSource,
    DemoSource,
    FrameSource,
    ImageSource,
    SourceError,
    VideoSource,
)
from .config import RunConfig, SourceConfig
from .pipeline import Pipeline

log = logging.getLogger(__name__)


def open_source(cfg: SourceConfig) -> FrameSource:
    if cfg.kind == "video":
        return VideoSource(cfg.path)
    if cfg.kind == "image":
        return ImageSource(cfg.path)
    if cfg.kind == "demo":
        return DemoSource()
    return CameraSource(cfg.camera, cfg.size, cfg.fps)


def load_model(cfg: RunConfig) -> KeypointModel:
    path = Path(cfg.model) if cfg.model else shipped_model_path()
    return KeypointModel(path, device=cfg.device, threads=cfg.threads)


def build_pipeline(cfg: RunConfig) -> Pipeline:
    model = load_model(cfg)
    detector = make_detector(cfg.detector_model, cfg.pipeline.min_score, cfg.download)
    return Pipeline(detector, model, cfg.pipeline)


def run_app(cfg: RunConfig) -> int:
    """Open the live window, or run headless; returns the process exit code."""
    pipeline = build_pipeline(cfg)  # fails fast (runtime, model, detector) before any window
    try:
        source: FrameSource = ThreadedSource(open_source(cfg.source))
    except SourceError:
        pipeline.close()
        raise
    try:
        if cfg.headless:
            from .headless import run_headless

            return run_headless(source, pipeline, cfg)
        from .ui.app import run_qt

        return run_qt(source, pipeline, cfg)
    finally:
        source.close()
        pipeline.close()


def probe_cameras(max_index: int) -> list[tuple[int, int, int]]:
    """(index, width, height) of each camera index below `max_index` that opens and reads."""
    found = []
    for index in range(max_index):
        cap = cv2.VideoCapture(index)
        try:
            if cap.isOpened():
                ok, frame = cap.read()
                if ok and frame is not None:
                    found.append((index, frame.shape[1], frame.shape[0]))
        finally:
            cap.release()
    return found


def list_cameras_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="fkd-live cameras", description="List the cameras that can be opened."
    )
    parser.add_argument("--max-index", type=int, default=10, help="indices to try (default 10)")
    args = parser.parse_args(list(argv))
    cameras = probe_cameras(args.max_index)
    if not cameras:
        print(f"no camera could be opened (tried indices 0-{args.max_index - 1})")
        return 1
    for index, w, h in cameras:
        print(f"camera {index}: {w}x{h}   (fkd-live --camera {index})")
    return 0
