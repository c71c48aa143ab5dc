"""Pure extractors: text (or a spaCy Doc) in, records out, in document order."""
