"""The parts of ``bench/generate.py`` (the command): what it copies, how, and how it writes."""
