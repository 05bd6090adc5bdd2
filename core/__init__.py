"""Configuration and storage: the innermost layer every other package may use."""
