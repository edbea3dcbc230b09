"""Silver word segmentation for training govie's own pkuseg model.

Pretrained pkuseg models cannot be downloaded here, so govie trains one on report text
segmented by forward maximum matching against spacy-pkuseg's bundled word list plus
domain terms, with numbers kept whole (``2543.19``, ``1.03万``) and, for annotated
training documents, every gold entity boundary forced to be a word boundary.
"""
from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

#: domain terms the general word list lacks (information-disclosure vocabulary)
DOMAIN_TERMS = """
政府信息 政务公开 主动公开 依申请公开 信息公开 公开申请 政府网站 政务微博 政务微信 政务新媒体 政府公报 新闻发布会
在线访谈 政策解读 回应解读 规范性文件 行政规范性文件 行政许可 行政处罚 行政强制 行政事业性收费 政府集中采购 行政复议
行政诉讼 结果维持 结果纠正 其他结果 尚未审结 未经复议 直接起诉 复议后起诉 本年新收 上年结转 结转下年度 办理结果 予以公开
部分公开 不予公开 无法提供 不予处理 其他处理 自然人 法人 其他组织 商业企业 科研机构 社会公益组织 法律服务机构 总计 合计
申请人 收到申请 申请数 办结数 答复数 当面申请 传真申请 网络申请 信函申请 按时办结 延期办结 已主动公开 同意公开 不同意公开
国家秘密 商业秘密 个人隐私 第三方 内部事务 过程性信息 行政执法案卷 行政查询 信访 举报投诉 重复申请 公开出版物 收费 减免
工作人员 专职人员 兼职人员 专项经费 培训班 工作会议 专题会议 年度报告 统计数 历年累计 本年制发 本年废止 现行有效 件数
人次 场次 件次 个百分点 百分点 工作日 万元 亿元
""".split()
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_TOKEN = re.compile(r"[-－]?[0-9０-９]+(?:[.．,][0-9０-９]+)*(?:[万萬亿億])?[%％]?|[\u3400-\u9fff]+|[A-Za-z]+|\S")
_SENT_END = re.compile(r"(?<=[。！？!?；;])|\n+")
MAX_WORD = 8


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    import spacy_pkuseg

    path = Path(spacy_pkuseg.__file__).parent / "dicts" / "default.pkl"
    with open(path, "rb") as f:
        words = pickle.load(f)
    words = words.split("\n") if isinstance(words, str) else list(words)
    return frozenset(w for w in words if 1 < len(w) <= MAX_WORD and _CJK_RUN.fullmatch(w)) | frozenset(DOMAIN_TERMS)


def max_match(run: str, words: frozenset[str]) -> list[str]:
    """Forward maximum matching of a run of CJK characters."""
    out = []
    i = 0
    while i < len(run):
        for n in range(min(MAX_WORD, len(run) - i), 0, -1):
            if n == 1 or run[i:i + n] in words:
                out.append(run[i:i + n])
                i += n
                break
    return out


def segment(text: str, bounds: Sequence[int] = (), words: Optional[frozenset[str]] = None) -> list[str]:
    """Words of ``text`` (whitespace dropped), with a boundary at every offset in ``bounds``."""
    words = words or lexicon()
    cuts = sorted(set(b for b in bounds if 0 < b < len(text)) | {0, len(text)})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        for m in _TOKEN.finditer(text, a, b):
            tok = m.group()
            if _CJK_RUN.fullmatch(tok):
                out.extend(max_match(tok, words))
            else:
                out.append(tok)
    return out


def sentences(text: str, bounds: Sequence[int] = ()) -> Iterator[str]:
    """Segmented sentences (one line each, words joined by spaces) for ``spacy_pkuseg.train``."""
    start = 0
    for m in list(_SENT_END.finditer(text)) + [None]:
        end = len(text) if m is None else m.end()
        if m is not None and m.start() == m.end() and end == start:
            continue
        piece_bounds = [b - start for b in bounds if start < b < end]
        words = segment(text[start:end], piece_bounds)
        if words:
            yield " ".join(words)
        start = end


def write_training_file(items: Iterable[tuple[str, Sequence[int]]], path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for text, bounds in items:
            for line in sentences(text, bounds):
                f.write(line + "\n")
                n += 1
    return n


def train_pkuseg(train_file: Path, test_file: Path, out_dir: Path, iterations: int = 10) -> Path:
    """Train a pkuseg model in a subprocess (``spacy_pkuseg.config`` is a global singleton)."""
    # the subprocess runs inside out_dir (pkuseg writes scratch files to its cwd): absolute paths
    train_file, test_file, out_dir = Path(train_file).resolve(), Path(test_file).resolve(), Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    # pkuseg's optimiser shuffles with the unseeded ``random`` module: seeded here, or two builds of
    # the same corpus give different weights
    code = ("import random,numpy,spacy_pkuseg,sys; random.seed(0); numpy.random.seed(0); "
            "spacy_pkuseg.train(sys.argv[1], sys.argv[2], sys.argv[3], train_iter=int(sys.argv[4]))")
    env = dict(os.environ, PYTHONHASHSEED="0")
    subprocess.run([sys.executable, "-c", code, str(train_file), str(test_file), str(out_dir), str(iterations)],
                   check=True, env=env, cwd=str(out_dir), stdout=subprocess.DEVNULL)
    return out_dir
