"""The seed articles, their facts and the curation, shipped with the kg package as ``kg.data``
(a marker file: kg.paths finds the folder through importlib.resources; see README.md here)."""
