"""WeCom's callback crypto (the WXBizMsgCrypt scheme), on `cryptography`'s AES primitive.

The scheme (developer.work.weixin.qq.com/document/path/91144, 加解密方案说明):

- AESKey = Base64_Decode(EncodingAESKey + "="), 32 bytes; AES-256-CBC, IV = AESKey[:16];
  PKCS#7 padding to a multiple of **32** bytes (not AES's 16).
- plaintext = 16 random bytes + msg length (4 bytes, big-endian) + msg + receiveid (the corp id).
- msg_signature = SHA1 of the sorted concatenation of token, timestamp, nonce and the ciphertext.

Why not wrap `wechatpy.enterprise.crypto`: its last stable release (1.8.18, 2021) is a Python 2
era package that pulls in requests/six/xmltodict/optionaldict, imports a synchronous HTTP client
with it, compares signatures with `!=`, and does not check the padding or the length field (a
short or forged plaintext raises IndexError/struct.error rather than its own error). The scheme is
twenty lines over one AES-CBC call, so it is written here against `cryptography` (the maintained,
audited primitive) with strict checks, and tested against the official known-answer vectors and
against wechatpy itself as an oracle (tests/wecom/test_crypto.py).

Callers verify the signature *before* they decrypt (`verify_signature`, then `decrypt`): a
forged body never reaches the cipher, so there is no padding oracle. Nothing here logs, and the
repr of `WeComCrypto` shows neither the token nor the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeCom pads to 32 bytes (PKCS#7 with k = 32), whatever AES's own block size is.
RANDOM_PREFIX = 16
KEY_CHARS = 43


class CryptoError(Exception):
    """A callback that fails the scheme; the message never contains key material."""


class SignatureMismatch(CryptoError):
    """msg_signature does not match token, timestamp, nonce and ciphertext."""


class CorpIdMismatch(CryptoError):
    """The message decrypted, but it was made for another corp (receiveid)."""


class MalformedCiphertext(CryptoError):
    """Not base64, not whole blocks, bad padding, or a length field that does not fit."""


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """Return the 32-byte AESKey of a 43-character EncodingAESKey."""
    if len(encoding_aes_key) != KEY_CHARS:
        raise ValueError(f"EncodingAESKey must be {KEY_CHARS} characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error:
        raise ValueError("EncodingAESKey is not base64") from None
    if len(key) != 32:  # pragma: no cover - 43 base64 characters always decode to 32 bytes
        raise ValueError("EncodingAESKey does not decode to 32 bytes")
    return key


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """Return WeCom's msg_signature: SHA1 over the sorted, concatenated four strings."""
    joined = "".join(sorted((token, timestamp, nonce, encrypted)))
    return hashlib.sha1(joined.encode()).hexdigest()  # noqa: S324 - WeCom's scheme is SHA1


def pkcs7_pad(data: bytes) -> bytes:
    """Pad to a multiple of 32 bytes (a full block of 32 when already aligned)."""
    count = BLOCK - len(data) % BLOCK
    return data + bytes([count]) * count


def pkcs7_unpad(data: bytes) -> bytes:
    """Strip PKCS#7 padding to 32 bytes, refusing anything malformed."""
    if not data or len(data) % BLOCK:
        raise MalformedCiphertext("plaintext is not whole 32-byte blocks")
    count = data[-1]
    if not 1 <= count <= BLOCK or data[-count:] != bytes([count]) * count:
        raise MalformedCiphertext("bad padding")
    return data[:-count]


class WeComCrypto:
    """Sign, verify, encrypt and decrypt callbacks for one app (token, key, corp id)."""

    __slots__ = ("_cipher", "_token", "corp_id")

    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        if not token or not corp_id:
            raise ValueError("the callback token and the corp id must not be empty")
        key = decode_aes_key(encoding_aes_key)
        self._token = token
        self._cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))
        self.corp_id = corp_id

    def __repr__(self) -> str:
        return f"WeComCrypto(corp_id={self.corp_id!r}, token=***, key=***)"

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        """Return the msg_signature WeCom would send with this ciphertext."""
        return signature(self._token, timestamp, nonce, encrypted)

    def verify_signature(
        self, msg_signature: str, timestamp: str, nonce: str, encrypted: str
    ) -> None:
        """Raise SignatureMismatch unless the signature is right (constant-time compare)."""
        expected = self.signature(timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode(), msg_signature.lower().encode()):
            raise SignatureMismatch("msg_signature does not match")

    def encrypt(self, message: str, random_prefix: bytes | None = None) -> str:
        """Return the base64 ciphertext of `message` for this corp (as WeCom builds Encrypt)."""
        prefix = secrets.token_bytes(RANDOM_PREFIX) if random_prefix is None else random_prefix
        if len(prefix) != RANDOM_PREFIX:
            raise ValueError(f"the random prefix must be {RANDOM_PREFIX} bytes")
        body = message.encode()
        plain = prefix + struct.pack(">I", len(body)) + body + self.corp_id.encode()
        encryptor = self._cipher.encryptor()
        sealed = encryptor.update(pkcs7_pad(plain)) + encryptor.finalize()
        return base64.b64encode(sealed).decode()

    def decrypt(self, encrypted: str) -> str:
        """Return the message inside a ciphertext; check padding, length and corp id.

        Call only after `verify_signature`: the signature is what makes the ciphertext trusted.
        """
        try:
            sealed = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedCiphertext("ciphertext is not base64") from None
        if not sealed or len(sealed) % 16:
            raise MalformedCiphertext("ciphertext is not whole AES blocks")
        decryptor = self._cipher.decryptor()
        plain = pkcs7_unpad(decryptor.update(sealed) + decryptor.finalize())
        if len(plain) < RANDOM_PREFIX + 4:
            raise MalformedCiphertext("plaintext too short")
        (length,) = struct.unpack(">I", plain[RANDOM_PREFIX : RANDOM_PREFIX + 4])
        start = RANDOM_PREFIX + 4
        if start + length > len(plain):
            raise MalformedCiphertext("length field points past the end")
        receive_id = plain[start + length :]
        if not hmac.compare_digest(receive_id, self.corp_id.encode()):
            raise CorpIdMismatch("the message was not made for this corp id")
        try:
            return plain[start : start + length].decode()
        except UnicodeDecodeError:
            raise MalformedCiphertext("message is not UTF-8") from None

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """Check a GET verification request and return the echostr's plaintext to echo."""
        self.verify_signature(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)
