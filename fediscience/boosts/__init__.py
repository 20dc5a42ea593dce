"""Boosts (Announces) of our public summaries by fediverse accounts."""
