"""The notify part's citizens, dossiers and portal records, numbered (the load child, the
in-app profile and the fault runs build the same ones), and the queues' backlog."""

from __future__ import annotations

from api.kernel.jobs import all_queues

FROM_STATUS, TO_STATUS = 2, 4  # received → being processed: a plain "status_changed" SMS
PUSH_BATCH = 500
CODE_PREFIX = "BENCH.NTF"


def code(index: int) -> str:
    return f"{CODE_PREFIX}-250101-{index:06d}"


def personal_id(index: int) -> str:
    return f"0791{index:08d}"


def phone(index: int) -> str:
    return f"8491{index:07d}"


def record(index: int, status: int = TO_STATUS) -> dict:
    """A HoSo record moving dossier ``index`` to ``status`` (only what the adapter needs)."""
    return {
        "MaHoSo": code(index),
        "TrangThaiHoSo": str(status),
        "TenTTHC": "Cấp giấy phép xây dựng",
        "ChuHoSo": f"Nguyễn Văn {index}",
        "SoGiayToChuHoSo": personal_id(index),
        "SoBienNhan": code(index),
    }


def queued_jobs(func: str | None = None) -> int:
    """Jobs waiting in the queues, or scheduled for later (only those calling ``func``, when
    given)."""
    if func is None:
        return sum(q.count + q.scheduled_job_registry.count for q in all_queues())
    return sum(1 for q in all_queues() for job in q.get_jobs() if job.func_name == func)
