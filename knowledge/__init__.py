"""The knowledge layer: parsing, indexing and retrieving cited passages."""
