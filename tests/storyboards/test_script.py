import pytest

from studio.storyboards.script import SCENES_MAX, SceneDraft, ScriptError, parse_script


def test_blank_lines_split_scenes_and_prefixed_lines_give_the_prompts():
    scenes = parse_script("Dawn breaks.\nPicture: a cliff at dawn\nMotion: pan left\n\n"
                          "The sea.\n")
    assert scenes == [SceneDraft("Dawn breaks.", "a cliff at dawn", "pan left"),
                      SceneDraft("The sea.", "The sea.", "The sea.")]


def test_narration_lines_join_and_whitespace_is_trimmed():
    scenes = parse_script("  First line,  \n   second line.\n \t \n\n\nNext.  ")
    assert [s.narration for s in scenes] == ["First line, second line.", "Next."]


def test_prefixes_are_read_whatever_their_case_and_windows_line_ends_split_too():
    scenes = parse_script("Said.\r\nPICTURE: red\r\nmotion: zoom\r\n\r\nMore.")
    assert scenes == [SceneDraft("Said.", "red", "zoom"), SceneDraft("More.", "More.", "More.")]


@pytest.mark.parametrize("script", ["", "   \n\n  \n", "\t"])
def test_a_script_without_a_scene_is_refused(script):
    with pytest.raises(ScriptError, match="no scene"):
        parse_script(script)


def test_a_scene_with_prompts_but_nothing_to_say_is_named():
    with pytest.raises(ScriptError, match="Scene 2 has nothing to say"):
        parse_script("One.\n\nPicture: a cliff\nMotion: pan")


def test_more_scenes_than_the_cap_are_refused():
    assert len(parse_script("\n\n".join(["Said."] * SCENES_MAX))) == SCENES_MAX
    with pytest.raises(ScriptError, match=f"at most {SCENES_MAX}"):
        parse_script("\n\n".join(["Said."] * (SCENES_MAX + 1)))
