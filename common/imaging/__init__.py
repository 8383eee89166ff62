"""Image bytes: validation by content, metadata-free renditions, and the model's input."""
