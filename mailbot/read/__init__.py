"""Reading a message, pure: bytes in, an Analysis out (parse, guard, classify, extract)."""
