"""The shell in a real browser: sign-in, the language switch, global search, keyboard and phone layout."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from kizuna.customers.services import contact_create

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _sign_out(page: Any) -> None:
    page.locator("details.user-menu:has(form[action='/logout/']) > summary").click()
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url("**/login/")


def test_a_wrong_password_is_explained_in_japanese_and_the_right_one_opens_the_dashboard(
    sign_in: Any, alice: Any
) -> None:
    page = sign_in("alice", "not-the-password")
    expect(page).to_have_url(re.compile(r"/login/$"))
    error = page.locator(".error-panel[role=alert]")
    expect(error).to_be_visible()
    assert JAPANESE.search(error.inner_text()), (
        f"the sign-in error is not in Japanese: {error.inner_text()!r}"
    )
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    # The user name typed is kept, the password is not.
    expect(page.locator("#id_username")).to_have_value("alice")
    expect(page.locator("#id_password")).to_have_value("")

    sign_in("alice")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("nav.sidebar")).to_be_visible()
    expect(page.locator("details.user-menu:has(form[action='/logout/']) > summary")).to_have_text("alice")


def test_english_chosen_in_the_header_is_saved_on_the_user_and_survives_signing_out(
    signed_in: Any, sign_in: Any, alice: Any
) -> None:
    page = signed_in(alice)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    with page.expect_navigation():
        page.locator("#language-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/me/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Preferences")
    expect(page.locator("nav.sidebar")).to_contain_text("Home")
    alice.refresh_from_db()
    assert alice.language == "en"

    _sign_out(page)
    page.context.clear_cookies()  # a new browser: only the saved preference can bring English back
    sign_in("alice")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.sidebar")).to_contain_text("Home")


def test_the_search_box_finds_a_contact_by_its_kana_reading(signed_in: Any, admin_user: Any) -> None:
    contact_create(
        actor=admin_user,
        data={
            "family_name": "綿貫",
            "given_name": "千尋",
            "family_name_kana": "ワタヌキ",
            "given_name_kana": "チヒロ",
        },
    )
    contact_create(actor=admin_user, data={"family_name": "佐藤", "family_name_kana": "サトウ"})
    page = signed_in(admin_user)
    search = page.locator("#global-search-input")
    search.fill("わたぬき")  # hiragana finds the katakana reading
    with page.expect_navigation():
        search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    hits = page.locator("main .list-plain a")
    expect(hits).to_have_count(1)
    expect(hits.first).to_have_text(re.compile(r"綿貫\s+千尋"))
    expect(page.locator("#global-search-input")).to_have_value("わたぬき")


def test_tab_reaches_the_search_box_and_every_menu_link(signed_in: Any, alice: Any) -> None:
    page = signed_in(alice)
    menu_hrefs = set(
        page.locator("nav.sidebar a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    )
    assert "/" in menu_hrefs
    page.locator("body").click(position={"x": 5, "y": 400})  # start from the page, not the address bar
    page.evaluate("document.activeElement && document.activeElement.blur()")
    reached_search = False
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return {id: e.id, href: e.getAttribute('href'), inNav: !!e.closest('nav.sidebar'),"
            " outline: getComputedStyle(e).outlineStyle, shadow: getComputedStyle(e).boxShadow}; }"
        )
        if focused["id"] == "global-search-input":
            reached_search = True
        if focused["inNav"]:
            reached.add(focused["href"])
            # Focus must be visible (WCAG 2.4.7): an outline or a focus ring drawn as a shadow.
            assert focused["outline"] != "none" or focused["shadow"] != "none", focused
        if reached_search and reached >= menu_hrefs:
            break
    assert reached_search, "Tab never reached the global search box"
    assert reached == menu_hrefs


def test_on_a_phone_the_menu_button_opens_the_sidebar(signed_in: Any, alice: Any) -> None:
    page = signed_in(alice)
    page.set_viewport_size({"width": 390, "height": 844})
    sidebar = page.locator("nav.sidebar")
    expect(sidebar).not_to_be_in_viewport()
    toggle = page.locator(".nav-toggle-button")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(sidebar).to_be_in_viewport()
    with page.expect_navigation():
        sidebar.locator("a[href='/']").click()
    expect(page.locator("main h1")).to_be_visible()


def test_on_a_phone_the_menu_button_opens_the_sidebar_from_the_keyboard(signed_in: Any, alice: Any) -> None:
    page = signed_in(alice)
    page.set_viewport_size({"width": 390, "height": 844})
    sidebar = page.locator("nav.sidebar")
    page.locator(".nav-toggle-button").focus()
    page.keyboard.press("Enter")
    expect(sidebar).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(sidebar).not_to_be_in_viewport()
    page.keyboard.press(" ")
    expect(sidebar).to_be_in_viewport()
