"""The extraction rules of kg add, shipped with the kg package as ``kg.rules``
(a marker file: kg.paths finds the folder through importlib.resources; see README.md here)."""
