from django.urls import reverse

from studio.generations.models import Generation, Status


def test_form_page_shows_fields_cost_and_voices(owner_client):
    response = owner_client.get("/generate/tts/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="text"' in html and 'name="voice"' in html
    assert "Deep Voice Man" in html
    assert "<strong data-cost>14</strong>" in html


def test_post_creates_queued_generation_and_redirects_to_gallery(owner_client, owner):
    response = owner_client.post("/generate/image/",
                                 {"prompt": "a fox", "width": 640, "height": 512})
    assert response.status_code == 302 and response.url == reverse("gallery")
    generation = Generation.objects.get()
    assert (generation.status, generation.kind, generation.author) == \
        (Status.QUEUED, "image", owner)
    assert generation.params == {"prompt": "a fox", "width": 640, "height": 512}
    assert generation.cost == 50


def test_bad_input_is_shown_beside_the_field_and_kept(owner_client):
    response = owner_client.post("/generate/image/", {
        "prompt": "a very particular fox", "width": "99999", "height": "512"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_width-error"' in html and "2048" in html
    assert "a very particular fox" in html and 'value="99999"' in html
    assert not Generation.objects.exists()


def test_viewer_sees_why_and_cannot_submit(viewer_client):
    page = viewer_client.get("/generate/tts/").content.decode()
    assert "you can browse and download, but not generate" in page
    response = viewer_client.post("/generate/tts/", {"text": "hi", "voice": "Calm_Woman"})
    assert response.status_code == 403
    assert not Generation.objects.exists()


def test_unknown_kind_is_404(owner_client):
    assert owner_client.get("/generate/opera/").status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/generate/tts/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# The composer: the gallery's form for every kind, posting through htmx ----------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_htmx_post_answers_with_the_new_card_for_the_top_of_the_grid(owner_client, owner):
    response = owner_client.post("/generate/image/", {
        "prompt": "a fox in the snow", "width": 640, "height": 512}, **HTMX)
    html = response.content.decode()
    generation = Generation.objects.get()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert 'hx-swap-oob="afterbegin:#gallery-grid"' in html
    oob = html.split('hx-swap-oob="afterbegin:#gallery-grid">', 1)[1]
    assert (f'data-generation-id="{generation.pk}" data-kind="image" '
            'data-status="queued"') in oob
    assert f"Queued Image #{generation.pk}" in html


def test_htmx_answer_clears_the_prompt_and_keeps_the_settings(owner_client):
    html = owner_client.post("/generate/image/", {
        "prompt": "a fox in the snow", "width": 640, "height": 512, "style": "ink"},
        **HTMX).content.decode()
    form = html.split("hx-swap-oob", 1)[0]
    assert 'id="compose-image-form"' in form and 'hx-post="/generate/image/"' in form
    assert "a fox in the snow</textarea>" not in form
    assert 'name="width" value="640"' in form and 'name="style" value="ink"' in form
    assert "data-shortcut-new" in form  # the next prompt is where "n" and the focus go


def test_htmx_answer_shows_the_balance_after_with_the_new_job_reserved(owner_client, team_a):
    team_a.credits_remaining = 1000
    team_a.save()
    html = owner_client.post("/generate/image/", {"prompt": "a", "width": 512, "height": 512},
                             **HTMX).content.decode()
    assert "<span data-balance-after>900</span>" in html  # 1,000 less 50 held, less 50


def test_htmx_400_answers_with_the_panel_its_errors_and_what_was_typed(owner_client):
    response = owner_client.post("/generate/image/", {
        "prompt": "a very particular fox", "width": "99999", "height": "512"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="compose-image-width-error"' in html and "2048" in html
    assert "a very particular fox</textarea>" in html and 'value="99999"' in html
    assert "<details class=\"settings\" data-settings open>" in html  # the error shows
    assert "#gallery-grid" not in html and "Not queued" in html
    assert not Generation.objects.exists()


def test_plain_post_still_redirects_to_the_gallery(owner_client):
    response = owner_client.post("/generate/tts/", {"text": "Hello.", "voice": "Calm_Woman"})
    assert response.status_code == 302 and response.url == reverse("gallery")


def test_text_fields_have_no_maxlength_so_nothing_is_cut(owner_client):
    for slug in ("tts", "image", "i2v", "cogvideox"):
        assert "maxlength" not in owner_client.get(f"/generate/{slug}/").content.decode()
    assert "maxlength" not in owner_client.get("/").content.decode().split(
        'id="composer"')[1].split("</section>")[0]


def test_too_long_text_is_refused_beside_the_field_and_kept_whole(owner_client):
    script = "word " * 1200  # 6,000 characters, 5,999 once stripped
    response = owner_client.post("/generate/tts/", {"text": script, "voice": "Calm_Woman"})
    html = response.content.decode()
    assert response.status_code == 400
    error = html.split('id="id_text-error"', 1)[1].split("</div>", 1)[0]
    assert "5,999 characters, 999 over the limit of 5,000" in error
    assert script + "</textarea>" in html
    assert "5,999 / 5,000 · 999 over" in html  # the counter says it too
    assert not Generation.objects.exists()


def test_the_counter_shows_the_length_against_the_limit(owner_client):
    html = owner_client.get("/generate/image/?prompt=" + "x" * 1234).content.decode()
    assert "1,234 / 2,000" in html
    assert 'aria-describedby="id_prompt_helptext id_prompt-limit"' in html


def test_viewer_is_told_at_the_top_and_gets_no_form(viewer_client):
    html = viewer_client.get("/generate/image/").content.decode()
    notice = html.index("you can browse and download, but not generate")
    assert notice < html.index("</h1>") + 400
    assert "<form method=\"post\" action=\"/generate/" not in html and "<textarea" not in html


def test_viewer_gets_no_composer_in_the_gallery(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert 'id="composer"' not in html and "/generate/" not in html
    assert "composer.js" not in html


def test_gallery_composer_has_a_tab_and_a_panel_per_kind(owner_client):
    html = owner_client.get("/").content.decode()
    composer = html.split('id="composer"')[1].split("</section>")[0]
    assert 'role="tablist"' in composer
    for slug in ("tts", "image", "i2v", "t2v", "cogvideox"):
        assert f'href="/generate/{slug}/" role="tab"' in composer
        assert f'role="tabpanel" id="compose-panel-{slug}"' in composer
    # The first tab's form is drawn; the others' are fetched when first shown.
    assert composer.count('hx-post="/generate/') == 1 and 'hx-post="/generate/tts/"' in composer
    assert composer.count("data-compose-load=") == 4
    assert composer.count("data-shortcut-new") == 1


def test_gallery_draws_the_tab_last_used(owner_client):
    owner_client.cookies["compose"] = "cogvideox"
    composer = owner_client.get("/").content.decode().split('id="composer"')[1]
    assert 'data-chosen="cogvideox"' in composer
    assert 'hx-post="/generate/cogvideox/"' in composer


def test_htmx_get_answers_with_a_panel_for_the_composer(owner_client):
    html = owner_client.get("/generate/i2v/", **HTMX).content.decode()
    assert 'id="compose-i2v-form"' in html and 'hx-post="/generate/i2v/"' in html
    assert "<html" not in html and "Not queued" not in html


def test_standard_team_composer_says_why_instead_of_the_t2v_form(owner_client, team_a):
    team_a.tier = "standard"
    team_a.save()
    html = owner_client.get("/").content.decode()
    t2v = html.split('id="compose-panel-t2v"')[1].split('role="tabpanel"')[0]
    assert "premium API plans only" in t2v and "<form" not in t2v
