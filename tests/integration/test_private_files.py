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


def test_the_document_store_answers_only_with_credentials(live_stack):
    """FerretDB hands each client's credentials to PostgreSQL and has no default role."""
    import pymongo
    import pytest

    s = live_stack
    with_credentials = pymongo.MongoClient(s.mongo_uri, serverSelectionTimeoutMS=5000)
    assert with_credentials[s.mongo_db].command("ping")["ok"] == 1.0
    for uri in (f"mongodb://{s.mongo_host}:{s.mongo_port}/",
                f"mongodb://{s.mongo_user}:not-the-password@{s.mongo_host}:{s.mongo_port}/"
                f"?authMechanism=PLAIN"):
        stranger = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
        with pytest.raises(pymongo.errors.PyMongoError):
            stranger[s.mongo_db].list_collection_names()
        stranger.close()
    with_credentials.close()
