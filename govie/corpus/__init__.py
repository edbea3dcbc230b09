"""The annotated corpus: standoff records (:mod:`.records`), splits and statistics (:mod:`.split`), the Hugging
Face dataset (:mod:`.hf`), CSV views (:mod:`.dataset`), drafts (:mod:`.draft`), annotation-tool formats
(:mod:`.interop`), the ``govie corpus`` commands (:mod:`.cli`, :mod:`.commands`, :mod:`.exchange`) and ``govie
annotate`` with a running Label Studio (:mod:`.labelstudio`). Development-time code: the shipped pipeline imports
none of it."""
from .hf import load_dataset, to_dataset
from .records import (DEFAULT_CORPUS, KINDS, LABELS, LAYOUTS, RELATIONS, SPLITS, CorpusDoc, CorpusError,
                      CorpusNotFound, Problem, default_reports_dir, load_corpus, load_record, reports_dirs,
                      resolve_corpus_dir, validate)

__all__ = ["DEFAULT_CORPUS", "KINDS", "LABELS", "LAYOUTS", "RELATIONS", "SPLITS", "CorpusDoc", "CorpusError",
           "CorpusNotFound", "Problem", "default_reports_dir", "load_corpus", "load_dataset", "load_record",
           "reports_dirs", "resolve_corpus_dir", "to_dataset", "validate"]
