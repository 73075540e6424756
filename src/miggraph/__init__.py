"""miggraph: a knowledge graph of the actors, activities, instruments, places and figures of
migration and mobility dialogue, where every fact cites the document section it comes from.

    import miggraph
    kg = miggraph.open(".")                       # the project in this folder
    kg.build(); report = kg.validate()            # report.conforms, report.violations
    for row in kg.query("partners", actor="mgd:mps"): ...
    g = kg.network("coparticipation")             # networkx, metrics as node attributes
    kg.map("coparticipation", out="co.html")      # returns the path

Only the names below are the public API; the sub-packages (`graph`, `sparql`, `network`) may
change between versions.
"""

from .api import KnowledgeGraph, open
from .errors import ExitCode, MiggraphError
from .graph.build import BuildResult
from .graph.stats import Stats
from .graph.validate import Finding, Report
from .sparql.results import Result

__version__ = "0.2.0"

__all__ = ["BuildResult", "ExitCode", "Finding", "KnowledgeGraph", "MiggraphError", "Report", "Result",
           "Stats", "__version__", "open"]
