"""Adapters around OpenCV, onnxruntime and mediapipe (no Qt here)."""
