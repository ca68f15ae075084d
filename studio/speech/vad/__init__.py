"""Voice activity detection: the Silero model and the speech/silence hysteresis."""
