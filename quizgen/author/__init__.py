"""The author's tools: a new pack, drafts of facts from a source text, and the live preview server."""
