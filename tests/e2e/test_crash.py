"""Workers killed (SIGKILL to their process group) at every point of a call's life,
then restarted: every job ends succeeded or failed with a reason, none stays
running, and the API's usage records match the ledger one to one.

The crash points come from the state graph: every state a worker acts on under a
lease (the moment a job enters it), the follow-up's move to storing, and the moment
the API has charged a call whose answer the worker is still waiting for.
"""

import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from studio.generations.states import GRAPH, State
from tests.stack import Stack, csrf_post, running_stack

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 60.0
USAGE = "/sandbox/api/v1/multimodal/usage"
TTS = ("tts", {"text": "crash test line", "voice": "Calm_Woman"})
VIDEO = ("cogvideox", {"prompt": "crash test clip", "num_frames": 17,
                       "guidance_scale": 6, "num_inference_steps": 20})

# (crash point, what to submit, sandbox faults, how it may end)
SCENARIOS = {
    "dispatched": (TTS, {}, "succeeded"),
    "sending": (TTS, {}, "succeeded"),
    "storing": (TTS, {}, "failed"),  # speech is not in the usage record: charged, lost
    "awaiting_provider": (VIDEO, {}, "succeeded"),
    "checking": (TTS, {"drop_next": 1}, "failed"),
    "awaiting_provider->storing": (VIDEO, {}, "succeeded"),
    "during the call": (TTS, {"delay_seconds": 3}, "failed"),
}


def test_the_scenarios_cover_every_leased_state_of_the_graph():
    leased = {state.value for state, step in GRAPH.items() if step.leased}
    assert leased <= set(SCENARIOS)
    assert all(point.split("->")[-1] in State.values or point == "during the call"
               for point in SCENARIOS)


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Stack]:
    crash_file = tmp_path_factory.mktemp("crash") / "point"
    yield from running_stack(request, env={
        "DJANGO_SETTINGS_MODULE": "tests.crash.settings",
        "STUDIO_CRASH_FILE": str(crash_file),
        "STUDIO_HEARTBEAT_SECONDS": "0.5",
        "STUDIO_RECOVERY_DELAY": "0.5",
        "STUDIO_PROVIDER_POLL": "0.5",
        "SANDBOX_VIDEO_SHAPE": "pending",
        "SANDBOX_VIDEO_LATENCY": "1",
        # The API's limits (a video a minute, ten speeches) are not what these test.
        "STUDIO_RATE_LIMITS": "video_cogvideox=10/60,tts=60/60",
    })


@pytest.fixture(scope="module")
def client(stack: Stack) -> Iterator[httpx.Client]:
    with closing(stack.login_client()) as client:
        yield client


@pytest.fixture(autouse=True)
def a_worker_after_each_test(stack: Stack) -> Iterator[None]:
    """A test that failed with its worker stopped leaves the next one a worker."""
    yield
    stack.start_worker()


def query(stack: Stack, code: str):
    """Run ORM code in the stack's own world; `code` prints one JSON value."""
    return json.loads(stack.manage("shell", "-c", code).strip().splitlines()[-1])


def usage_ids(stack: Stack) -> list[str]:
    answer = httpx.get(f"{stack.url}{USAGE}?limit=100",
                       headers={"Authorization": f"Bearer {stack.api_token}"})
    return [r["id"] for r in answer.json()["items"]
            if r["status"] == "completed" and r["credits_used"]]


def set_faults(stack: Stack, faults: dict) -> None:
    stack.manage("shell", "-c", (
        "from studio.sandbox.models import SandboxAccount, SandboxFaults, token_digest\n"
        f"a = SandboxAccount.objects.get(token_digest=token_digest({stack.api_token!r}))\n"
        f"SandboxFaults.objects.update_or_create(account=a, defaults={faults!r})"))


def wait_for(condition, what: str, stack: Stack):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {DEADLINE_SECONDS} s\n{stack.logs()}")


def kill_worker_when_charged(stack: Stack, charged_before: int) -> None:
    wait_for(lambda: len(usage_ids(stack)) > charged_before, "the charge", stack)
    os.killpg(stack.processes["worker"].pid, signal.SIGKILL)


def job_of(stack: Stack, marker: str) -> dict | None:
    return query(stack, (
        "import json\nfrom studio.generations.models import Generation\n"
        f"g = Generation.objects.filter(search_text__contains={marker.lower()!r}).first()\n"
        "print(json.dumps(g and {'state': g.state, 'status': g.status, "
        "'error': g.error_message, 'usage_id': g.usage_id}))"))


@pytest.mark.parametrize("point", list(SCENARIOS))
def test_a_worker_killed_at_each_point_leaves_nothing_running_or_charged_twice(
        stack: Stack, client: httpx.Client, point: str) -> None:
    (slug, params), faults, ends = SCENARIOS[point]
    marker = f"case {point.replace('->', ' to ')}"
    field = "text" if slug == "tts" else "prompt"
    charged_before = len(usage_ids(stack))
    set_faults(stack, faults or {"drop_next": 0, "delay_seconds": 0})
    if point != "during the call":
        Path(stack.env["STUDIO_CRASH_FILE"]).write_text(point)
    response = csrf_post(client, f"/generate/{slug}/",
                         {**params, field: f"{params[field]} {marker}"})
    assert response.status_code == 302, response.text[:500]
    worker = stack.processes["worker"]
    if point == "during the call":
        kill_worker_when_charged(stack, charged_before)
    wait_for(lambda: worker.poll() is not None, f"the crash at {point}", stack)
    assert not Path(stack.env["STUDIO_CRASH_FILE"]).exists()
    set_faults(stack, {"drop_next": 0, "delay_seconds": 0})

    stack.processes.pop("worker")
    stack.start_worker()
    job = wait_for(lambda: (j := job_of(stack, marker)) and j["status"] in (
        "succeeded", "failed") and j, f"the job after the crash at {point}", stack)
    assert job["status"] == ends, job
    if ends == "failed":
        assert job["error"], job
    assert len(usage_ids(stack)) == charged_before + 1  # one call reached the books
    ledger = query(stack, "import json\nfrom studio.credits.models import LedgerEntry\n"
                          "print(json.dumps(sorted(LedgerEntry.objects.values_list("
                          "'usage_id', flat=True))))")
    assert ledger == sorted(usage_ids(stack))  # one to one


def jobs_marked(stack: Stack, marker: str) -> list[dict]:
    return query(stack, (
        "import json\nfrom studio.generations.models import Generation\n"
        f"jobs = Generation.objects.filter(search_text__contains={marker.lower()!r})\n"
        "print(json.dumps([{'status': g.status, 'usage_id': g.usage_id, 'outcomes': "
        "list(g.attempt_log.values_list('outcome', flat=True))} for g in jobs]))"))


def test_a_call_lost_beside_another_in_flight_takes_none_of_its_charge(
        stack: Stack, client: httpx.Client) -> None:
    """Two calls on two workers: the first to reach the API is dropped before it is
    charged, the other is charged and answers 2 s later; the lost one's check (0.5 s
    after) must wait for it, then send the lost call again."""
    charged_before = len(usage_ids(stack))
    set_faults(stack, {"lose_next": 1, "delay_seconds": 2})
    response = csrf_post(client, "/generate/tts/",
                         {"text": "overlap {one|two}", "voice": "Calm_Woman"})
    assert response.status_code == 302, response.text[:500]
    jobs = wait_for(lambda: (found := jobs_marked(stack, "overlap")) and all(
        j["status"] in ("succeeded", "failed") for j in found) and found,
        "both overlapping jobs", stack)
    set_faults(stack, {"lose_next": 0, "delay_seconds": 0})
    assert [j["status"] for j in jobs] == ["succeeded", "succeeded"], jobs
    assert sorted(j["outcomes"] for j in jobs) == [["lost", "succeeded"], ["succeeded"]]
    assert len(usage_ids(stack)) == charged_before + 2  # the lost call cost nothing
    ledger = query(stack, "import json\nfrom studio.credits.models import LedgerEntry\n"
                          "print(json.dumps(sorted(LedgerEntry.objects.values_list("
                          "'usage_id', flat=True))))")
    assert ledger == sorted(usage_ids(stack))  # one to one


def submit_and_wait_for_the_call(stack: Stack, client: httpx.Client, marker: str) -> None:
    charged_before = len(usage_ids(stack))
    set_faults(stack, {"delay_seconds": 3})
    response = csrf_post(client, "/generate/tts/", {"text": f"stopping {marker}"})
    assert response.status_code == 302
    wait_for(lambda: len(usage_ids(stack)) > charged_before, "the charge", stack)


def restart_worker(stack: Stack, *, wait: bool = False) -> None:
    """A new worker in place of the one stopped (or of the one running)."""
    old = stack.processes.pop("worker")
    if old.poll() is None:
        Stack.terminate([old])
    log = stack.dir / "worker.log"
    seen = log.stat().st_size
    stack.start_worker()
    if wait:
        wait_for(lambda: b"running." in log.read_bytes()[seen:], "its start-up", stack)


def test_sigterm_to_an_idle_worker_group_stops_it_within_10_seconds(stack: Stack) -> None:
    restart_worker(stack, wait=True)
    worker = stack.processes["worker"]
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        assert worker.wait(timeout=10) == 0
    finally:  # a worker that did not stop would leave the next tests without one
        restart_worker(stack)


def test_sigterm_to_the_group_mid_call_hands_the_job_back(stack: Stack,
                                                          client: httpx.Client) -> None:
    submit_and_wait_for_the_call(stack, client, "group")
    worker = stack.processes["worker"]
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=10)
    handed_back = job_of(stack, "stopping group")
    assert handed_back["state"] == "checking", handed_back  # not left to a lease
    set_faults(stack, {"delay_seconds": 0})
    restart_worker(stack)
    job = wait_for(lambda: (j := job_of(stack, "stopping group"))["status"] in (
        "succeeded", "failed") and j, "the handed back job", stack)
    assert job["status"] == "failed" and "charge" in job["error"]
    assert job["usage_id"] in usage_ids(stack)


def test_sigterm_to_the_leader_lets_the_running_call_finish(stack: Stack,
                                                            client: httpx.Client) -> None:
    submit_and_wait_for_the_call(stack, client, "leader")
    worker = stack.processes["worker"]
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=20)
    assert job_of(stack, "stopping leader")["status"] == "succeeded"
    set_faults(stack, {"delay_seconds": 0})
    restart_worker(stack)
