"""Small helpers every stage shares: what reaches the console, atomic writes, the digraph,
the one did-you-mean, the one name pattern and the one quiet Keras import."""
