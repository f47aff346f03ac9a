"""Fair turns and sets on the real stack (gunicorn, `manage.py worker`, the sandbox),
with every window scaled to 6 s.

fairness   member A queues 30 speech jobs in one set; member B queues one half a
           second later. When does B's call go, against the first slot that opened
           after B submitted (goal: that very slot, so within one window), and what
           rate did the whole burst reach (goal >= 0.97 of the limit, no 429)?
sets       200 items of every kind, in five sets submitted at once through the
           composer: each set's quote against the charges its items booked (goal:
           equal), and the finish the composer showed at submission against the
           actual one (goal: within 20% of the time the set took).

Run it with `python -m tests.bench turns`.
"""

from __future__ import annotations

import html
import re
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta

from tests.bench.dispatch import BenchStack, Scenario, figures_for, print_table, warm_up
from tests.stack import csrf_post

SPEECH = {"voice": "Wise_Woman", "text": "Line {1|2|3|4|5|6} of the fairness bench.",
          "count": 5}
SETS = {  # slug: (form fields, count); alternatives times count = the set's size
    "tts": ({"voice": "Calm_Woman", "text": "Set line {a|b|c|d}."}, 16),
    "image": ({"prompt": "set lighthouse {a|b|c|d}", "width": 512, "height": 512}, 16),
    "i2v": ({"motion_prompt": "slow zoom {in|out}", "provider": "wan22"}, 12),
    "t2v": ({"prompt": "set waves {a|b}", "duration": 1}, 12),
    "cogvideox": ({"prompt": "set clouds {a|b}", "num_frames": 17}, 12),
}
SIX_SECONDS = {"tts": (10, 6.0), "image": (5, 6.0), "video_i2v": (2, 6.0),
               "video_t2v": (1, 6.0), "video_cogvideox": (1, 6.0)}


def main() -> None:
    fairness()
    sets()


def drained(stack: BenchStack, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with closing(stack.db()) as db:
            (pending,) = db.execute("SELECT COUNT(*) FROM generations_generation WHERE "
                                    "status IN ('queued', 'running')").fetchone()
        if not pending:
            return
        time.sleep(0.25)
    raise RuntimeError(f"{pending} still pending after {seconds:g}s\n{stack.logs()}")


def second_member(stack: BenchStack):
    stack.manage("add_member", stack.team, "bea", "--password", "bea-bench-password-1",
                 "--role", "member")
    client = stack.client()
    client.get("/accounts/login/")
    csrf_post(client, "/accounts/login/", {"username": "bea",
                                           "password": "bea-bench-password-1"})
    return client


def fairness() -> None:
    scenario = Scenario("fairness", {"tts": (10, 6.0)}, {"tts": 31}, 0.97)
    stack = BenchStack(scenario)
    try:
        with stack:
            warm_up(stack)
            with closing(stack.login_client()) as a, closing(second_member(stack)) as b:
                answered = csrf_post(a, "/generate/tts/", SPEECH)
                assert answered.status_code == 302, answered.text[:500]
                time.sleep(0.5)
                answered = csrf_post(b, "/generate/tts/", {"voice": "Deep_Voice_Man",
                                                           "text": "B's one line."})
                assert answered.status_code == 302, answered.text[:500]
            drained(stack, 90)
            with closing(stack.db()) as db:
                report_fairness(db, scenario)
    finally:
        stack.cleanup()


def stamp(text: str) -> datetime:
    """A stamp as SQLite stores it (naive UTC), aware."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def report_fairness(db, scenario: Scenario) -> None:
    """Attempts in id order are the order the dispatcher handed out slots (sent_at is
    restamped when a queue worker sends, which may lag behind)."""
    limit, window = scenario.limits["tts"]
    rows = db.execute(
        "SELECT a.sent_at, u.username, g.created_at FROM generations_attempt a "
        "JOIN generations_generation g ON g.id = a.generation_id "
        "JOIN auth_user u ON u.id = g.author_id WHERE a.http_status = 201 "
        "ORDER BY a.id").fetchall()
    sends = [(stamp(sent), who, stamp(created)) for sent, who, created in rows]
    b_at = next(n for n, row in enumerate(sends) if row[1] == "bea")
    b_sent, _, b_created = sends[b_at]
    # Slot i (from the limit on) opens a window after call i-limit went; those that
    # opened after B's submission and went to A before B are turns B lost.
    lost = sum(1 for n in range(limit, b_at)
               if sends[n - limit][0] + timedelta(seconds=window) > b_created)
    a_sends = sorted(sent for sent, who, _ in sends if who != "bea")
    print("\n-- fairness: member A queues 30 speech jobs (one set), member B one 0.5 s "
          "later; tts=10/6s")
    print(f"B's call went {(b_sent - b_created).total_seconds():.2f} s after B submitted "
          f"(one window: {window:g} s), as call {b_at + 1} of {len(sends)}; slots that "
          f"opened after B's submission and went to A first: {lost} (goal 0)")
    print(f"A's 30 calls went over {(a_sends[-1] - a_sends[0]).total_seconds():.1f} s: "
          f"31 calls at {limit} per {window:g} s need three windows after the first")
    print_table([figures_for(db, "tts", scenario)])


def sets() -> None:
    scenario = Scenario("sets", SIX_SECONDS, {}, 0.95)
    stack = BenchStack(scenario)
    try:
        with stack:
            warm_up(stack)
            shown = {}
            with closing(stack.login_client()) as client:
                for slug, (fields, count) in SETS.items():
                    data = {**fields, "count": count}
                    if slug == "i2v":
                        data["image_url"] = f"{stack.url}/static/icons/studio.png"
                    answered = csrf_post(client, f"/generate/{slug}/", data,
                                         headers={"HX-Request": "true"})
                    shown[slug] = expected_finish(answered.text)
            drained(stack, 600)
            with closing(stack.db()) as db:
                report_sets(db, shown)
    finally:
        stack.cleanup()


def expected_finish(answer: str) -> datetime | None:
    status = re.search(r'id="composer-status".*?</p>', answer, re.S)
    found = re.search(r'<time datetime="([^"]+)"', status.group(0)) if status else None
    if found is None:
        raise RuntimeError(f"no expected finish in the composer's answer:\n{answer[-1500:]}")
    return datetime.fromisoformat(html.unescape(found.group(1)))


def report_sets(db, shown: dict) -> None:
    print("\n-- sets: 200 items in five sets of every kind, windows scaled to 6 s")
    print(f"{'set':<11}{'items':>6}{'quote':>8}{'charged':>9}{'took s':>8}{'shown s':>9}"
          f"{'finish off':>12}  goal 20%")
    quotes = charges = 0
    for slug, shown_finish in shown.items():
        kind = {"i2v": "video_i2v", "t2v": "video_t2v",
                "cogvideox": "video_cogvideox"}.get(slug, slug)
        generation_set, size, quote = db.execute(
            "SELECT id, size, cost FROM generations_generationset WHERE kind = ? "
            "ORDER BY id DESC", (kind,)).fetchone()
        charged, last_done, created = db.execute(
            "SELECT SUM(credits_used), MAX(finished_at), MIN(created_at) "
            "FROM generations_generation WHERE generation_set_id = ?", (generation_set,)).fetchone()
        began = stamp(created)
        took = (stamp(last_done) - began).total_seconds()
        expected = (shown_finish - began).total_seconds()
        off = abs(took - expected) / took if took else 0
        quotes, charges = quotes + quote, charges + (charged or 0)
        print(f"{slug:<11}{size:>6}{quote:>8}{charged or 0:>9}{took:>8.1f}{expected:>9.1f}"
              f"{off:>11.0%}{'  ok' if off <= 0.2 else '  MISSED'}")
    print(f"all sets: quoted {quotes:,} credits, charged {charges:,} "
          f"({'equal' if quotes == charges else 'DIFFERENT'})")
    print("took: from the set's submission to its last item's answer; shown: the finish "
          "the composer's answer showed (the last item's expected start, plus the time "
          "the kind's recent calls took to be answered).")
