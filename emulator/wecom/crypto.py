"""WeCom's side of WXBizMsgCrypt: encrypt and sign callbacks as WeCom does.

Written apart from `bot/wecom/crypto.py` on purpose (the emulator imports nothing of duban's):
two implementations that both pass the official vectors check each other in every test.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class CallbackCrypto:
    """Encrypt and sign messages for one app's callback (token, EncodingAESKey, corp id)."""

    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        self.token = token
        self.key = base64.b64decode(encoding_aes_key + "=")
        if len(self.key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        self.corp_id = corp_id

    def __repr__(self) -> str:
        return f"CallbackCrypto(corp_id={self.corp_id!r})"

    def sign(self, timestamp: str, nonce: str, encrypted: str) -> str:
        """Return msg_signature: SHA1 of the sorted token, timestamp, nonce and ciphertext."""
        text = "".join(sorted([self.token, timestamp, nonce, encrypted]))
        return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - WeCom's scheme

    def encrypt(self, message: str, receive_id: str | None = None) -> str:
        """Return Encrypt: random 16 bytes + length + message + corp id, PKCS#7 to 32, AES-CBC."""
        body = message.encode()
        receiver = (self.corp_id if receive_id is None else receive_id).encode()
        plain = secrets.token_bytes(16) + struct.pack(">I", len(body)) + body + receiver
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> tuple[str, str]:
        """Return (message, receive id) of a ciphertext (for tests that read what was sent)."""
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        plain = plain[: -plain[-1]]
        (length,) = struct.unpack(">I", plain[16:20])
        return plain[20 : 20 + length].decode(), plain[20 + length :].decode()
