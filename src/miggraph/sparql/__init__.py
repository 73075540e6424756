"""Ask the graph: the query library and its parameters, the stores that answer (embedded,
remote, served), the result formats, and publishing to a shared triple store."""
