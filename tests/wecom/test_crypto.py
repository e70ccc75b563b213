"""WXBizMsgCrypt: the official known-answer vectors, wechatpy as an oracle, and tampering."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wechatpy.enterprise.crypto import PrpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WechatpyCrypto

from bot.wecom.crypto import (
    CorpIdMismatch,
    MalformedCiphertext,
    SignatureMismatch,
    WeComCrypto,
    decode_aes_key,
    pkcs7_pad,
    signature,
)
from bot.wecom.events import parse_envelope

# The vectors of 加解密方案说明 (developer.work.weixin.qq.com/document/path/91144) and of the
# classic WXBizMsgCrypt samples (Sample.cpp/.py/.php/.cs): token QDG6eK, corp wx5823bf96d3bd56c7.
DOC_TOKEN = "QDG6eK"  # noqa: S105 - the published sample, not a secret
DOC_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
DOC_CORP = "wx5823bf96d3bd56c7"
DOC_VERIFY = (
    "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "1409659589",
    "263014780",
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
)
DOC_ECHO = "1616140317555161061"
DOC_POST_SIGNATURE = "477715d11cdb4164915debcba66cb864d751f3e6"
DOC_POST_TIMESTAMP = "1409659813"
DOC_POST_NONCE = "1372623149"
DOC_POST_BODY = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
    "<Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfr"
    "f0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknm"
    "Pj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s"
    "4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rU"
    "PA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2Yoy"
    "yH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt>"
    "<AgentID><![CDATA[218]]></AgentID></xml>"
)
DOC_POST_PLAIN = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    "<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    "<CreateTime>1409659813</CreateTime>\n"
    "<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[hello]]></Content>\n"
    "<MsgId>4561255354251345929</MsgId>\n"
    "<AgentID>218</AgentID>\n"
    "</xml>"
)

# The current official Python 3 sample (WXBizMsgCrypt3 Sample.py): corp ww1436e0e65a779aee.
PY3_TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"  # noqa: S105 - published sample
PY3_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
PY3_CORP = "ww1436e0e65a779aee"
PY3_VERIFY = (
    "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    "1476416373",
    "47744683",
    "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
)
PY3_ECHO = "1288432023552776189"
PY3_POST = (
    "0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
    "1476422779",
    "1597212914",
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGz"
    "BhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3J"
    "WcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQH"
    "E7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYu"
    "PDGOCI8jmnKiypE+",
)
PY3_PLAIN = (
    "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
    "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
    "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
)


@pytest.fixture
def doc() -> WeComCrypto:
    return WeComCrypto(DOC_TOKEN, DOC_KEY, DOC_CORP)


@pytest.fixture
def py3() -> WeComCrypto:
    return WeComCrypto(PY3_TOKEN, PY3_KEY, PY3_CORP)


def test_official_url_verification_vectors_echo_the_plaintext(
    doc: WeComCrypto, py3: WeComCrypto
) -> None:
    assert doc.verify_url(*DOC_VERIFY) == DOC_ECHO
    assert py3.verify_url(*PY3_VERIFY) == PY3_ECHO


def test_official_post_vector_of_the_documentation(doc: WeComCrypto) -> None:
    encrypted = parse_envelope(DOC_POST_BODY.encode()).encrypt
    assert signature(DOC_TOKEN, DOC_POST_TIMESTAMP, DOC_POST_NONCE, encrypted) == (
        DOC_POST_SIGNATURE
    )
    doc.verify_signature(DOC_POST_SIGNATURE, DOC_POST_TIMESTAMP, DOC_POST_NONCE, encrypted)
    assert doc.decrypt(encrypted) == DOC_POST_PLAIN


def test_official_post_vector_of_the_python3_sample(py3: WeComCrypto) -> None:
    msg_signature, timestamp, nonce, encrypted = PY3_POST
    py3.verify_signature(msg_signature, timestamp, nonce, encrypted)
    assert py3.decrypt(encrypted) == PY3_PLAIN


def test_encrypt_with_a_known_prefix_reproduces_the_official_ciphertext(
    doc: WeComCrypto,
) -> None:
    # The random 16 bytes are the first plaintext block; recover them, then re-encrypt.
    encrypted = parse_envelope(DOC_POST_BODY.encode()).encrypt
    key = decode_aes_key(DOC_KEY)
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    prefix = (decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize())[:16]
    assert doc.encrypt(DOC_POST_PLAIN, random_prefix=prefix) == encrypted


def test_padding_is_pkcs7_to_32_bytes() -> None:
    assert pkcs7_pad(b"") == bytes([32]) * 32
    assert pkcs7_pad(b"a" * 31) == b"a" * 31 + b"\x01"
    assert len(pkcs7_pad(b"a" * 33)) == 64


@given(st.text(max_size=3000))
def test_round_trip_agrees_with_wechatpy_both_ways(message: str) -> None:
    ours = WeComCrypto(DOC_TOKEN, DOC_KEY, DOC_CORP)
    theirs = PrpCrypto(decode_aes_key(DOC_KEY))
    assert theirs.decrypt(ours.encrypt(message), DOC_CORP) == message
    assert ours.decrypt(theirs.encrypt(message, DOC_CORP).decode()) == message


def test_wechatpy_accepts_our_signature_and_envelope(doc: WeComCrypto) -> None:
    encrypted = doc.encrypt("<xml><Content>你好</Content></xml>")
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    sig = doc.signature("1700000000", "nonce1", encrypted)
    assert WechatpyCrypto(DOC_TOKEN, DOC_KEY, DOC_CORP).decrypt_message(
        body, sig, "1700000000", "nonce1"
    ) == ("<xml><Content>你好</Content></xml>")


def _flip(text: str, index: int) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def test_tampered_signature_is_refused(doc: WeComCrypto) -> None:
    bad = DOC_POST_SIGNATURE[:-1] + ("0" if DOC_POST_SIGNATURE[-1] != "0" else "1")
    encrypted = parse_envelope(DOC_POST_BODY.encode()).encrypt
    with pytest.raises(SignatureMismatch):
        doc.verify_signature(bad, DOC_POST_TIMESTAMP, DOC_POST_NONCE, encrypted)
    with pytest.raises(SignatureMismatch):
        doc.verify_signature(DOC_POST_SIGNATURE, "1409659814", DOC_POST_NONCE, encrypted)


def test_tampered_ciphertext_fails_the_signature_before_any_decryption(doc: WeComCrypto) -> None:
    encrypted = parse_envelope(DOC_POST_BODY.encode()).encrypt
    with pytest.raises(SignatureMismatch):
        doc.verify_signature(
            DOC_POST_SIGNATURE, DOC_POST_TIMESTAMP, DOC_POST_NONCE, _flip(encrypted, 40)
        )


def test_wrong_corp_id_is_refused_even_with_a_good_signature() -> None:
    other = WeComCrypto(DOC_TOKEN, DOC_KEY, "ww0000000000000000")
    encrypted = parse_envelope(DOC_POST_BODY.encode()).encrypt
    other.verify_signature(DOC_POST_SIGNATURE, DOC_POST_TIMESTAMP, DOC_POST_NONCE, encrypted)
    with pytest.raises(CorpIdMismatch):
        other.decrypt(encrypted)


@pytest.mark.parametrize(
    "encrypted",
    [
        "not base64 !",
        base64.b64encode(b"short").decode(),
        base64.b64encode(b"\x00" * 32).decode(),  # decrypts to junk: bad padding
        "",
    ],
)
def test_malformed_ciphertext_is_refused(doc: WeComCrypto, encrypted: str) -> None:
    with pytest.raises(MalformedCiphertext):
        doc.decrypt(encrypted)


def test_a_forged_length_field_is_refused(doc: WeComCrypto) -> None:
    # Flip a bit of the first ciphertext block: the length (second block) changes with CBC.
    encrypted = doc.encrypt("x" * 40, random_prefix=b"\x00" * 16)
    with pytest.raises((MalformedCiphertext, CorpIdMismatch)):
        doc.decrypt(_flip(encrypted, 3))


def test_key_and_token_never_show_in_repr(doc: WeComCrypto) -> None:
    assert DOC_KEY not in repr(doc)
    assert DOC_TOKEN not in repr(doc)


@pytest.mark.parametrize("key", ["short", DOC_KEY[:-1] + "!"])
def test_a_bad_encoding_aes_key_is_refused_at_construction(key: str) -> None:
    with pytest.raises(ValueError, match="EncodingAESKey") as caught:
        WeComCrypto(DOC_TOKEN, key, DOC_CORP)
    assert key not in str(caught.value)
