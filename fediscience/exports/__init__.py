"""A user's data as files: the ShortScience-style CSV of summaries and the complete JSON archive."""

from .archive import json_archive
from .summaries_csv import csv_export, paper_key

__all__ = ["csv_export", "json_archive", "paper_key"]
