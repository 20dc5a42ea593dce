"""Keys at registration: every new local user gets an RSA key pair in the registering transaction."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..signals import user_registered
from .keys import ensure_keys


def _on_user_registered(sender: Any, user: Any = None, **extra: Any) -> None:
    if user is not None:
        ensure_keys(user.actor)


def connect_key_signals(app: Flask) -> None:
    """Subscribe key generation to `user_registered` (once per process; blinker ignores repeats)."""
    user_registered.connect(_on_user_registered, weak=False)
