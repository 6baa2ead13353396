"""The local stack's data, logs and secrets are readable by their owner only."""
from __future__ import annotations

import os
import stat


def test_nothing_under_the_stack_home_is_open_to_others(live_stack):
    home = live_stack.home
    assert stat.S_IMODE(home.stat().st_mode) & 0o077 == 0o011  # search only, for postgres
    assert stat.S_IMODE(live_stack.secrets_file.stat().st_mode) == 0o600
    open_to_others = []
    for entry in home.iterdir():
        if entry.name == "postgres":
            continue  # owned by the postgres user, who keeps it 0700 itself
        for root, dirs, files in os.walk(entry):
            for name in dirs + files:
                path = os.path.join(root, name)
                mode = os.lstat(path).st_mode
                if not stat.S_ISLNK(mode) and mode & 0o077:
                    open_to_others.append((path, oct(stat.S_IMODE(mode))))
    assert open_to_others == []
