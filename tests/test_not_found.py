"""With DEBUG on (make run, the embedded default) a missing page shows the portal's own 404
page, not Django's technical one; DEBUG_TECHNICAL_404 brings the technical page back."""

import pytest
from django.test import Client

PORTAL_PAGE = "Không tìm thấy trang"
TECHNICAL_PAGE = "Using the URLconf defined in"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_404 = False
    return settings


def test_an_unknown_url_shows_the_portal_s_own_404_with_debug_on(debug, db):
    response = Client().get("/khong-co-trang-nay/")  # a new client loads the middleware now
    assert response.status_code == 404
    content = response.content.decode()
    assert PORTAL_PAGE in content and TECHNICAL_PAGE not in content
    assert '<html lang="vi">' in content  # the portal's layout, in Vietnamese


def test_a_view_s_404_shows_the_portal_s_page_too(debug, client_for):
    client = client_for("member")
    response = client.get("/blocs/987654/")
    assert response.status_code == 404
    content = response.content.decode()
    assert PORTAL_PAGE in content and "Http404" not in content and "Traceback" not in content


def test_developers_can_ask_for_the_technical_page(debug, db):
    debug.DEBUG_TECHNICAL_404 = True
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert TECHNICAL_PAGE in response.content.decode()
