"""Stage 4 of ``govie train`` (issue #17): DocBins reused across relation tuning runs only when they were
written from the same documents and tokenizer."""
from __future__ import annotations

from govie.corpus.records import CorpusDoc
from govie.training.train import DOCBIN_STAMP, make_tokenizer_nlp, stage_docbins


def _docs(total="122条"):
    text = f"主动公开政府信息{total}，其中网站公开98条。"
    ents = [{"id": "e1", "label": "METRIC", "start": 0, "end": 8, "text": text[0:8]},
            {"id": "e2", "label": "QUANTITY", "start": 8, "end": 8 + len(total), "text": total, "value": 122,
             "unit": "条"}]
    rels = [{"type": "VALUE_OF", "head": "e2", "tail": "e1"}]
    return [CorpusDoc("t1", text, {}, ents, rels, "train")], [CorpusDoc("d1", text, {}, ents, rels, "dev")]


def test_docbins_are_reused_only_for_the_same_documents(tmp_path) -> None:
    nlp = make_tokenizer_nlp(None)
    train, dev = _docs()
    assert stage_docbins(nlp, train, dev, tmp_path, reuse=True) == 0  # nothing there yet: written
    assert (tmp_path / DOCBIN_STAMP).is_file()
    written = (tmp_path / "train.spacy").stat().st_mtime_ns
    assert stage_docbins(nlp, train, dev, tmp_path, reuse=True) == -1  # same documents: kept
    assert (tmp_path / "train.spacy").stat().st_mtime_ns == written
    assert stage_docbins(nlp, train, dev, tmp_path) == 0  # not asked to reuse: written again
    train2, dev2 = _docs("123条")
    assert stage_docbins(nlp, train2, dev2, tmp_path, reuse=True) == 0  # other documents: written
    (tmp_path / DOCBIN_STAMP).write_text("not json", encoding="utf-8")
    assert stage_docbins(nlp, train2, dev2, tmp_path, reuse=True) == 0  # a damaged stamp: written
    (tmp_path / "dev.spacy").unlink()
    assert stage_docbins(nlp, train2, dev2, tmp_path, reuse=True) == 0  # a missing DocBin: written
    assert (tmp_path / "dev.spacy").is_file()
