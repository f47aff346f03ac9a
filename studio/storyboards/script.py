"""A script as people write it: scenes separated by blank lines; in a scene, a line
starting `Picture:` is the picture's prompt, one starting `Motion:` the motion
prompt, and every other line the narration (joined with spaces)."""

import re
from dataclasses import dataclass

from studio.finishing.film import MAX_SCENES

SCENES_MAX = MAX_SCENES  # a storyboard is one film: what its film can join
SCRIPT_MAX = 100_000  # characters: every scene long, with its prompts
PICTURE, MOTION = "picture:", "motion:"
BLANK_LINES = re.compile(r"\n[ \t]*\n")


class ScriptError(ValueError):
    """What is wrong with a script, in words a person can act on."""


@dataclass(frozen=True)
class SceneDraft:
    """A scene as the script gives it. A prompt the script leaves out is the
    narration as written then: editing the narration later changes the speech only."""

    narration: str
    picture_prompt: str = ""
    motion_prompt: str = ""


def parse_script(text: str) -> list[SceneDraft]:
    """The scenes of `text`, in order; ScriptError when it has none, more than
    SCENES_MAX, or a scene with prompts but nothing to say."""
    if len(text) > SCRIPT_MAX:
        raise ScriptError(f"The script is {len(text):,} characters; a storyboard takes at "
                          f"most {SCRIPT_MAX:,}. Split it into several films.")
    blocks = [block for block in BLANK_LINES.split(text.replace("\r\n", "\n"))
              if block.strip()]
    drafts = [parse_scene(number, block) for number, block in enumerate(blocks, start=1)]
    if not drafts:
        raise ScriptError("The script has no scene: write what the narrator says, and "
                          "separate scenes with a blank line.")
    if len(drafts) > SCENES_MAX:
        raise ScriptError(f"The script has {len(drafts)} scenes; a storyboard holds at "
                          f"most {SCENES_MAX}. Split it into several films.")
    return drafts


def parse_scene(number: int, block: str) -> SceneDraft:
    said, picture, motion = [], "", ""
    for line in filter(None, (line.strip() for line in block.split("\n"))):
        lowered = line.lower()
        if lowered.startswith(PICTURE):
            picture = line[len(PICTURE):].strip()
        elif lowered.startswith(MOTION):
            motion = line[len(MOTION):].strip()
        else:
            said.append(line)
    if not said:
        raise ScriptError(f"Scene {number} has nothing to say: add a line of narration "
                          "above its Picture: or Motion: line.")
    narration = " ".join(said)
    return SceneDraft(narration, picture or narration, motion or narration)
