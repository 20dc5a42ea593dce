"""Paper keywords become valid Mastodon hashtags."""

from __future__ import annotations

import re

import pytest

from fediscience.activitypub.hashtags import hashtag_key, hashtag_name, hashtag_names, is_valid_hashtag

# Mastodon's HASHTAG_LAST_SEQUENCE, the branch our names must match: word characters with at least one letter.
MASTODON_NAME = re.compile(r"\A[\w]*[^\W\d_][\w]*\Z")


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("cs.LG", "csLG"),
        ("stat.ML", "statML"),
        ("BERT", "BERT"),
        ("transformers", "transformers"),
        ("graph neural networks", "GraphNeuralNetworks"),
        ("Machine-Learning", "MachineLearning"),
        ("self_supervised", "self_supervised"),
        ("deep learning (DL)", "DeepLearningDL"),
        ("Schrödinger equation", "SchrödingerEquation"),
        ("機械学習", "機械学習"),
        ("GPT-4", "GPT4"),
        ("  3D vision ", "3DVision"),
    ],
)
def test_keywords_become_hashtags(keyword: str, expected: str) -> None:
    name = hashtag_name(keyword)
    assert name == expected
    assert is_valid_hashtag(name)
    assert MASTODON_NAME.match(name)


@pytest.mark.parametrize("keyword", ["", "2019", "1.5", "+++", "#", " - "])
def test_keywords_without_a_letter_give_none(keyword: str) -> None:
    assert hashtag_name(keyword) is None


def test_validity() -> None:
    assert is_valid_hashtag("csLG")
    assert not is_valid_hashtag("cs.LG")
    assert not is_valid_hashtag("2019")
    assert not is_valid_hashtag("")
    assert not is_valid_hashtag("a" * 101)
    assert not is_valid_hashtag("x²")


def test_names_are_deduplicated_case_insensitively() -> None:
    assert hashtag_names(["cs.LG", "CS.lg", "2019", "Deep Learning", "deep-learning"]) == ["csLG", "DeepLearning"]
    assert hashtag_key("#CsLG") == "cslg"
