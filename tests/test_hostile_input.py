"""Hostile input, generated: the GIFT parser, the pack loader and the forms take anything without a 500, and
every refusal says what is wrong and where."""

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges.pack import SECTION as BADGE_SECTION
from courses.pack import read_pack
from quizzes.gift import GiftError, parse_gift_report
from quizzes.pack import SECTIONS as QUIZ_SECTIONS
from quizzes.types import BUILTIN_TYPES
from tests.conftest import csrf_token_from
from tests.helpers import BPO_PACK

TYPES = {cls.name: cls() for cls in BUILTIN_TYPES}
# GIFT's own characters, with enough letters, digits and line breaks between them to make questions.
GIFT_TEXT = st.text(alphabet=st.sampled_from(list("{}~=#:%->\\/[]$.TF ab1\n\t\u00e9\u200b")), max_size=300)
# Anything a form may carry, control characters and lone surrogates excepted (a browser cannot send those).
FORM_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)
FEW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FEW
@given(GIFT_TEXT)
def test_the_gift_parser_reads_or_refuses_anything_with_a_line(text):
    try:
        questions, unsupported = parse_gift_report(text, TYPES)
    except GiftError as exc:
        assert 1 <= exc.line <= text.count("\n") + 1 and exc.message
        return
    for problem in unsupported:
        assert 1 <= problem.line <= text.count("\n") + 1
    for question in questions:
        assert question["type"] in TYPES and isinstance(question["config"], dict)


@FEW
@given(st.text(max_size=400))
def test_the_pack_loader_reports_anything_in_course_yaml_with_file_and_line(tmp_path_factory, text):
    pack = tmp_path_factory.mktemp("pack") / "pack"
    shutil.copytree(BPO_PACK, pack)
    (pack / "course.yaml").write_text(text, encoding="utf-8")
    _, problems = read_pack(pack, [*QUIZ_SECTIONS, BADGE_SECTION])
    lines = max(text.count("\n") + 1, 1)
    assert problems, "a course.yaml of random text is never a valid pack"
    for problem in problems:
        assert problem.file == "course.yaml" and 1 <= problem.line <= lines + 1 and problem.message


def says_what_is_wrong(response) -> bool:
    """A refusal explains itself: an error next to the field, a flash message or the error page's text."""
    page = response.get_data(as_text=True)
    return 'class="error"' in page or "flash-error" in page or "control character" in page


@FEW
@given(name=FORM_TEXT, email=FORM_TEXT, password=FORM_TEXT)
def test_sign_up_and_sign_in_take_anything_without_a_server_error(client, name, email, password):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    signup = {"display_name": name, "email": email, "password": password, "confirm": password, "csrf_token": token}
    for path, data in (("/signup", signup), ("/login", {"email": email, "password": password, "csrf_token": token})):
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code in (400, 401, 409):
            assert says_what_is_wrong(response), (path, response.status_code)
    client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def lab_quiz(app, trainer, tmp_path):
    """A quiz the signed-in trainer imports into."""
    from tests.helpers import assign_trainer
    from tests.test_quiz_attempts import one_module_lab

    lab = one_module_lab(app, tmp_path)
    assign_trainer(app, trainer, lab.id)
    return lab.quiz_id


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=GIFT_TEXT)
def test_gift_import_takes_anything_and_names_the_line_of_a_refusal(client, lab_quiz, text):
    from tests.test_quiz_authoring import import_gift

    response = import_gift(client, lab_quiz, text)  # the preview, and the import when the preview offers one
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code == 200:
        assert "Every question of this text is already in the quiz" in response.get_data(as_text=True)
    if response.status_code == 400:
        page = response.get_data(as_text=True)
        assert "control character" in page or (
            "Nothing was imported" in page and ("line " in page or "no questions" in page)
        )
