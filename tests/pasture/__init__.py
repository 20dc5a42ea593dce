"""fediverse-pasture-inputs examples, exported from a virtualenv of their own."""
