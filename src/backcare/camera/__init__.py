"""Camera adapters: pose backends, image and video input, smoothing and annotated output."""
