"""电子证照: models."""
