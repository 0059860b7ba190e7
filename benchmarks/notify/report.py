"""The notify part's table, in benchmarks.harness.report's style."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.harness.report import cells, table, verdict


def _s(value: float | None) -> str:
    return "never (not within the wait)" if value is None else f"{value:g} s"


FIGURES = "seconds worker_cpu_seconds machine_busy_share"


def _phase_rows(part: dict) -> list[list[object]]:
    burst, ping, steady = part["burst"], part["ping"], part["steady"]
    slow = part["slow_provider_burst"]
    lat = steady["latency"]["push_to_gateway"]
    bursts = "deliveries_per_second seconds_to_last worker_cpu_seconds machine_busy_share"
    return [
        ["burst", f"{burst['delivered']:,}/{burst['events']:,}", *cells(burst, bursts)],
        ["ping (ref)", f"{ping['jobs']:,}", ping["jobs_per_second"], *cells(ping, FIGURES)],
        ["steady", f"{lat['n']:,}/{steady['events']:,}", steady["events_per_second"]]
        + cells(steady, FIGURES),
        [f"burst, provider {slow['provider_latency_s']:g} s"]
        + [f"{slow['delivered']:,}/{slow['events']:,}", *cells(slow, bursts)],
    ]


def _profile_lines(prof: dict) -> list[str]:
    cold, warm = prof["deliver_batch_in_fresh_fork"], prof["deliver_batch_warm"]
    events = prof["events_to_notifications"]
    probe = prof["quota_probe"]
    return [
        f"   in-process, one delivery (deliver_batch of 100): {warm['wall_ms_each']} ms warm "
        f"(CPU {warm['cpu_ms_each']}, in SQL {warm['sql_ms_each']}), {cold['wall_ms_each']} ms "
        f"in a fresh fork (CPU {cold['cpu_ms_each']}); statements {warm['statements_each']}",
        f"   one event → notification: {events['wall_ms_each']} ms (CPU {events['cpu_ms_each']}), "
        f"statements {events['statements_each']}; a one-row COMMIT {prof['commit_ms']} ms; "
        f"fork + reap {prof['fork_and_reap_ms']} ms",
        f"   quota probe at {probe['quota_per_second']}/s: {probe['outcomes']}, "
        f"{probe['left_pending']} left pending, {probe['jobs_enqueued_for_them']} delayed jobs "
        f"enqueued for them (due within {probe['their_next_attempt_within_s']} s); "
        f"ingest_dossiers of {events['items']} records enqueued "
        f"{prof['wakeups_enqueued_by_ingest_dossiers']} process_domain_events",
    ]


def notify_text(part: dict) -> str:
    burst, steady = part["burst"], part["steady"]
    lat = steady["latency"]["push_to_gateway"]
    lines = [
        f"6. Notifications, status change → fake SMS gateway ({part['setup']['workers']}, "
        "PostgreSQL + Redis; per s: deliveries, ping jobs, events offered)",
        table("phase|done|per s|seconds|worker CPU s|machine busy", _phase_rows(part)),
        f"   deliveries/ping = {part['ratio_deliveries_over_pings']}; target ≥ "
        f"{part['target_deliveries_per_second']:,}/s: {verdict(part['meets_throughput_target'])}",
        f"   burst: {burst['pushes']} pushes of 500; their own wake-ups left "
        f"{burst['events_left_by_the_wakeups']:,} events (the check enqueued "
        f"{burst['extra_wakeups_to_drain']} more); withdrawn after the wait: "
        f"{burst['withdrawn_after_the_wait'] or '-'}",
        f"   steady latency, push received → gateway: p50 {_s(lat['p50_s'])}, p95 {_s(lat['p95_s'])}, "
        f"p99 {_s(lat['p99_s'])}, max {_s(lat['max_s'])}, {lat['missing']} not delivered "
        f"within the wait; target p95 < {part['target_p95_seconds']:g} s: "
        f"{verdict(part['meets_latency_target'])}",
        f"   when the steady load ended, jobs queued: {steady['queued_when_the_load_ended']}",
        "   its stages p50/p95 s: "
        + ", ".join(
            f"{k} {v['p50_s']}/{v['p95_s']}" for k, v in steady["latency"]["stages"].items()
        ),
    ]
    for phase, funcs in part["jobs_by_phase"].items():
        for func, j in funcs.items():
            each = f" ({j['run_ms_per_item']} ms a notification)" if j["items"] > j["jobs"] else ""
            lines.append(
                f"   {phase}: {j['jobs']} x {func}, run p50 {j['run_ms_p50']} ms{each} (max "
                f"{j['run_ms_max']}), queue wait p50 {j['queue_wait_ms_p50']} ms (max "
                f"{j['queue_wait_ms_max']})"
            )
    lines += _profile_lines(part["profile"])
    lines.append(
        f"   gateway: {part['gateway_duplicates']} duplicates, {part['gateway_refused']} refused; "
        f"failed jobs {part['failed_jobs']}"
    )
    errors = part.get("worker_log_errors") or {}
    for message, count in list((errors.get("by_message") or {}).items())[:5]:
        lines.append(f"   worker log: {count} x {message}")
    if not part.get("redis_intact", True):
        lines.append("   WARNING: the Redis database was flushed by someone else mid-run.")
    return "\n".join(lines)


TEXT: dict[str, Callable[[dict], str]] = {"notify": notify_text}
