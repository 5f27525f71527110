"""The SPARQL catalogue, shipped with the kg package as ``kg.queries``
(a marker file: kg.paths finds the folder through importlib.resources)."""
