"""Every message in the language asked (issue 12): each registered text (api.kernel.i18n, the bots'
words, every {"vi": ..., "en": ...} table of a module) has both languages, the Vietnamese
has no English give-away words, and every field-level message a citizen can get from a
request schema has a Vietnamese version."""

from __future__ import annotations

import importlib
import pkgutil
import re

import marshmallow as ma
import pytest
from marshmallow import validate

import api
import bots
from api.kernel import i18n

# Words that betray an English sentence left inside a Vietnamese one. None is a Vietnamese
# syllable written without marks ("to", "do", "in", "can" are, so they are not listed).
GIVE_AWAY = (
    "the", "please", "error", "invalid", "required", "not found", "must", "is", "are", "your",
    "you", "and", "of", "not", "cannot", "field", "missing", "unknown", "failed", "should",
    "with", "for", "from", "this", "that", "only", "allowed", "enter", "sorry",
)  # fmt: skip
_GIVE_AWAY = re.compile(r"(?<![\w{])(" + "|".join(GIVE_AWAY) + r")(?![\w}])", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _modules() -> list[str]:
    names = []
    for package in (api, bots):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            names.append(info.name)
    return names


@pytest.fixture(scope="module", name="loaded")
def loaded_fixture():
    """Every module imported, so each has registered its words."""
    return {name: importlib.import_module(name) for name in _modules()}


def english_in(text: str) -> list[str]:
    return _GIVE_AWAY.findall(_PLACEHOLDER.sub(" ", text))


def _tables(value: object, where: str, seen: set[int]):  # noqa: ANN202
    """Every {"vi": ..., "en": ...} found in a module's globals, nested tables included."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, dict):
        keys = set(value)
        if "vi" in keys and keys <= {"vi", "en"} and isinstance(value["vi"], str):
            yield where, value
            return
        for key, item in value.items():
            yield from _tables(item, f"{where}[{key!r}]", seen)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _tables(item, f"{where}[{i}]", seen)


def test_the_give_away_words_are_found():
    assert english_in("Mục này là required.") == ["required"]
    assert english_in("Please check the field") == ["Please", "the", "field"]
    assert english_in("Thẻ căn cước {reason_en} của bạn") == []  # marks, placeholders


def test_every_registered_message_has_both_languages_and_plain_vietnamese(loaded):
    bad = {}
    for slug, texts in i18n._MESSAGES.items():
        if not texts.get("en", "").strip() or not texts.get("vi", "").strip():
            bad[slug] = "a language is missing"
        elif found := english_in(texts["vi"]):
            bad[slug] = found
    assert not bad, bad


def test_every_word_table_of_the_code_has_both_languages(loaded):
    bad = {}
    for name, module in loaded.items():
        for key, value in vars(module).items():
            if key.startswith("__") or getattr(value, "__module__", name) != name:
                continue
            for where, table in _tables(value, f"{name}.{key}", set()):
                if not str(table.get("en", "")).strip():
                    bad[where] = "no English"
                elif found := english_in(table["vi"]):
                    bad[where] = found
    assert not bad, bad


def _schemas(loaded) -> list[type[ma.Schema]]:  # noqa: ANN001
    found, todo = [], [ma.Schema]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(("api.", "bots.")):
            found.append(cls)
    return found


def _validator_messages(validator: object) -> list[str]:
    if isinstance(validator, validate.Length):
        if validator.equal is not None:
            return [validator.message_equal]
        if validator.min is not None and validator.max is not None:
            return [validator.message_all]
        return [validator.message_min if validator.min is not None else validator.message_max]
    if isinstance(validator, validate.Range):
        if validator.min is not None and validator.max is not None:
            return [validator.message_all]
        return [validator.message_min if validator.min is not None else validator.message_max]
    if isinstance(validator, validate.OneOf | validate.Regexp | validate.Equal):
        return [validator.error]
    error = getattr(validator, "error", None)
    return [error] if isinstance(error, str) else []


class _Sample(dict):
    def __missing__(self, key: str) -> str:
        return "1"


# Messages only ever raised when an answer is written out (dump), never on a request.
DUMP_ONLY = ("format",)


def _field_messages(field: ma.fields.Field, where: str, out: dict, seen: set) -> None:
    """Each message the field can refuse a request with, as marshmallow words it."""
    if id(field) in seen:
        return
    seen.add(id(field))
    params = _Sample(
        obj_type=getattr(field, "OBJ_TYPE", "value"),
        awareness="aware" if isinstance(field, ma.fields.AwareDateTime) else "naive",
        input="x",
    )
    aware_kinds = (ma.fields.AwareDateTime, ma.fields.NaiveDateTime)
    for key, text in field.error_messages.items():
        if key == "invalid_awareness" and not isinstance(field, aware_kinds):
            continue  # only those two fields check it
        if key not in DUMP_ONLY:
            out.setdefault(text.format_map(params), where)
    for validator in field.validators:
        for text in _validator_messages(validator):
            out.setdefault(text, where)  # templates: {min}, {max} stay, translated as such
    if isinstance(field, ma.fields.Nested):
        nested = field.schema
        for name, sub in nested.fields.items():
            _field_messages(sub, f"{where}.{name}", out, seen)
    for inner in (getattr(field, "inner", None), getattr(field, "value_field", None)):
        if isinstance(inner, ma.fields.Field):
            _field_messages(inner, f"{where}[]", out, seen)


def _sample(text: str) -> str:
    return _PLACEHOLDER.sub("1", text)


def test_every_field_message_of_a_schema_has_a_vietnamese_version(loaded):
    messages: dict[str, str] = {}
    for cls in _schemas(loaded):
        try:
            schema = cls()
        except Exception:  # noqa: BLE001, S112 - a schema that needs arguments to be made
            continue
        for name, field in schema.fields.items():
            _field_messages(field, f"{cls.__module__}.{cls.__name__}.{name}", messages, set())
    bad = {}
    for text, where in messages.items():
        vi = i18n.translate_validation(_sample(text), "vi")
        if vi == _sample(text) or english_in(vi):
            bad[text] = where
    assert not bad, bad


def test_messages_raised_by_our_own_validators_have_a_vietnamese_version(loaded):
    """ValidationError("...") in our code: a field message too, found in the source."""
    raised = re.compile(r"ValidationError\(\s*\n?\s*\"([^\"]+)\"")
    bad = {}
    for name, module in loaded.items():
        source = getattr(module, "__file__", "") or ""
        if not source.endswith(".py"):
            continue
        with open(source, encoding="utf-8") as handle:
            for text in raised.findall(handle.read()):
                vi = i18n.translate_validation(_sample(text), "vi")
                if vi == _sample(text) or english_in(vi):
                    bad[text] = name
    assert not bad, bad


def test_a_refused_request_explains_each_field_in_the_language_asked(client, app):
    from tests.helpers.common import bearer, sign_in_verified

    headers = bearer(sign_in_verified(app, "001090123456"))
    body = {"agent": {}, "actions": ["follow"], "valid_until": "2026-13-01"}
    vi = client.post("/api/v1/me/mandates", json=body, headers=headers)
    assert vi.status_code == 422
    words = str(vi.json["errors"])
    assert "chỉ một trong hai" in words and "Ngày không đúng định dạng" in words
    assert not english_in(words.replace("personal_id", "").replace("phone", "")), words
    en = client.post("/api/v1/me/mandates", json=body, headers={**headers, "Accept-Language": "en"})
    assert "Give exactly one of personal_id or phone." in str(en.json["errors"])
