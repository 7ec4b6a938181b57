"""Forms of the pledge pages (`pledge.py`) and the scoring pages (`scoring.py`)."""
