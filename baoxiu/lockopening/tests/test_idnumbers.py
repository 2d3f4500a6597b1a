import pytest

from baoxiu.core.errors import ValidationFailed
from baoxiu.lockopening.idnumbers import mask_resident_id, normalize_resident_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),  # the example printed in GB 11643
        ("11010519491231002x", "11010519491231002X"),
        ("4403 0519 9001 0112 48", "440305199001011248"),
        ("310115198506073215", "310115198506073215"),
        ("110101198001010010", "110101198001010010"),
    ],
)
def test_valid_numbers_are_normalised(raw, expected):
    assert normalize_resident_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("110105194912310021", "id_number_checksum"),  # last character off by one
        ("440305199001011240", "id_number_checksum"),
        ("11010519491231002", "id_number_invalid"),  # 17 characters
        ("1101051949123100211", "id_number_invalid"),
        ("11010519491231X02X", "id_number_invalid"),
        ("110105194913310029", "id_number_invalid"),  # month 13
        ("", "id_number_invalid"),
    ],
)
def test_invalid_numbers_are_refused_with_a_code(raw, code):
    with pytest.raises(ValidationFailed) as refused:
        normalize_resident_id(raw)
    assert refused.value.code == code


def test_mask_keeps_four_and_four():
    assert mask_resident_id("11010519491231002X") == "1101**********002X"
    assert mask_resident_id("short") == "****"
