"""The ontology, concept schemes and SHACL shapes, shipped with the kg package as ``kg.ontology``
(a marker file: kg.paths finds the folder through importlib.resources)."""
