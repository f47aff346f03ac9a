"""The team's work after generation: boards, tags, review statuses, notes at a
moment, outside share links and notifications."""
