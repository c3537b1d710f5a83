"""The learner's side: a study deck, typed answers, the terminal drill and the review of a question pool."""
