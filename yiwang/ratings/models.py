"""好差评: models."""
