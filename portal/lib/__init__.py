"""The base layer: helpers every app shares. It imports Django and libraries, never an app
(blocs, pledges, reports), so any app may import it without bending the one-way order
blocs ← pledges ← reports. `tests/test_layers.py` holds it to that."""
