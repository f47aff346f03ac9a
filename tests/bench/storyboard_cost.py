"""A storyboard made through the pages, as a person makes it: the cost its page shows
before anything is sent, against what the API charged for it (the credits page's
CSV, which sums to what the API debited). Goal: equal.

The studio runs as tests/stack.py runs it (web, worker, the built-in sandbox as the
API); the ten scenes of the film bench, written as a script; made, and followed until
its film is made. `python -m tests.bench storyboard_cost`.
"""

import csv
import io
import re
import time
from contextlib import closing

from tests.bench.film import NARRATIONS
from tests.stack import Stack, csrf_post

FILM_WITHIN = 600.0  # seconds: ten speeches, pictures and clips on the sandbox
# Room for the ten of each kind at once (the sandbox keeps the same windows): this
# measures money, not waiting for windows.
RATE_LIMITS = "tts=60/60,image=60/60,video_i2v=60/60"
SCRIPT = "\n\n".join(f"{words}\nPicture: the harbour, scene {n}"
                     for n, words in enumerate(NARRATIONS, start=1))


def shown_cost(html: str) -> int:
    return int(re.search(r'data-total-cost="(\d+)"', html).group(1))


def charged(client) -> int:
    rows = csv.DictReader(io.StringIO(client.get("/credits/export.csv").text))
    return sum(int(row["credits_used"]) for row in rows)


def film_made(client, page: str) -> bool:
    return 'class="film-player"' in client.get(page).text


def main() -> None:
    with Stack(env={"STUDIO_RATE_LIMITS": RATE_LIMITS}) as stack, \
            closing(stack.login_client()) as client:
        before = charged(client)
        made = csrf_post(client, "/storyboards/", {
            "title": "The Harbour", "script": SCRIPT, "look": "", "voice": "",
            "provider": "", "crossfade": "0.5"})
        page = made.headers.get("location", "")
        if made.status_code != 302 or not page.startswith("/storyboards/"):
            print(f"storyboard cost: the storyboard was not made ({made.status_code})")
            return
        quoted = shown_cost(client.get(page).text)
        began = time.monotonic()
        csrf_post(client, f"{page}make/", {})
        while not film_made(client, page) and time.monotonic() - began < FILM_WITHIN:
            time.sleep(1)
        if not film_made(client, page):
            print(f"storyboard cost: no film within {FILM_WITHIN:g} s\n{stack.logs()}")
            return
        spent = charged(client) - before
    verdict = "equal: ok" if spent == quoted else "DIFFERENT: MISSED"
    print(f"storyboard cost: ten scenes shown as {quoted:,} credits before making; the API "
          f"charged {spent:,} ({verdict}); film made in {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
