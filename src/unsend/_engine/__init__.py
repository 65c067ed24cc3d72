"""The engine: one sans-I/O machine per call, its retries, gates and fan-out, and the two
drivers that only send and sleep."""
