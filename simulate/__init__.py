"""`duban simulate`: every message the scheduler would push over a span of days, offline.

A door like the chat channels: answers from a file go through the core's actions, with the
same rules as a press in chat or `duban report`.
"""
