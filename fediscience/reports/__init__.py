"""Reports (Flags) about our accounts, summaries and comments, for the moderation queue."""
