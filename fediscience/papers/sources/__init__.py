"""Readers of paper metadata from arXiv, Crossref, DBLP and BibTeX; each takes an httpx.Client and a base URL."""
