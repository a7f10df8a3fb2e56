"""Realistic Japanese demo data, loaded in bulk (``kizuna demo --contacts N``)."""
