"""`quizgen build`: options, the plan of documents, the render cache, the manifest, progress, and the run."""
