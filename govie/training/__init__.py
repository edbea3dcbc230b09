"""Training (:mod:`.train`) and evaluation (:mod:`.evaluate`) of the pipeline: development-time code."""
