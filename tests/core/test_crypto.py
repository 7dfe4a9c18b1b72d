"""Encryption of personal data at rest, key rotation, blind indexes and masking."""

import pytest
from cryptography.fernet import Fernet

from fengqiao.core import crypto


@pytest.fixture
def keys(monkeypatch):
    """Run with keys from FENGQIAO_FIELD_KEYS; restore the data folder's keys afterwards."""

    def use(*values):
        monkeypatch.setenv("FENGQIAO_FIELD_KEYS", ",".join(values))
        crypto.reset_key_cache()

    yield use
    monkeypatch.undo()
    crypto.reset_key_cache()


@pytest.mark.parametrize("phone,masked", [
    ("13812348000", "138****8000"),
    ("0571-88889999", "057******9999"),
    ("1234567", "123****"),
    ("12345", "*****"),
    ("", ""),
])
def test_mask_phone(phone, masked):
    assert crypto.mask_phone(phone) == masked


@pytest.mark.parametrize("name,masked", [("张三", "张*"), ("欧阳明月", "欧***"), ("李", "李*"), (" 王五 ", "王*"), ("", "")])
def test_mask_name(name, masked):
    assert crypto.mask_name(name) == masked


def test_mask_id_number():
    assert crypto.mask_id_number("11010519491231002X") == "110***********002X"
    assert crypto.mask_id_number("1234") == "****"


@pytest.mark.parametrize("text,shown,hidden", [
    ("我的电话13812348000，请回电", "138****8000", "13812348000"),
    ("身份证11010519491231002X，住柳塘村", "110***********002X", "19491231"),
    ("身份证号11010519491231002x", "110***********002x", "19491231"),
    ("电话 138-1234-8000", "138****8000", "1234"),
    ("电话 138 1234 8000", "138****8000", "1234"),
    ("电话+86 13812348000", "138****8000", "1234"),
    ("电话8613812348000", "138****8000", "1234"),
])
def test_mask_pii_in_text(text, shown, hidden):
    masked = crypto.mask_pii_in_text(text)
    assert shown in masked and hidden not in masked


@pytest.mark.parametrize("text", [
    "3号楼电梯停运7天",
    "订单号 2025093012345",  # 13 digits: neither a mobile number nor an ID number
    "座机 0571-88889999",
    "金额 12812348000 元",
])
def test_mask_pii_leaves_other_numbers(text):
    assert crypto.mask_pii_in_text(text) == text


def test_encrypt_decrypt_round_trip():
    token = crypto.encrypt("11010519491231002X")
    assert "11010519491231002X" not in token
    assert crypto.decrypt(token) == "11010519491231002X"
    assert crypto.encrypt("王小明") != crypto.encrypt("王小明")  # randomised
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_undecryptable_value_is_reported_not_raised():
    assert crypto.decrypt("not-a-token") == "［无法解密 / cannot decrypt］"


def test_key_rotation_keeps_old_values_readable(keys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys(old)
    stored = crypto.encrypt("13812348000")
    index_before = crypto.blind_index("13812348000")
    keys(new, old)  # a new key first, the old one still accepted
    assert crypto.decrypt(stored) == "13812348000"
    assert crypto.blind_index("13812348000") == index_before  # look-ups survive rotation
    rotated = crypto.rotate(stored)
    fresh = crypto.encrypt("15990001234")
    keys(new)  # the old key retired
    assert crypto.decrypt(rotated) == "13812348000"
    assert crypto.decrypt(fresh) == "15990001234"
    assert crypto.decrypt(stored) == "［无法解密 / cannot decrypt］"


def test_blind_index_normalises_and_is_keyed():
    assert crypto.blind_index("11010519491231002x") == crypto.blind_index(" 11010519491231002X ")
    assert crypto.blind_index("0571-88889999") == crypto.blind_index("057188889999")
    assert crypto.blind_index("13812348000") != crypto.blind_index("13812348001")
    assert len(crypto.blind_index("13812348000")) == 64 and crypto.blind_index("") == ""
    import hashlib

    assert crypto.blind_index("13812348000") != hashlib.sha256(b"13812348000").hexdigest()
