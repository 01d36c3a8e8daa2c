"""The masker: secrets out of a stream that arrives in pieces."""

from __future__ import annotations

from kiln.jobs.masking import MASK, Masker

SECRET = "hunter2-Pa55!"


def stream(masker: Masker, pieces: list[str]) -> str:
    return "".join(masker.feed(p) for p in pieces) + masker.feed("", final=True)


def test_a_secret_cut_at_any_point_is_masked() -> None:
    text = f"before {SECRET} after {SECRET}\n"
    for cut in range(len(text) + 1):
        for second in range(cut, len(text) + 1):
            out = stream(Masker([SECRET]), [text[:cut], text[cut:second], text[second:]])
            assert out == f"before {MASK} after {MASK}\n", (cut, second)


def test_text_that_cannot_be_a_secret_goes_out_at_once() -> None:
    masker = Masker([SECRET])
    assert masker.feed("hello world\n") == "hello world\n"
    assert masker.feed("almost hunt") == "almost "  # "hunt" may be the start of the secret
    assert masker.feed("ing season\n") == "hunting season\n"
    assert masker.feed("hunter", final=True) == "hunter"  # the end: nothing more can come


def test_json_escaped_and_multi_line_secrets_are_masked() -> None:
    key = 'line one "quoted"\nline two of the key'
    masker = Masker([key])
    printed = '{"key": "line one \\"quoted\\"\\nline two of the key"}'
    assert masker.feed(printed, final=True) == f'{{"key": "{MASK}"}}'
    assert Masker([key]).feed("only line two of the key here", final=True) == f"only {MASK} here"


def test_short_values_are_not_masked_and_no_secret_means_no_change() -> None:
    assert Masker(["abc"]).feed("abcabc", final=True) == "abcabc"
    assert not Masker([])
    assert Masker([]).feed("anything") == "anything"


def test_a_secret_inside_another_is_masked_whole() -> None:
    masker = Masker(["token", "token-long-one"])
    assert masker.feed("a token-long-one b token", final=True) == f"a {MASK} b {MASK}"


def test_error_values_are_masked_everywhere() -> None:
    error = {"name": "ValueError", "message": f"bad {SECRET}", "traceback": [f"x = '{SECRET}'"]}
    masked = Masker([SECRET]).mask_value(error)
    assert masked == {"name": "ValueError", "message": f"bad {MASK}", "traceback": [f"x = '{MASK}'"]}
