"""Pure-Python building blocks shared by every package: errors, events, bus, clock, tasks, logging.

Nothing here imports another studio package, Qt or any engine.
"""
