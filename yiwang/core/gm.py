"""Chinese commercial cryptography (商用密码) primitives: SM3, HMAC-SM3 and SM4-CBC.

- SM3 (GB/T 32905-2016) hashes the audit chain and keys the PII lookup hash.
- HMAC-SM3 is RFC 2104 over SM3 (64-byte block), implemented here so it is the same construction
  whichever engine computes SM3.
- SM4 (GB/T 32907-2016) in CBC mode with PKCS#7 padding encrypts PII at rest.

OpenSSL (through ``cryptography``) does the work wherever it supports SM3/SM4: it is several hundred
times faster than pure Python, which matters when ``audit verify`` rehashes millions of events or a
list page decrypts a few hundred phone numbers. gmssl (pure Python) is the fallback for an OpenSSL
built without the SM algorithms, and the independent reference the tests compare against.
"""

from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import func as gm_func
from gmssl import sm3 as gm_sm3
from gmssl import sm4 as gm_sm4

BLOCK_SIZE = 16  # SM4 block, bytes
_HMAC_BLOCK = 64  # SM3 block, bytes (RFC 2104 "B")


def _openssl_supports_sm() -> bool:
    backend = default_backend()
    try:
        return backend.hash_supported(hashes.SM3()) and backend.cipher_supported(
            algorithms.SM4(bytes(16)), modes.CBC(bytes(16))
        )
    except Exception:  # an OpenSSL without the algorithm objects at all
        return False


USE_OPENSSL = _openssl_supports_sm()


def sm3_digest(data: bytes) -> bytes:
    """SM3 digest (32 bytes)."""
    if USE_OPENSSL:
        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize()
    return bytes.fromhex(gm_sm3.sm3_hash(gm_func.bytes_to_list(data)))


def sm3_hex(data: bytes) -> str:
    return sm3_digest(data).hex()


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    """HMAC-SM3 per RFC 2104: H((K ^ opad) || H((K ^ ipad) || message))."""
    if len(key) > _HMAC_BLOCK:
        key = sm3_digest(key)
    key = key.ljust(_HMAC_BLOCK, b"\x00")
    inner = sm3_digest(bytes(b ^ 0x36 for b in key) + message)
    return sm3_digest(bytes(b ^ 0x5C for b in key) + inner)


def _pkcs7_pad(data: bytes) -> bytes:
    n = BLOCK_SIZE - len(data) % BLOCK_SIZE
    return data + bytes([n]) * n


def _pkcs7_unpad(data: bytes) -> bytes:
    if not data or len(data) % BLOCK_SIZE:
        raise ValueError("SM4 ciphertext length is not a multiple of the block size")
    n = data[-1]
    if not 1 <= n <= BLOCK_SIZE or data[-n:] != bytes([n]) * n:
        raise ValueError("SM4 padding is invalid")
    return data[:-n]


def sm4_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    if len(key) != BLOCK_SIZE or len(iv) != BLOCK_SIZE:
        raise ValueError("SM4 key and IV must be 16 bytes")
    padded = _pkcs7_pad(plaintext)
    if USE_OPENSSL:
        encryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).encryptor()
        return encryptor.update(padded) + encryptor.finalize()
    return _gmssl_cbc(key, iv, padded, encrypt=True)


def sm4_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """Decrypt and strip PKCS#7 padding; ValueError when the padding does not check out."""
    if len(key) != BLOCK_SIZE or len(iv) != BLOCK_SIZE:
        raise ValueError("SM4 key and IV must be 16 bytes")
    if not ciphertext or len(ciphertext) % BLOCK_SIZE:
        raise ValueError("SM4 ciphertext length is not a multiple of the block size")
    if USE_OPENSSL:
        decryptor = Cipher(algorithms.SM4(key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
    else:
        padded = _gmssl_cbc(key, iv, ciphertext, encrypt=False)
    return _pkcs7_unpad(padded)


def _gmssl_cbc(key: bytes, iv: bytes, data: bytes, *, encrypt: bool) -> bytes:
    # gmssl's own crypt_cbc always pads and unpads leniently; chain single ECB blocks instead so
    # padding stays under our (strict) control.
    cipher = gm_sm4.CryptSM4(padding_mode=-1)
    cipher.set_key(key, gm_sm4.SM4_ENCRYPT if encrypt else gm_sm4.SM4_DECRYPT)
    out = bytearray()
    previous = iv
    for start in range(0, len(data), BLOCK_SIZE):
        block = data[start : start + BLOCK_SIZE]
        if encrypt:
            previous = cipher.crypt_ecb(bytes(a ^ b for a, b in zip(block, previous, strict=True)))
            out += previous
        else:
            out += bytes(a ^ b for a, b in zip(cipher.crypt_ecb(block), previous, strict=True))
            previous = block
    return bytes(out)
