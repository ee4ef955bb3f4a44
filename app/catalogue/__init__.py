"""The public catalogue: search of published initiatives and the index that serves it."""
