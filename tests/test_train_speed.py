"""The speed report: per-face time, file size and each later model's ratio to the first."""

from train.speed import SpeedResult, speed_lines


def test_speed_lines_give_per_face_time_size_and_ratio_to_the_first(tmp_path):
    a, b = tmp_path / "a.onnx", tmp_path / "b.onnx"
    a.write_bytes(b"x" * 2**20)  # 1.00 MB
    b.write_bytes(b"x" * 2**19)  # 0.50 MB
    results = [
        SpeedResult(batch=4, threads=1, median_ms=2.0, p95_ms=3.0, provider="CPUExecutionProvider"),
        SpeedResult(batch=4, threads=1, median_ms=1.5, p95_ms=2.5, provider="CPUExecutionProvider"),
    ]
    first, second = speed_lines([a, b], results)
    assert first == (
        "a.onnx: 0.500 ms per face (batch 4, 1 thread(s), CPUExecutionProvider; "
        "call median 2.000 ms, p95 3.000 ms); file 1.00 MB"
    )
    assert second.startswith("b.onnx: 0.375 ms per face")
    assert second.endswith("file 0.50 MB; 0.75x the first's time")
