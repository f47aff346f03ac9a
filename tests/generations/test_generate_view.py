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
