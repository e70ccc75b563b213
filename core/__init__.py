"""The chat-neutral core: every action a person takes, every view, and outbox delivery.

Doors (the chat channels in `bot/`, the `duban` CLI, `simulate`, the web board) parse their
input, call one function here, and render what it returns; none of them keeps a rule.
"""
