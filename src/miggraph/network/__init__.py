"""See the graph as a network: views projected by SPARQL (`views`), measured (`metrics`), drawn
as offline HTML maps (`maps`) and written as files for Gephi and Cytoscape (`export`)."""

from .metrics import EXACT_BETWEENNESS_LIMIT, SEED, Metrics, communities, measure
from .views import DEFAULT_VIEW, SEP, View, edge_rows, get_view, graph_from_rows, list_views, project_view

__all__ = ["DEFAULT_VIEW", "EXACT_BETWEENNESS_LIMIT", "SEED", "SEP", "Metrics", "View", "communities",
           "edge_rows", "get_view", "graph_from_rows", "list_views", "measure", "project_view"]
