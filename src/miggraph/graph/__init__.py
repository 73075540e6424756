"""Make and check the graph: build it from ontology/ and data/ (`build`), validate it against the
SHACL shapes (`validate`, engine in `shacl/`), count it (`stats`), and grow a synthetic one for
benchmarks (`synth`), with the model read from the ontology (`model`)."""
