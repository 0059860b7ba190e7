from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.catalog.models import Procedure
from api.kernel.database import db


def get(client, path, **params):
    return client.get(path, query_string=params)


def test_fields_list_counts(client):
    body = get(client, "/api/v1/fields").json
    by_code = {f["code"]: f for f in body["items"]}
    assert len(by_code) == 38
    assert by_code["HO_TICH"]["name"] == "Hộ tịch"
    assert sum(f["procedure_count"] for f in body["items"]) == 283


def test_reference_codes(client):
    body = get(client, "/api/v1/catalog/codes").json
    assert [lv["code"] for lv in body["online_levels"]] == ["toan_trinh", "mot_phan", "thong_tin"]
    assert {c["code"] for c in body["channels"]} == {"truc_tiep", "truc_tuyen", "buu_chinh"}
    assert {lv["code"] for lv in body["levels"]} == {"xa", "tinh", "trung_uong"}


def test_procedure_detail_has_everything_to_prepare(client):
    response = get(client, "/api/v1/procedures/1.011954")
    assert response.status_code == 200
    p = response.json
    assert p["name"] == "Đăng ký khai sinh"
    assert p["field"] == {"code": "HO_TICH", "name": "Hộ tịch"}
    # RFC 3339 with its offset, on SQLite as on PostgreSQL.
    assert p["updated_at"].endswith("+00:00"), p["updated_at"]
    assert p["online_level"]["code"] == "toan_trinh"
    assert p["online_level"]["name"].startswith("Dịch vụ công trực tuyến toàn trình")
    assert [lv["code"] for lv in p["implementing_levels"]] == ["xa"]
    assert p["agencies"] == ["Ủy ban nhân dân cấp xã"]
    assert p["documents"][0] == {
        "name": "Tờ khai đăng ký khai sinh theo mẫu",
        "copies": "01 bản chính",
        "required": True,
        "note": "",
    }
    channels = {c["channel"]["code"]: c for c in p["channels"]}
    assert set(channels) == {"truc_tiep", "truc_tuyen", "buu_chinh"}
    assert channels["truc_tuyen"]["duration_days"] == 1
    assert [f["amount_vnd"] for f in channels["truc_tiep"]["fees"]] == [0, 8000]
    assert len(p["steps"]) == 4 and p["steps"][0].startswith("Cha, mẹ")
    assert p["legal_basis"][0] == {"number": "60/2014/QH13", "title": "Luật Hộ tịch"}
    assert p["results"][0].startswith("Giấy khai sinh")


def test_fee_without_amount_keeps_its_note(client, app_ctx):
    # Find a procedure with a variable fee in the database and check the API shows the note.
    from api.catalog.models import ChannelFee, ProcedureChannel

    code = db.session.scalar(
        select(Procedure.code)
        .join(ProcedureChannel)
        .join(ChannelFee)
        .where(ChannelFee.amount_vnd.is_(None))
        .limit(1)
    )
    p = get(client, f"/api/v1/procedures/{code}").json
    variable = [f for c in p["channels"] for f in c["fees"] if f["amount_vnd"] is None]
    assert variable and all(f["note"] for f in variable)


def test_procedure_etag(client):
    first = get(client, "/api/v1/procedures/1.009867")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/procedures/1.009867", headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = get(client, "/api/v1/procedures/1.011954")
    assert other.headers["ETag"] != etag


def test_unknown_code_404_in_both_languages(client):
    vi = get(client, "/api/v1/procedures/9.999999")
    assert vi.status_code == 404
    assert vi.json["error"] == "procedure_not_found"
    assert vi.json["code"] == 404 and vi.json["status"] == "Not Found"
    assert "Không tìm thấy thủ tục có mã 9.999999" in vi.json["message"]
    en = client.get("/api/v1/procedures/9.999999", headers={"Accept-Language": "en"})
    assert en.json["message"].startswith("No procedure has the code 9.999999")


@pytest.mark.parametrize(
    "param, value, check",
    [
        ("field", "HO_TICH", lambda p: p["field"]["code"] == "HO_TICH"),
        ("online_level", "toan_trinh", lambda p: p["online_level"]["code"] == "toan_trinh"),
        ("level", "tinh", lambda p: "tinh" in [lv["code"] for lv in p["implementing_levels"]]),
        ("agency", "công an", lambda p: any("công an" in a.lower() for a in p["agencies"])),
        (
            "subject",
            "doanh nghiep",
            lambda p: any("doanh nghiệp" in s.lower() for s in p["subjects"]),
        ),
    ],
)
def test_every_filter_narrows_results(client, param, value, check):
    everything = get(client, "/api/v1/procedures", page_size=100).json["total"]
    body = get(client, "/api/v1/procedures", page_size=100, **{param: value}).json
    assert 0 < body["total"] < everything
    assert len(body["items"]) == min(body["total"], 100)
    for item in body["items"]:
        detail = get(client, f"/api/v1/procedures/{item['code']}").json
        assert check(detail), (param, item)


def test_filters_combine_with_query(client):
    body = get(client, "/api/v1/procedures", q="khai sinh", online_level="mot_phan").json
    assert body["total"] >= 1
    assert all(i["online_level"] == "mot_phan" for i in body["items"])
    assert "1.011954" not in [i["code"] for i in body["items"]]  # toàn trình


def test_facets_count_matches_and_ignore_own_filter(client):
    body = get(client, "/api/v1/procedures", q="ket hon", online_level="mot_phan").json
    facet_total = sum(f["count"] for f in body["facets"]["online_level"])
    assert facet_total >= body["total"]  # other online levels still counted for the chips
    field_total = sum(f["count"] for f in body["facets"]["field"])
    assert field_total == body["total"]


def test_paging(client):
    first = get(client, "/api/v1/procedures", page=1, page_size=10).json
    second = get(client, "/api/v1/procedures", page=2, page_size=10).json
    assert first["total"] == 283 and first["pages"] == 29
    assert len(first["items"]) == 10 and len(second["items"]) == 10
    assert not {i["code"] for i in first["items"]} & {i["code"] for i in second["items"]}
    last = get(client, "/api/v1/procedures", page=29, page_size=10).json
    assert len(last["items"]) == 3
    beyond = get(client, "/api/v1/procedures", page=30, page_size=10).json
    assert beyond["items"] == [] and beyond["total"] == 283


def test_paging_with_query_is_stable(client):
    pages = [
        get(client, "/api/v1/procedures", q="giay phep", page=n, page_size=5).json
        for n in (1, 2, 3)
    ]
    codes = [i["code"] for p in pages for i in p["items"]]
    assert len(codes) == len(set(codes)) == 15
    whole = get(client, "/api/v1/procedures", q="giay phep", page_size=15).json
    assert [i["code"] for i in whole["items"]] == codes


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": 0}, "page"),
        ({"page": "abc"}, "page"),
        ({"page_size": 101}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"q": "x" * 201}, "q"),
        ({"field": "KHONG_CO"}, "field"),
        ({"online_level": "nhanh"}, "online_level"),
        ({"level": "huyen"}, "level"),
        ({"agency": "a"}, "agency"),
    ],
)
def test_bad_parameters_422_and_nothing_changed(client, app_ctx, params, field):
    before = db.session.scalar(select(func.count()).select_from(Procedure))
    response = get(client, "/api/v1/procedures", **params)
    assert response.status_code == 422
    body = response.json
    assert body["error"] == "validation_failed"
    assert field in body["errors"]
    assert body["message"].startswith("Thông tin gửi lên chưa hợp lệ")
    assert db.session.scalar(select(func.count()).select_from(Procedure)) == before


def test_validation_messages_are_translated(client):
    vi = get(client, "/api/v1/procedures", page_size=500).json
    assert vi["errors"]["page_size"] == ["Phải từ 1 đến 100."]
    en = client.get("/api/v1/procedures?page_size=500", headers={"Accept-Language": "en"}).json
    assert "less than or equal to 100" in en["errors"]["page_size"][0]
