"""The detail page leads with the media and says each fact once, in words; the
engineering data folds away under "Technical details"."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from studio.generations.models import Attempt, Generation, State, Status


class DetailPage(HTMLParser):
    """The facts (dt -> dd text) outside and inside the folded technical details,
    and the page's text outside that fold."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.facts: list[tuple[str, str]] = []
        self.tech_facts: list[tuple[str, str]] = []
        self.outside_text = ""
        self.fold: dict | None = None
        self.depth = 0  # inside the fold while > 0
        self.cell = ""
        self.in_main = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "main":
            self.in_main = True
        if tag == "details" and "tech" in (named.get("class") or "").split():
            self.fold = {"open": "open" in named}
            self.depth = 1
        elif self.fold is not None and self.depth and tag == "details":
            self.depth += 1
        if tag in ("dt", "dd"):
            self.cell = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False
        if tag == "details" and self.depth:
            self.depth -= 1
        if tag in ("dt", "dd"):
            self.cell = ""

    def handle_data(self, data: str) -> None:
        if not self.in_main:
            return
        facts = self.tech_facts if self.depth else self.facts
        if self.cell == "dt":
            facts.append((data.strip(), ""))
        elif self.cell == "dd" and facts:
            facts[-1] = (facts[-1][0], (facts[-1][1] + data).strip())
        if not self.depth:
            self.outside_text += data


def page(client, generation) -> DetailPage:
    response = client.get(f"/generations/{generation.pk}/")
    assert response.status_code == 200
    return DetailPage(response.content.decode())


def labels(facts) -> list[str]:
    return [label for label, _ in facts]


def made(team, author, kind, params, **fields) -> Generation:
    generation = Generation.objects.create(
        team=team, author=author, kind=kind, params=params,
        cost=fields.pop("cost", 1000), state=State.SUCCEEDED, status=Status.SUCCEEDED,
        **fields)
    generation.media.save(f"{generation.pk}.{generation.media_format or 'bin'}",
                          ContentFile(b"media bytes"))
    return generation


@pytest.fixture
def clip(team_a, owner):
    clip = made(team_a, owner, "video_t2v", {"prompt": "waves at dusk", "duration": 6},
                media_format="mp4", duration_ms=6000, width=1280, height=720, fps=24.0,
                frame_count=144, credits_used=1000, credits_remaining=97524,
                usage_id="usage-77", finished_at=timezone.now())
    Attempt.objects.create(generation=clip, number=1, token_key="k", kind="video_t2v",
                           sent_at=timezone.now(), http_status=200, latency_ms=1234,
                           outcome=Attempt.Outcome.SUCCEEDED)
    return clip


def test_each_fact_is_shown_once_in_words(owner_client, clip):
    shown = page(owner_client, clip)
    assert len(labels(shown.facts)) == len(set(labels(shown.facts))), shown.facts
    facts = dict(shown.facts)
    assert facts["Duration"] == "0:06"  # not also "Duration 6"
    assert facts["Size"] == "1280 × 720" and facts["Frames"] == "144 at 24 fps"
    assert facts["Cost"] == "1,000 credits"
    assert "waves at dusk" in shown.outside_text and "Prompt" not in labels(shown.facts)


def test_engineering_data_is_folded_under_technical_details(owner_client, clip):
    html = owner_client.get(f"/generations/{clip.pk}/").content.decode()
    shown = DetailPage(html)
    assert shown.fold == {"open": False}
    tech = dict(shown.tech_facts)
    assert tech["Usage id"] == "usage-77" and tech["Balance after"] == "97,524 credits"
    assert "usage-77" not in shown.outside_text and "97,524" not in shown.outside_text
    assert "1,234 ms" not in shown.outside_text
    start = html.index('<details class="tech"')
    fold = html[start:html.index("</details>", start)]
    assert 'data-attempt="1"' in fold and "1,234 ms" in fold and ">200<" in fold


def test_the_media_comes_before_the_words(owner_client, clip):
    html = owner_client.get(f"/generations/{clip.pk}/").content.decode()
    assert html.index("<video") < html.index("waves at dusk</p>") < html.index("<h2 id=\"review")


def test_a_succeeded_generation_shows_no_status(owner_client, clip):
    assert "Succeeded" not in page(owner_client, clip).outside_text


def test_a_failed_generation_says_why(owner_client, team_a, owner):
    failed = Generation.objects.create(
        team=team_a, author=owner, kind="image", params={"prompt": "a kite"}, cost=50,
        state=State.FAILED, status=Status.FAILED, error_code="insufficient_credits",
        error_message="The team is out of credits: top up, then try again.")
    shown = page(owner_client, failed)
    assert "Failed." in shown.outside_text
    assert "The team is out of credits: top up, then try again." in shown.outside_text
    assert dict(shown.facts)["Cost"] == "Nothing charged (quoted 50 credits)"


def test_speech_names_its_voice_as_a_person_reads_it(owner_client, team_a, owner):
    speech = made(team_a, owner, "tts", {"text": "Dawn breaks.", "voice": "Deep_Voice_Man"},
                  cost=14, media_format="mp3", duration_ms=2400, credits_used=14)
    facts = dict(page(owner_client, speech).facts)
    assert facts["Voice"] == "Deep Voice Man" and facts["Duration"] == "0:02"
    assert "Text" not in facts


def test_a_queued_generation_shows_its_place_and_the_cost_held(owner_client, team_a, owner):
    waiting = Generation.objects.create(team=team_a, author=owner, kind="image",
                                        params={"prompt": "a kite", "width": 1024,
                                                "height": 768}, cost=50, queue_position=2)
    shown = page(owner_client, waiting)
    assert re.search(r"Queued: #2 in line", shown.outside_text)
    facts = dict(shown.facts)
    assert facts["Size"] == "1024 × 768" and facts["Cost"] == "50 credits, held until it finishes"


def test_actions_follow_the_role(owner_client, viewer_client, clip):
    delete = f'action="/generations/{clip.pk}/delete/"'
    owner_html = owner_client.get(f"/generations/{clip.pk}/").content.decode()
    assert delete in owner_html and "/generate/t2v/?" in owner_html
    assert f"/generations/{clip.pk}/media?download=1" in owner_html
    viewer_html = viewer_client.get(f"/generations/{clip.pk}/").content.decode()
    assert delete not in viewer_html and "/generate/t2v/?" not in viewer_html
    assert f"/generations/{clip.pk}/media?download=1" in viewer_html
