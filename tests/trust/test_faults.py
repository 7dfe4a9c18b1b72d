"""A server killed with SIGKILL mid-stream loses no acknowledged submission and duplicates none."""

import json
import threading
import time
import uuid

import httpx
import pytest

from tests.trust.live import LiveServer


@pytest.fixture
def live(tmp_path):
    server = LiveServer(tmp_path / "data")
    server.setup_world()
    server.start()
    yield server
    server.close()


def _count_by_title(server: LiveServer) -> dict[str, int]:
    code = (
        "import json; from django.db.models import Count; from fengqiao.cases.models import Case; "
        "print(json.dumps({r['title']: r['n'] for r in Case.objects.values('title').annotate(n=Count('id'))}, ensure_ascii=False))"
    )
    return json.loads(server.manage("shell", "-c", code).stdout.strip().splitlines()[-1])


def test_sigkill_mid_stream_loses_no_acknowledged_submission(live):
    acknowledged: dict[str, str] = {}  # idempotency key → query code
    bodies: dict[str, dict] = {}
    unanswered: list[str] = []
    stop = threading.Event()

    def submit_stream():
        with httpx.Client(base_url=live.url, timeout=5) as client:
            for i in range(400):
                if stop.is_set():
                    return
                key = uuid.uuid4().hex
                body = {"title": f"第{i}号诉求：小区路面破损 {key[:8]}", "content": "路面坑洼多处，雨天积水，老人出行不便。",
                        "phone": "13800138000"}
                bodies[key] = body
                try:
                    r = client.post("/api/v1/public/cases", json=body, headers={"Idempotency-Key": key})
                except httpx.HTTPError:
                    unanswered.append(key)
                    time.sleep(0.05)
                    continue
                if 200 <= r.status_code < 300:
                    acknowledged[key] = r.json()["query_code"]
                else:
                    unanswered.append(key)

    worker = threading.Thread(target=submit_stream)
    worker.start()
    while len(acknowledged) < 40:
        time.sleep(0.05)
    live.kill()
    killed_after = len(acknowledged)
    time.sleep(0.5)
    live.start()
    while len(acknowledged) < killed_after + 40 and worker.is_alive():
        time.sleep(0.05)
    stop.set()
    worker.join(timeout=60)

    # Retrying the requests that got no answer, with the same keys, creates each at most once.
    with httpx.Client(base_url=live.url, timeout=10) as client:
        for key in unanswered:
            r = client.post("/api/v1/public/cases", json=bodies[key], headers={"Idempotency-Key": key})
            assert r.status_code == 201
            acknowledged[key] = r.json()["query_code"]
        for key in list(acknowledged)[:10]:
            again = client.post("/api/v1/public/cases", json=bodies[key], headers={"Idempotency-Key": key})
            assert again.json()["query_code"] == acknowledged[key]
        counts = _count_by_title(live)
        for key, code in acknowledged.items():
            assert counts.get(bodies[key]["title"]) == 1, key
            assert client.get(f"/api/v1/public/cases/{code}").status_code == 200
    assert killed_after >= 40 and len(acknowledged) >= killed_after + 40
    print(f"kill test: {len(acknowledged)} acknowledged submissions, {len(unanswered)} retried after the kill")
