"""Matching: embeddings of initiatives' public text and hybrid "similar initiatives"."""
