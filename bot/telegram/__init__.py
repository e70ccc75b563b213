"""The Telegram door: python-telegram-bot on one side, the chat-neutral dialogue on the other.

Only this package imports `telegram`.
"""
