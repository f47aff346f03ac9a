"""The composer's panels: the tab a URL picks, live cost data, the I2V source grid."""

from django.core.files.base import ContentFile

from studio.generations.forms import FORMS
from studio.generations.models import Generation, Status
from tests.generations.test_video import finished_image, png_bytes


def composer_of(html: str) -> str:
    return html.split('id="composer"')[1].split("</section>")[0]


def panel_of(html: str, slug: str) -> str:
    return html.split(f'id="compose-panel-{slug}"')[1].split('role="tabpanel"')[0]


def test_url_picks_the_tab_and_fills_its_form(owner_client, team_a, owner):
    picture = finished_image(team_a, owner)
    html = owner_client.get(f"/?compose=i2v&source={picture.pk}").content.decode()
    composer = composer_of(html)
    assert 'data-chosen="i2v" data-chosen-by-url' in composer
    assert 'id="compose-tab-i2v"\n       aria-controls="compose-panel-i2v" aria-selected="true"' \
        in composer
    assert f'name="source" value="{picture.pk}" checked>' in panel_of(html, "i2v")


def test_costs_and_balance_are_data_for_the_page_to_compute_from(owner_client, team_a):
    team_a.credits_remaining = 97_524
    team_a.save()
    html = owner_client.get("/?compose=i2v").content.decode()
    i2v = panel_of(html, "i2v")
    assert 'data-cost-default="400" data-balance-before="97524"' in i2v
    for provider, cost in (("wan22", 400), ("seedance", 520), ("sora2", 800)):
        assert f'value="{provider}" id="compose-i2v-provider-{provider}" data-cost="{cost}"' in i2v
        assert f'data-verdict-for="{cost}"' in i2v
    assert "<span data-balance-after>97,124</span>" in i2v
    assert "Team balance 97,524 credits" in i2v


def test_source_grid_offers_the_teams_finished_images_newest_first(owner_client, team_a,
                                                                   team_b, owner, outsider):
    older, newer = finished_image(team_a, owner), finished_image(team_a, owner)
    theirs = finished_image(team_b, outsider)
    Generation.objects.create(team=team_a, author=owner, kind="image", cost=50,
                              params={"prompt": "not yet"}, status=Status.QUEUED)
    grid = panel_of(owner_client.get("/?compose=i2v").content.decode(), "i2v")
    values = [int(v) for v in grid.split('name="source" value="')[1:]
              for v in [v.split('"')[0]] if v]
    assert values == [newer.pk, older.pk]
    assert f'value="{theirs.pk}"' not in grid
    assert f'src="/generations/{newer.pk}/media"' in grid  # no thumbnail made in the test
    assert '<span class="visually-hidden">a red square, </span>' in grid  # the label


def test_source_grid_shows_the_newest_and_an_older_chosen_one(team_a, owner):
    oldest = finished_image(team_a, owner)
    for _ in range(25):
        copy = Generation.objects.create(team=team_a, author=owner, kind="image", cost=50,
                                         params={"prompt": "p"}, status=Status.SUCCEEDED,
                                         media_format="png")
        copy.media.save(f"{copy.pk}.png", ContentFile(png_bytes()))
    html = str(FORMS["video_i2v"](initial={"source": oldest.pk}, team=team_a)["source"])
    assert html.count('name="source" value="') == 24 + 2  # none, 24 newest, the chosen
    assert f'value="{oldest.pk}" checked' in html and "Show older images" in html
    assert 'hx-get="/generate/i2v/sources/?source_q=&amp;page=1"' in html


def test_the_picker_pages_past_the_newest_and_finds_by_the_words(owner_client, team_a, owner,
                                                                 team_b, outsider):
    made = []
    for number in range(26):
        item = Generation.objects.create(team=team_a, author=owner, kind="image", cost=50,
                                         params={"prompt": f"kite {number}" if number % 2
                                                 else f"boat {number}"},
                                         status=Status.SUCCEEDED, media_format="png",
                                         width=1024, height=576)
        item.media.save(f"{item.pk}.png", ContentFile(png_bytes()))
        made.append(item)
    finished_image(team_b, outsider)
    older = owner_client.get("/generate/i2v/sources/?page=1").content.decode()
    assert older.count('name="source" value="') == 2  # the 25th and 26th newest
    assert "None" not in older and "Show older" not in older
    kites = owner_client.get("/generate/i2v/sources/?source_q=KITE").content.decode()
    assert kites.count('name="source" value="') == 1 + 13  # None and the 13 kites
    assert "boat" not in kites and '<span class="tile-aspect">16:9</span>' in kites
    nothing = owner_client.get("/generate/i2v/sources/?source_q=lighthouse").content.decode()
    assert "No image matches “lighthouse”." in nothing


def test_only_a_member_of_the_team_pages_its_picker(viewer_client, outsider_client, team_a,
                                                     owner):
    mine = finished_image(team_a, owner)
    assert viewer_client.get("/generate/i2v/sources/").status_code == 403
    assert f'value="{mine.pk}"' not in outsider_client.get(
        "/generate/i2v/sources/").content.decode()


def test_crlf_newlines_count_once(team_a):
    text = "line\r\n" * 1000  # 6,000 characters as sent, 5,000 as typed, less the last
    form = FORMS["tts"]({"text": text, "voice": "Calm_Woman"}, team=team_a)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["text"] == ("line\n" * 1000).strip()
