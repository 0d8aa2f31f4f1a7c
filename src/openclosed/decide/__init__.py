"""Deciding: constraints, scores, the recommendation and its uncertainty."""
