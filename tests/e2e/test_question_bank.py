"""The question bank over HTTP on the real stack: writing every type, every problem at once,
revisions, full-text search with filters, sharing and copying, archiving, and what students
can never see."""
from __future__ import annotations

import json
import uuid

import httpx
import pytest

from tests.e2e.harness import eventually, key

WORD = f"zq{uuid.uuid4().hex[:10]}"  # a word no other test's question contains

EVERY_TYPE = {
    "single_choice": {
        "question_type": "single_choice", "stem": f"Which number is prime? {WORD}",
        "difficulty": "easy", "tags": ["numbers", "primes"], "topic": "arithmetic",
        "choice": {"options": [{"option_id": "a", "text": "four", "feedback": "even"},
                               {"option_id": "b", "text": "seven", "correct": True}]}},
    "multiple_choice": {
        "question_type": "multiple_choice", "stem": f"Pick the even numbers {WORD}",
        "tags": ["numbers"],
        "choice": {"options": [{"option_id": "a", "text": "two", "correct": True},
                               {"option_id": "b", "text": "three"},
                               {"option_id": "c", "text": "eight", "correct": True}],
                   "scoring": "per_option", "wrong_pick_penalty": 0.5}},
    "true_false": {"question_type": "true_false", "stem": f"Zero is even. {WORD}",
                   "difficulty": "hard", "true_false": {"correct": True}},
    "short_answer": {"question_type": "short_answer", "stem": f"Capital of France? {WORD}",
                     "short_answer": {"accepted": [{"text": "Paris"}], "pattern": "(?i)paris",
                                      "numeric": None}},
    "long_answer": {
        "question_type": "long_answer", "stem": f"Discuss the proof {WORD}",
        "long_answer": {"model_answer": "MODEL-ANSWER-KEY", "max_words": 400, "rubric": [
            {"criterion_id": "c1", "title": "Rigour", "levels": [
                {"label": "weak", "points": 0}, {"label": "strong", "points": 4}]}]}},
    "coding": {
        "question_type": "coding", "stem": f"Print the sum of two numbers {WORD}",
        "coding": {"language": "python", "starter_code": "a, b = map(int, input().split())",
                   "sample_tests": [{"test_id": "s1", "stdin": "1 2", "expected_stdout": "3"}],
                   "hidden_tests": [{"test_id": "h1", "stdin": "HIDDEN-IN",
                                     "expected_stdout": "HIDDEN-OUT", "weight": 2}]}},
}
SECRETS = ('"correct"', "feedback", "MODEL-ANSWER-KEY", "HIDDEN-", "Paris", "accepted",
           "pattern", "hidden_tests")


def write(services, teacher, content) -> httpx.Response:
    return httpx.post(f"{services.command_url}/v1/questions",
                      headers={**teacher["headers"], **key()}, json=content)


def search(services, user, **params) -> httpx.Response:
    return httpx.get(f"{services.query_url}/v1/questions", headers=user["headers"],
                     params=params)


@pytest.fixture(scope="module")
def bank(services, make_user):
    """Teacher A's bank: one question of every type, searchable."""
    owner = make_user("teacher")
    ids = {}
    for name, content in EVERY_TYPE.items():
        written = write(services, owner, content)
        assert written.status_code == 201, written.text
        assert written.json()["revision"] == 1
        ids[name] = written.json()["question_id"]
    eventually(lambda: search(services, owner, q=WORD, per_page=50).json()["total"] == 6)
    return owner, ids


def test_every_problem_of_a_question_comes_back_at_once_naming_its_field(services, teacher):
    answer = write(services, teacher, {
        "question_type": "single_choice", "stem": "  ", "difficulty": "extreme",
        "choice": {"options": [{"option_id": "a", "text": "x", "correct": True},
                               {"option_id": "a", "text": "", "correct": True}]}})
    assert answer.status_code == 422
    errors = {(e["field"], e["code"]) for e in answer.json()["errors"]}
    assert errors == {("stem", "stem_empty"), ("difficulty", "unknown_difficulty"),
                      ("choice.options", "option_id_repeated"),
                      ("choice.options.1.text", "option_text_empty"),
                      ("choice.options", "single_choice_needs_one_correct")}
    assert answer.json()["field"] == "stem"
    # Malformed media ids are refused by field, never looked up (a NUL one was a 500).
    odd = write(services, teacher, {"question_type": "true_false", "stem": "x",
                                    "true_false": {"correct": True}, "media_ids": ["", "a\x00"]})
    assert odd.status_code == 422, odd.text
    assert {(e["field"], e["code"]) for e in odd.json()["errors"]} >= {
        ("media_ids.0", "media_id_invalid"), ("media_ids.1", "control_character")}
    unknown = write(services, teacher, {"question_type": "true_false", "stem": "x",
                                        "true_false": {"correct": True}, "answer": 42})
    assert unknown.status_code == 422 and unknown.json()["field"] == "answer"


def test_full_text_search_with_filters(services, bank):
    owner, ids = bank
    found = search(services, owner, q=f"prime {WORD}").json()
    assert [item["question_id"] for item in found["items"]] == [ids["single_choice"]]
    # options are searched too ("seven" is only an option's text), with English stemming
    assert search(services, owner, q=f"{WORD} sevens").json()["total"] == 1
    assert search(services, owner, q=WORD, type="coding").json()["items"][0]["question_id"] == \
        ids["coding"]
    assert search(services, owner, q=WORD, difficulty="hard").json()["total"] == 1
    assert search(services, owner, q=WORD, tag=["numbers"]).json()["total"] == 2
    assert search(services, owner, q=WORD, tag=["numbers", "primes"]).json()["total"] == 1
    assert search(services, owner, q=WORD, owner="me", per_page=2).json()["total"] == 6
    page = search(services, owner, q=WORD, sort="difficulty", per_page=50).json()["items"]
    order = {"easy": 0, "medium": 1, "hard": 2}
    assert [order[i["difficulty"]] for i in page] == sorted(order[i["difficulty"]] for i in page)
    bad = search(services, owner, type="essay")
    assert bad.status_code == 422 and bad.json()["field"] == "type"


def test_relevance_ranks_a_match_in_the_question_text_above_one_in_an_option(services,
                                                                             make_user):
    owner = make_user("teacher")
    word = f"rk{uuid.uuid4().hex[:10]}"

    def choice(stem: str, option: str) -> dict:
        return {"question_type": "single_choice", "stem": stem, "tags": ["ranking"],
                "choice": {"options": [{"option_id": "a", "text": option, "correct": True},
                                       {"option_id": "b", "text": "none of these"}]}}

    # The better match is the older one, so that relevance and newest first disagree.
    in_text = write(services, owner, choice(f"Where do {word} live?", "in the sea"))
    in_option = write(services, owner, choice("Which one is it?", f"the {word}"))
    assert in_option.status_code == in_text.status_code == 201
    better, weaker = in_text.json()["question_id"], in_option.json()["question_id"]
    found = eventually(lambda: (r := search(services, owner, q=word).json())["total"] == 2
                       and r["items"])
    assert [i["question_id"] for i in found] == [better, weaker]
    newest = search(services, owner, q=word, sort="-updated_at").json()["items"]
    assert [i["question_id"] for i in newest] == [weaker, better]


def test_an_edit_is_a_new_revision_and_the_history_is_kept(services, bank):
    owner, ids = bank
    qid = ids["true_false"]
    edited = {**EVERY_TYPE["true_false"], "stem": f"Zero is an even number. {WORD}"}
    revised = httpx.put(f"{services.command_url}/v1/questions/{qid}",
                        headers={**owner["headers"], **key(), "If-Match": '"1"'}, json=edited)
    assert revised.status_code == 200, revised.text
    assert revised.json()["revision"] == 2
    stale = httpx.put(f"{services.command_url}/v1/questions/{qid}",
                      headers={**owner["headers"], **key(), "If-Match": '"1"'}, json=edited)
    assert stale.status_code == 409

    def two_revisions():
        found = httpx.get(f"{services.query_url}/v1/questions/{qid}/revisions",
                          headers=owner["headers"]).json()
        return found if len(found) == 2 else None

    history = eventually(two_revisions)
    assert [h["revision"] for h in history] == [1, 2]
    first = httpx.get(f"{services.query_url}/v1/questions/{qid}/revisions/1",
                      headers=owner["headers"]).json()
    assert first["content"]["stem"] == EVERY_TYPE["true_false"]["stem"]
    current = httpx.get(f"{services.query_url}/v1/questions/{qid}", headers=owner["headers"])
    assert current.json()["revision"] == 2 and current.headers["ETag"] == '"2"'
    assert httpx.get(f"{services.query_url}/v1/questions/{qid}/revisions/3",
                     headers=owner["headers"]).status_code == 404


def test_a_teacher_sees_only_their_bank_until_a_question_is_shared_then_may_copy_it(
        services, bank, make_user):
    owner, ids = bank
    colleague = make_user("teacher")
    qid = ids["coding"]
    assert search(services, colleague, q=WORD).json()["total"] == 0
    assert httpx.get(f"{services.query_url}/v1/questions/{qid}",
                     headers=colleague["headers"]).status_code == 404
    copy = httpx.post(f"{services.command_url}/v1/questions/{qid}/copy",
                      headers={**colleague["headers"], **key()})
    assert copy.status_code == 404
    shared = httpx.post(f"{services.command_url}/v1/questions/{qid}/share",
                        headers={**owner["headers"], **key()},
                        json={"teacher_ids": [colleague["user"]["user_id"]]})
    assert shared.status_code == 200
    seen = eventually(lambda: (r := httpx.get(f"{services.query_url}/v1/questions/{qid}",
                                              headers=colleague["headers"])).status_code == 200
                      and r.json())
    assert seen["content"]["coding"]["hidden_tests"][0]["stdin"] == "HIDDEN-IN"  # staff: read
    found = eventually(lambda: search(services, colleague, q=WORD).json()["items"])
    assert [i["question_id"] for i in found] == [qid]  # the search copy knows who may see it
    assert seen["shared_with"] == []  # who else it is shared with is the owner's business
    refused = httpx.put(f"{services.command_url}/v1/questions/{qid}",
                        headers={**colleague["headers"], **key()}, json=EVERY_TYPE["coding"])
    assert refused.status_code == 403 and refused.json()["code"] == "not_question_owner"
    copy = httpx.post(f"{services.command_url}/v1/questions/{qid}/copy",
                      headers={**colleague["headers"], **key()})
    assert copy.status_code == 201
    mine = eventually(lambda: search(services, colleague, q=WORD, owner="me").json()["items"])
    assert [(i["question_id"], i["copied_from"]) for i in mine] == [
        (copy.json()["question_id"], qid)]


def test_students_never_see_the_bank_or_an_answer_key(services, bank, student):
    owner, ids = bank
    assert search(services, student).status_code == 403
    for qid in ids.values():
        for path in ("", "/preview", "/revisions", "/revisions/1"):
            answer = httpx.get(f"{services.query_url}/v1/questions/{qid}{path}",
                               headers=student["headers"])
            assert answer.status_code == 403, (path, answer.text)
        changed = httpx.put(f"{services.command_url}/v1/questions/{qid}",
                            headers={**student["headers"], **key()},
                            json=EVERY_TYPE["true_false"])
        assert changed.status_code == 404  # to a student, no bank question exists
    # The editor's preview is exactly what a student will be shown: no key of any kind.
    for name, qid in ids.items():
        preview = httpx.get(f"{services.query_url}/v1/questions/{qid}/preview",
                            headers=owner["headers"])
        assert preview.status_code == 200
        text = json.dumps(preview.json())
        leaked = [s for s in SECRETS if s in text]
        assert not leaked, f"{name}: {leaked} in the student view"


def test_an_archived_question_leaves_the_bank_and_can_come_back(services, bank, make_user):
    owner, ids = bank
    qid = ids["short_answer"]
    archived = httpx.post(f"{services.command_url}/v1/questions/{qid}/archive",
                          headers={**owner["headers"], **key()})
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    eventually(lambda: qid not in {i["question_id"] for i in search(
        services, owner, q=WORD, per_page=50).json()["items"]})
    assert [i["question_id"] for i in search(services, owner, q=WORD,
                                             status="archived").json()["items"]] == [qid]
    assert httpx.get(f"{services.query_url}/v1/questions/{qid}",
                     headers=owner["headers"]).status_code == 200  # still readable
    # An exam's pinned questions are looked up by id, archived or not; others' are not found.
    pinned = search(services, owner, id=[qid, ids["coding"], "no-such-question"]).json()
    assert {i["question_id"] for i in pinned["items"]} == {qid, ids["coding"]}
    assert search(services, owner, id=[qid], status="active").json()["total"] == 0
    assert search(services, owner, id=["has space"]).status_code == 422
    assert search(services, make_user("teacher"), id=[qid]).json()["total"] == 0
    restored = httpx.post(f"{services.command_url}/v1/questions/{qid}/restore",
                          headers={**owner["headers"], **key()})
    assert restored.json()["status"] == "active"


def share(services, who, qid, action="share", **body) -> httpx.Response:
    return httpx.post(f"{services.command_url}/v1/questions/{qid}/{action}",
                      headers={**who["headers"], **key()}, json=body)


def test_a_question_is_shared_by_teachers_emails_and_a_wrong_one_is_named_by_position(
        services, bank, make_user, student):
    owner, ids = bank
    qid = ids["multiple_choice"]
    colleague, stranger = make_user("teacher"), make_user("teacher")
    email = colleague["user"]["email"]
    refused = share(services, owner, qid, teacher_emails=[
        f"  {email.upper()} ", "nobody-here@example.edu", student["user"]["email"]])
    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("teacher_emails.1", "unknown_email"), ("teacher_emails.2", "not_a_teacher")]
    own = share(services, owner, qid, teacher_emails=[owner["user"]["email"]])
    assert own.status_code == 422 and own.json()["field"] == "teacher_emails.0"
    empty = share(services, owner, qid)
    assert empty.status_code == 422 and empty.json()["field"] == "teacher_emails"
    assert share(services, owner, qid, teacher_ids=[student["user"]["user_id"]]).json()[
        "field"] == "teacher_ids.0"  # ids are checked as teachers too
    # Nothing about accounts is told to whoever may not manage the question.
    assert share(services, stranger, qid,
                 teacher_emails=["nobody-here@example.edu"]).status_code == 404

    assert share(services, owner, qid, teacher_emails=[f" {email.upper()}"]).status_code == 200
    seen = eventually(lambda: httpx.get(f"{services.query_url}/v1/questions/{qid}",
                                        headers=colleague["headers"]).status_code == 200)
    assert seen
    detail = httpx.get(f"{services.query_url}/v1/questions/{qid}", headers=owner["headers"])
    assert [(t["user_id"], t["email"]) for t in detail.json()["shared_with_teachers"]] == [
        (colleague["user"]["user_id"], email)]

    assert share(services, owner, qid, "unshare", teacher_emails=[email]).status_code == 200
    eventually(lambda: httpx.get(f"{services.query_url}/v1/questions/{qid}",
                                 headers=colleague["headers"]).status_code == 404)
    assert qid not in [i["question_id"] for i in search(services, colleague, q=WORD).json()[
        "items"]]  # nor found by the search any more
    unknown = share(services, owner, qid, "unshare", teacher_emails=["nobody-here@example.edu"])
    assert unknown.status_code == 422 and unknown.json()["field"] == "teacher_emails.0"


def test_the_history_says_who_wrote_each_revision_and_what_changed(services, make_user):
    owner = make_user("teacher")
    first = {**EVERY_TYPE["single_choice"], "stem": f"History of a question {WORD}"}
    qid = write(services, owner, first).json()["question_id"]
    second = {**first, "difficulty": "hard", "choice": {
        **first["choice"], "options": [*first["choice"]["options"],
                                       {"option_id": "c", "text": "nine"}]}}
    revised = httpx.put(f"{services.command_url}/v1/questions/{qid}",
                        headers={**owner["headers"], **key()}, json=second)
    assert revised.status_code == 200, revised.text
    history = eventually(lambda: (h := httpx.get(
        f"{services.query_url}/v1/questions/{qid}/revisions",
        headers=owner["headers"]).json()) and len(h) == 2 and h)
    assert [(h["revision"], h["written_by"], h["written_by_name"], h["changed"])
            for h in history] == [
        (1, owner["user"]["user_id"], "A teacher", []),
        (2, owner["user"]["user_id"], "A teacher", ["choice.options", "difficulty"])]


def test_an_earlier_revision_is_restored_as_a_new_one_and_the_history_says_so(services,
                                                                               make_user):
    owner, colleague = make_user("teacher"), make_user("teacher")
    first = {**EVERY_TYPE["true_false"], "stem": f"Restorable question {WORD}"}
    qid = write(services, owner, first).json()["question_id"]
    second = {**first, "stem": f"A worse wording {WORD}"}
    assert httpx.put(f"{services.command_url}/v1/questions/{qid}",
                     headers={**owner["headers"], **key()}, json=second).status_code == 200
    restore = f"{services.command_url}/v1/questions/{qid}/revisions/1/restore"

    stale = httpx.post(restore, headers={**owner["headers"], **key(), "If-Match": '"1"'})
    assert stale.status_code == 409
    assert httpx.post(restore, headers={**colleague["headers"], **key()}).status_code == 404
    missing = httpx.post(f"{services.command_url}/v1/questions/{qid}/revisions/9/restore",
                         headers={**owner["headers"], **key()})
    assert (missing.status_code, missing.json()["field"]) == (404, "revision")
    restored = httpx.post(restore, headers={**owner["headers"], **key(), "If-Match": '"2"'})
    assert restored.status_code == 200, restored.text
    assert restored.json()["revision"] == 3

    history = eventually(lambda: (h := httpx.get(
        f"{services.query_url}/v1/questions/{qid}/revisions",
        headers=owner["headers"]).json()) and len(h) == 3 and h)
    assert [(h["revision"], h["restored_from"], h["changed"]) for h in history] == [
        (1, None, []), (2, None, ["stem"]), (3, 1, ["stem"])]
    current = eventually(lambda: (r := httpx.get(
        f"{services.query_url}/v1/questions/{qid}", headers=owner["headers"]).json())
        ["revision"] == 3 and r)
    assert current["content"]["stem"] == first["stem"]
    # Restoring what is current already changes nothing.
    again = httpx.post(f"{services.command_url}/v1/questions/{qid}/revisions/3/restore",
                       headers={**owner["headers"], **key()})
    assert again.json()["revision"] == 3


def test_a_teachers_whole_bank_lists_own_and_shared_questions_newest_first(services,
                                                                           make_user):
    """No words, no tags: the teacher's own questions and those shared with them, each part
    paged through its own index, merged in one order and counted together."""
    owner, colleague = make_user("teacher"), make_user("teacher")
    stems = [f"Whole bank {i} {WORD}" for i in range(3)]
    mine = [write(services, owner, {**EVERY_TYPE["true_false"], "stem": stems[0]}),
            None,
            write(services, owner, {**EVERY_TYPE["true_false"], "stem": stems[2]})]
    theirs = write(services, colleague, {**EVERY_TYPE["true_false"], "stem": stems[1]})
    hidden = write(services, colleague, {**EVERY_TYPE["true_false"], "stem": "Not shared"})
    assert all(r.status_code == 201 for r in (mine[0], mine[2], theirs, hidden))
    shared = httpx.post(f"{services.command_url}/v1/questions/"
                        f"{theirs.json()['question_id']}/share",
                        headers={**colleague["headers"], **key()},
                        json={"teacher_ids": [owner["user"]["user_id"]]})
    assert shared.status_code == 200
    # Sharing moved the colleague's question's updated_at after both of the owner's.
    expected = [theirs.json()["question_id"], mine[2].json()["question_id"],
                mine[0].json()["question_id"]]

    listed = eventually(lambda: (r := search(services, owner).json())["total"] == 3 and r)
    assert [i["question_id"] for i in listed["items"]] == expected
    assert listed["total_is_exact"] is True
    pages = [search(services, owner, per_page=1, page=n).json()["items"] for n in (1, 2, 3)]
    assert [p[0]["question_id"] for p in pages] == expected
    oldest_first = search(services, owner, sort="updated_at").json()["items"]
    assert [i["question_id"] for i in oldest_first] == expected[::-1]
    only_mine = search(services, owner, owner="me").json()
    assert [i["question_id"] for i in only_mine["items"]] == expected[1:]
    assert only_mine["total"] == 2
