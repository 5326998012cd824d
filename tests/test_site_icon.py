"""Every page names the site's icon, which is served, so browsers do not ask for /favicon.ico (a 404 each time)."""

import re


def test_every_page_links_an_icon_the_server_serves(client):
    page = client.get("/login").text
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon, "the page names no icon"
    served = client.get(icon.group(1))
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"
    assert b"<svg" in served.data
