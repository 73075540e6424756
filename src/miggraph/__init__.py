"""miggraph: a knowledge graph of the actors, activities, instruments, places and figures of
migration and mobility dialogue, where every fact cites the document section it comes from."""

__version__ = "0.1.0"
