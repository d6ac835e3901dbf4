import pytest
from cryptography.hazmat.primitives import hashes, hmac

from yiwang.core import gm

SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


@pytest.fixture(params=[True, False], ids=["openssl", "gmssl"])
def engine(request, monkeypatch):
    if request.param and not gm._openssl_supports_sm():
        pytest.skip("this OpenSSL has no SM3/SM4")
    monkeypatch.setattr(gm, "USE_OPENSSL", request.param)
    return request.param


def test_it_hashes_the_gb_t_32905_examples(engine):
    assert gm.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert gm.sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_it_computes_hmac_sm3_like_openssl(engine):
    for key in (b"k", b"0123456789abcdef", b"x" * 100):
        reference = hmac.HMAC(key, hashes.SM3())
        reference.update(b"message")
        assert gm.hmac_sm3(key, b"message") == reference.finalize()


def test_it_encrypts_the_gb_t_32907_example(engine):
    # With a zero IV the first CBC block is the plain block cipher: GB/T 32907 Appendix A.
    ciphertext = gm.sm4_cbc_encrypt(SM4_KEY, bytes(16), SM4_KEY)
    assert ciphertext[:16].hex() == "681edf34d206965e86b3e94f536e4246"
    assert len(ciphertext) == 32  # PKCS#7 adds a full block
    assert gm.sm4_cbc_decrypt(SM4_KEY, bytes(16), ciphertext) == SM4_KEY


def test_it_gives_the_same_ciphertext_with_either_engine(monkeypatch):
    iv = bytes(range(16))
    plaintext = b"610326199001011234"
    monkeypatch.setattr(gm, "USE_OPENSSL", False)
    pure = gm.sm4_cbc_encrypt(SM4_KEY, iv, plaintext)
    monkeypatch.setattr(gm, "USE_OPENSSL", gm._openssl_supports_sm())
    assert gm.sm4_cbc_encrypt(SM4_KEY, iv, plaintext) == pure
    assert gm.sm4_cbc_decrypt(SM4_KEY, iv, pure) == plaintext


def test_it_refuses_bad_padding(engine):
    ciphertext = bytearray(gm.sm4_cbc_encrypt(SM4_KEY, bytes(16), b"hello"))
    ciphertext[-1] ^= 0xFF
    with pytest.raises(ValueError):
        gm.sm4_cbc_decrypt(SM4_KEY, bytes(16), bytes(ciphertext))
    with pytest.raises(ValueError):
        gm.sm4_cbc_decrypt(SM4_KEY, bytes(16), b"short")
