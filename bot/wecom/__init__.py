"""The WeCom (企业微信 / 政务微信) transport: callback crypto, events, REST client, cards, channel.

Nothing of the dialogue lives here: the callback hands parsed events to a handler the caller
gives, and `WeComChannel` implements `core.channel.Channel` for the outbox sender.
"""
