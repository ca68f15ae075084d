"""Speech: text-to-speech engines, recognition, voice activity, text processing."""
