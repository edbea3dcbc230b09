"""spaCy components of the govie pipeline, one module per factory, and the tokenizer."""
