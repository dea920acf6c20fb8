"""fkd-live: real-time webcam AR overlay driven by five facial keypoints."""

__version__ = "0.1.0"
