"""Words of the chat: shorthand people type, and the phrases that signal what they want.

Everything here is folded (no marks, lower case: see api.kernel.text.fold). Procedure words (cccd,
gplx, sổ đỏ...) are not here: the catalog search has its own synonyms for those.
"""

from __future__ import annotations

# Chat shorthand → what it stands for.
SHORTHAND: dict[str, str] = {
    **dict.fromkeys(["ko", "k", "kg", "khg", "kh", "hok", "hong", "khum", "kp"], "khong"),
    **dict.fromkeys(["hs", "hso", "hoso"], "ho so"),
    **dict.fromkeys(["dc", "dcj", "duoc"], "duoc"),
    **dict.fromkeys(["dk", "dky", "dki", "dangky"], "dang ky"),
    **dict.fromkeys(["j", "gj", "ji"], "gi"),
    **dict.fromkeys(["z", "v", "zay", "vay"], "vay"),
    **dict.fromkeys(["bn", "bnh", "bnhieu", "bnhiu"], "bao nhieu"),
    **dict.fromkeys(["bh", "bgio", "bjo"], "bao gio"),
    **dict.fromkeys(["mk", "mik", "mh", "mjk", "mn"], "minh"),
    **dict.fromkeys(["tks", "thks", "thx", "camon", "cmon"], "cam on"),
    **dict.fromkeys(["oke", "okie", "oki", "okela", "okay", "okey"], "ok"),
    **dict.fromkeys(["sdt", "sodt", "sdth"], "so dien thoai"),
    **dict.fromkeys(["kt", "ktra", "ktr"], "kiem tra"),
    **dict.fromkeys(["tc", "tcuu", "tracuu"], "tra cuu"),
    **dict.fromkeys(["cb", "canbo"], "can bo"),
    **dict.fromkeys(["tt", "thutuc"], "thu tuc"),
    **dict.fromkeys(["kq", "kqua"], "ket qua"),
    **dict.fromkeys(["tui", "t"], "toi"),
    "ntn": "nhu the nao",
    "lm": "lam",
    "vs": "voi",
    "ng": "nguoi",
    "r": "roi",
    "oy": "roi",
    "dt": "dien thoai",
    "tthc": "thu tuc hanh chinh",
    "xn": "xac nhan",
    "bik": "biet",
    "bit": "biet",
    "nhiu": "nhieu",
    "wa": "qua",
    "ad": "admin",
    "hk": "khong",
    "lk": "lien ket",
    "tv": "tieng viet",
    "e": "em",
}
# "đk" is "đăng ký", except before a "no" or at the end, where it is "được" ("đk ko").
MEANS_DUOC_BEFORE = frozenset({"ko", "k", "khong", "kg", "hok", "hong", "chua", "roi", "a"})

# Intent phrases. Heavier phrases decide more; a match inside a procedure's own name (the
# "đánh giá" of "đánh giá tác động môi trường") does not count (see nlu.understand).
PHRASES: dict[str, dict[str, float]] = {
    "language_en": {"english": 2, "tieng anh": 2, "in english": 2, "speak english": 2},
    "language_vi": {"tieng viet": 2, "vietnamese": 2},
    # No language named: the other one (there are two).
    "language_other": {
        **dict.fromkeys(["doi ngon ngu", "chuyen ngon ngu", "ngon ngu khac"], 2.0),
        **dict.fromkeys(["change language", "switch language", "other language"], 2.0),
    },
    "cancel": {
        **dict.fromkeys(["thoat", "huy", "dung lai", "thoi", "stop", "cancel", "exit"], 2.0),
        **dict.fromkeys(["quit", "ket thuc", "bo qua", "quay lai", "khong can nua"], 2.0),
        **dict.fromkeys(["thoi khong can", "khong can", "huy bo"], 1.5),
        **dict.fromkeys(["back", "go back", "never mind", "no thanks"], 2.0),
        **dict.fromkeys(["thoi khoi", "khoi can", "de sau", "khong lam nua", "bo di"], 2.0),
    },
    "unfollow": {
        **dict.fromkeys(["bo theo doi", "huy theo doi", "ngung theo doi", "dung theo doi"], 3.0),
        **dict.fromkeys(["khong theo doi", "unfollow", "tat thong bao"], 3.0),
        **dict.fromkeys(["ngung nhan thong bao", "khong nhan thong bao", "thoi theo doi"], 3.0),
        **dict.fromkeys(["khong muon nhan", "khong muon theo doi", "khong can thong bao"], 3.5),
        **dict.fromkeys(["ngung gui tin", "dung gui tin", "dung nhan tin", "khong can bao"], 3.0),
        **dict.fromkeys(["khoi bao", "stop sending", "stop notifying", "stop messaging"], 3.0),
        **dict.fromkeys(["unsubscribe", "turn off", "no more alerts", "no more updates"], 3.0),
    },
    "follow": {
        **dict.fromkeys(["theo doi", "follow", "nhan thong bao", "bao cho toi", "bao tin"], 2.5),
        **dict.fromkeys(["thong bao cho toi", "bao cho minh", "thong bao cho minh"], 2.5),
        **dict.fromkeys(["cap nhat cho toi", "nhan tin bao", "bao giup", "bao lai"], 2.0),
        **dict.fromkeys(["khi nao co ket qua thi bao", "co gi thi bao", "co gi moi"], 2.5),
        **dict.fromkeys(["nhan cho minh", "nhan cho toi", "nhan tin cho minh", "nhan tin ve"], 2.5),
        **dict.fromkeys(["dang ky nhan tin", "dang ky nhan thong bao", "nhan tin bao"], 3.0),
        **dict.fromkeys(["notify me", "subscribe", "keep me posted", "tell me when"], 2.5),
        **dict.fromkeys(["nhan toi", "bao toi", "bao qua so", "nhan qua so", "let me know"], 2.5),
        **dict.fromkeys(["bat thong bao", "nhac toi", "nhac minh", "duoc nhac", "nhac em"], 2.5),
        **dict.fromkeys(["ping me", "turn on", "alert me", "update me", "message me when"], 2.5),
    },
    "talk_officer": {
        **dict.fromkeys(["nhan can bo", "gap can bo", "hoi can bo", "lien he can bo"], 3.0),
        **dict.fromkeys(["noi chuyen voi can bo", "nhan tin cho can bo", "chat voi can bo"], 3.0),
        **dict.fromkeys(["trao doi voi can bo", "gui can bo", "nguoi xu ly", "can bo xu ly"], 3.0),
        **dict.fromkeys(["talk to officer", "officer", "nhan cho can bo", "hoi nguoi xu ly"], 3.0),
        **dict.fromkeys(["cho can bo", "voi can bo", "toi can bo", "den can bo"], 2.5),
        **dict.fromkeys(["can bo", "chuyen vien", "trao doi"], 1.5),
        **dict.fromkeys(
            ["talk to the officer", "message the officer", "write to the officer"], 3.0
        ),
        **dict.fromkeys(["contact the officer", "ask the officer", "talk to someone"], 3.0),
        **dict.fromkeys(["nguoi phu trach", "nguoi giai quyet", "nhan tin cho nguoi"], 3.0),
        **dict.fromkeys(["muon hoi nguoi", "noi chuyen voi nguoi", "person in charge"], 3.0),
        **dict.fromkeys(["nguoi dang xet", "nguoi xet", "gui thac mac", "thac mac toi"], 3.0),
        **dict.fromkeys(["talk to the person", "civil servant", "forward my question"], 3.0),
    },
    "rate": {
        **dict.fromkeys(["danh gia", "cham diem", "hai long", "rate", "rating"], 2.5),
        **dict.fromkeys(["feedback", "muc do hai long", "danh gia dich vu"], 2.5),
        **dict.fromkeys(["thai do phuc vu", "thai do can bo", "gop y ve thai do"], 2.5),
        **dict.fromkeys(["rate the service", "give a rating", "review", "satisfaction"], 2.5),
        **dict.fromkeys(["gop y", "phan hoi ve", "y kien ve", "khen", "complain"], 2.5),
    },
    "link": {
        **dict.fromkeys(["lien ket", "ket noi tai khoan", "ma lien ket", "link"], 3.0),
        **dict.fromkeys(["dang nhap", "xac minh tai khoan", "gan tai khoan"], 2.5),
        **dict.fromkeys(["chia se so dien thoai", "so dien thoai cua toi"], 2.5),
        **dict.fromkeys(["link my account", "link account", "connect my account", "sign in"], 3.0),
        **dict.fromkeys(["dong bo", "sync my account", "sync this chat"], 2.5),
    },
    "check_dossier": {
        **dict.fromkeys(["tra cuu ho so", "kiem tra ho so", "ho so den dau"], 3.0),
        **dict.fromkeys(["ho so cua toi", "ho so cua minh", "ho so cua em"], 2.0),
        **dict.fromkeys(["tinh trang ho so", "trang thai ho so", "tien do ho so"], 3.0),
        **dict.fromkeys(["xem ho so", "check ho so", "chua xong", "sao chua xong"], 3.0),
        **dict.fromkeys(["bao gio co ket qua", "khi nao co ket qua", "chua co ket qua"], 3.0),
        **dict.fromkeys(["ho so xong chua", "ho so sao roi", "ho so the nao roi"], 3.0),
        **dict.fromkeys(["da co ket qua chua", "co ket qua chua", "xong chua", "den dau roi"], 2.5),
        **dict.fromkeys(["ma ho so", "bien nhan", "giay hen", "sao lau the", "lau qua"], 2.0),
        **dict.fromkeys(["tra cuu", "kiem tra", "tien do", "tinh trang", "trang thai"], 1.0),
        **dict.fromkeys(["check status", "my dossier", "dossier status", "track"], 3.0),
        **dict.fromkeys(["my application", "application status", "check my", "my file"], 3.0),
        **dict.fromkeys(["where is my", "is it ready", "status of"], 2.5),
        # Picking up the result: "bao giờ lên lấy sổ được", "ngày hẹn trả kết quả".
        **dict.fromkeys(["len lay", "den lay", "ngay hen", "hen tra", "tra ket qua"], 2.5),
        **dict.fromkeys(["ready to pick up", "ready yet", "ready for pickup", "pick up"], 2.5),
        **dict.fromkeys(["any news", "any update", "pending", "still waiting"], 2.5),
    },
    "find_procedure": {
        **dict.fromkeys(["thu tuc", "can giay to gi", "giay to gi", "can nhung gi"], 2.0),
        **dict.fromkeys(["can gi", "gom nhung gi", "le phi", "bao nhieu tien", "mat bao lau"], 2.0),
        **dict.fromkeys(["nop o dau", "lam o dau", "lam nhu the nao", "lam sao", "cach lam"], 2.0),
        **dict.fromkeys(["huong dan lam", "muon lam", "can lam", "bao lau", "phi"], 1.5),
        **dict.fromkeys(["procedure", "how to", "how do i", "documents", "fee"], 2.0),
        **dict.fromkeys(["what papers", "what do i need", "requirements", "how long"], 2.0),
    },
    "help": {
        **dict.fromkeys(["help", "tro giup", "huong dan", "menu", "chuc nang", "start"], 2.0),
        **dict.fromkeys(["lam duoc gi", "giup duoc gi", "co the lam gi", "ban la ai"], 2.0),
        **dict.fromkeys(["bat dau", "giup toi", "giup minh", "giup voi", "giup em"], 1.5),
        **dict.fromkeys(["huong dan su dung", "dung sao", "dung the nao", "cach dung"], 2.0),
        **dict.fromkeys(["main menu", "what can you do", "show menu"], 2.0),
        **dict.fromkeys(["hoi duoc gi", "hoi duoc nhung gi", "ho tro nhung gi", "ho tro gi"], 2.0),
        **dict.fromkeys(["lam duoc nhung gi", "ho tro duoc", "liet ke", "nhung dich vu"], 2.0),
    },
    "greeting": {
        **dict.fromkeys(["xin chao", "chao", "hello", "hi", "alo", "hey", "chao ban"], 2.0),
        **dict.fromkeys(["admin oi", "ban oi", "chao admin", "good morning"], 2.0),
        **dict.fromkeys(["chao buoi sang", "chao buoi chieu", "chao buoi toi", "co ai khong"], 2.0),
        **dict.fromkeys(["good evening", "good afternoon", "good day"], 2.0),
    },
    "thanks": {
        **dict.fromkeys(["cam on", "thank", "thanks", "thank you", "ok", "duoc roi", "da ta"], 2.0),
        **dict.fromkeys(["vang", "da", "hieu roi", "tot qua"], 1.5),
        **dict.fromkeys(["cheers", "much appreciated", "appreciate it"], 2.0),
    },
}

# Words that carry no topic: after removing them and the intent phrases, whatever is left
# is what the citizen is asking about ("hộ chiếu" in "cho mình hỏi làm hộ chiếu ạ").
FILLER = frozenset(
    [
        "a", "ah", "oi", "ak", "ha", "nha", "nhe", "nhi", "voi", "cho", "em", "minh", "toi", "ban",
        "anh", "chi", "co", "chu", "bac", "ong", "ba", "hoi", "xin", "vui", "long", "giup", "duoc",
        "khong", "gi", "nao", "la", "the", "vay", "roi", "ma", "thi", "di", "de", "can", "muon",
        "lam", "phai", "admin", "cua", "va", "hay", "hoac", "nhu", "sao", "lam", "nay", "kia", "se", "nhieu", "rat", "qua",
        "da", "bi", "con", "nua", "luon", "ok", "please", "i", "want", "my", "to", "how", "what",
        "need", "you", "me", "is", "of", "for", "an", "ve", "nhung", "pls", "plz", "dau", "gio",
    ]
)  # fmt: skip

# Two-word fillers: "hồ sơ" and "thủ tục" say what kind of thing, not which one.
FILLER_PAIRS = frozenset({("ho", "so"), ("thu", "tuc"), ("o", "day")})  # "ở đây": here
