"""The shared TF-IDF featurizer: transliteration puts one name written in two scripts on the same features,
and a saved featurizer gives the same vectors after loading."""

from __future__ import annotations

import numpy as np

from narrascope.learn.linear import FeatureConfig, TextFeaturizer

TEXTS = ["Зеленский встретился с НАТО", "Zelenskiy met NATO leaders", "Погода в Москве", "Weather in Lisbon today"]


def similarity(config: FeatureConfig) -> float:
    featurizer = TextFeaturizer(config)
    X = featurizer.fit_transform(TEXTS)
    return float((X[0] @ X[1].T).toarray()[0, 0])


def test_transliteration_shares_features_across_scripts() -> None:
    plain = FeatureConfig(min_df=1, title_repeat=0)
    shared = FeatureConfig(min_df=1, title_repeat=0, transliterate=True)
    assert similarity(plain) == 0.0  # Cyrillic and Latin letters share no n-gram
    assert similarity(shared) > 0.1


def test_a_saved_transliterating_featurizer_gives_the_same_vectors() -> None:
    config = FeatureConfig(min_df=1, transliterate=True)
    featurizer = TextFeaturizer(config)
    X = featurizer.fit_transform(TEXTS)
    terms, arrays = featurizer.state()
    again = TextFeaturizer.from_state(FeatureConfig.from_dict(config.to_dict()), terms, arrays)
    assert np.allclose(again.transform(TEXTS).toarray(), X.toarray())


def test_a_config_saved_before_transliteration_loads_without_it() -> None:
    saved = FeatureConfig().to_dict()
    del saved["transliterate"]
    assert FeatureConfig.from_dict(saved).transliterate is False
