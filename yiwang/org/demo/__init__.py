"""Meixian demo for ``org``: ``seed`` creates regions, departments, halls, windows and demo accounts."""

from .dataset import DEMO_USERS, DemoUser
from .generate import generate_password, seed

__all__ = ["DEMO_USERS", "DemoUser", "generate_password", "seed"]
