"""Text-to-speech: the protocol, one module per engine, and the routing service."""
