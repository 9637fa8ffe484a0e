"""Running it: the processor's pass, the daemon's loop, the workers, and what people do (review, corrections, explain)."""
