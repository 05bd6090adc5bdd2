"""Review documents drafted from what govassist knows: one view model per document, several renderers."""
