"""Graphs and reports derived from what is loaded: related collections, network growth
suggestions, quality per institution. Recomputed after each load."""
