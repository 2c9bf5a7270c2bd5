"""Stage 3: what SQL reads. The only importer of sqlglot (parse.py), the allow-lists, and the answers
remembered between runs."""
