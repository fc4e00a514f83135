"""kamtrain: interview kits, a handbook and offline role-play coaching for account roles."""

__version__ = "0.1.0"
