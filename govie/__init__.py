"""govie: figures and indicators from Chinese government information-disclosure annual reports.

>>> import govie
>>> report = govie.parse("全市累计主动公开政府信息57194条。")
>>> report.facts[0].value, report.facts[0].indicator
(57194, '主动公开政府信息')
"""
from .pipeline import extensions  # noqa: F401  (registers Doc/Span extensions)
from .api import build_rule_pipeline, load, parse, parse_file, parse_many
from .normalize import normalize
from .report import Check, Fact, Report, TextSpan
from .io.tabular import read_facts, to_dataframe

__version__ = "0.2.0"
__all__ = ["parse", "parse_file", "parse_many", "load", "build_rule_pipeline", "normalize", "Report", "Fact",
           "Check", "TextSpan", "to_dataframe", "read_facts", "__version__"]
