"""Writing to people: replies from the templates, forwards, the bytes of outgoing mail."""
