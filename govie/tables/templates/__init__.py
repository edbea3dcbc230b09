"""One module per template table: each reads its table in a region that :mod:`..locate` found."""
