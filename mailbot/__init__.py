"""mailbot: reads the contracts-service mailbox and answers billing requests at once."""

__version__ = "0.1.0"
