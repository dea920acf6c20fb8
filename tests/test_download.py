"""Detector model download: pinned SHA-256, atomic write, progress, offline fallback to Haar."""

import hashlib
import io
import logging

import pytest

from fkd_live.adapters.detector import (
    DETECTOR_SHA256,
    BlazeFaceDetector,
    HaarDetector,
    make_detector,
    user_cache_model,
)
from fkd_live.adapters.download import DownloadError, download


def test_download_checks_the_hash_and_writes_atomically(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 200_000)
    good = hashlib.sha256(src.read_bytes()).hexdigest()
    dest = tmp_path / "cache" / "model.bin"
    log = io.StringIO()
    assert download(src.as_uri(), dest, good, stream=log) == dest
    assert dest.read_bytes() == src.read_bytes()
    assert "downloading model.bin" in log.getvalue()
    assert "downloaded 0.20 MB" in log.getvalue()
    assert [p.name for p in dest.parent.iterdir()] == ["model.bin"]  # no temp file left


def test_a_wrong_hash_leaves_nothing_and_keeps_an_old_file(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"tampered")
    dest = tmp_path / "cache" / "model.bin"
    dest.parent.mkdir()
    dest.write_bytes(b"old")
    with pytest.raises(DownloadError, match="expected 00"):
        download(src.as_uri(), dest, "00" * 32, stream=io.StringIO())
    assert dest.read_bytes() == b"old"
    assert [p.name for p in dest.parent.iterdir()] == ["model.bin"]


def test_unreachable_address_is_a_download_error(tmp_path):
    with pytest.raises(DownloadError, match="cannot download"):
        download((tmp_path / "missing").as_uri(), tmp_path / "m.bin", "00" * 32)
    assert not (tmp_path / "m.bin").exists()


def test_make_detector_downloads_blazeface_once_into_the_user_cache(
    detector_model, monkeypatch, capsys
):
    assert hashlib.sha256(detector_model.read_bytes()).hexdigest() == DETECTOR_SHA256
    monkeypatch.setenv("FKD_LIVE_DETECTOR_URL", detector_model.as_uri())
    det = make_detector(None)
    try:
        assert isinstance(det, BlazeFaceDetector)
    finally:
        det.close()
    assert user_cache_model().read_bytes() == detector_model.read_bytes()
    assert "downloaded 0.23 MB" in capsys.readouterr().err
    monkeypatch.setenv("FKD_LIVE_DETECTOR_URL", "file:///nonexistent/again.tflite")
    det = make_detector(None)  # found in the cache now: no second download
    det.close()
    assert isinstance(det, BlazeFaceDetector)


def test_offline_without_a_model_falls_back_to_haar_with_one_warning(caplog):
    with caplog.at_level(logging.WARNING):
        det = make_detector(None)
    assert isinstance(det, HaarDetector)
    (record,) = caplog.records
    assert "Haar cascade" in record.getMessage()
    assert "cannot download" in record.getMessage()
    assert "\n" not in record.getMessage()
    assert not user_cache_model().exists()


def test_no_download_goes_straight_to_haar(caplog, monkeypatch, detector_model):
    monkeypatch.setenv("FKD_LIVE_DETECTOR_URL", detector_model.as_uri())
    with caplog.at_level(logging.WARNING):
        det = make_detector(None, allow_download=False)
    assert isinstance(det, HaarDetector)
    assert "downloads are off" in caplog.text
    assert not user_cache_model().exists()


def test_the_haar_fallback_finds_a_real_face():
    from skimage import data

    astronaut = data.astronaut()  # public domain; her face is around x 160-260, y 70-190
    (det,) = HaarDetector().detect(astronaut)
    x, y, w, h = det.box
    assert 150 < x + w / 2 < 260
    assert 80 < y + h / 2 < 190
    assert 60 < w < 160
