"""A projection's narrow copy (eventlog/projection.py ``NarrowCopy``) on the real PostgreSQL:
every write refreshes it in the same transaction, computed columns follow the source row, a
copy added to a table that already has rows is filled, and a bad declaration is refused."""
from __future__ import annotations

import pytest

from eventlog.projection import NarrowCopy, PostgresProjection, PostgresRows, Table, \
    setup_postgres_projection
from eventlog.postgres import create_pool
from schemas.events.question import QUESTION


def projection(schema_tag: str, copy_ddl: str, computed=()) -> PostgresProjection:
    main = Table(f"cards_{schema_tag}", key="card_id", ddl=f"""
CREATE TABLE IF NOT EXISTS cards_{schema_tag} (
    card_id text PRIMARY KEY, owner_id text NOT NULL, body text NOT NULL,
    shared_with jsonb NOT NULL, version integer NOT NULL,
    words tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED);""")
    copy = Table(f"card_search_{schema_tag}", key="card_id", ddl=copy_ddl)
    return PostgresProjection(name=f"cards_{schema_tag}", sources=(QUESTION,), table=main,
                              key_of=lambda e: None, evolve=lambda row, e: None,
                              narrow_copies=(NarrowCopy(copy, computed=computed),))


VIEWERS = (("viewers", "ARRAY[s.owner_id] || "
                       "ARRAY(SELECT jsonb_array_elements_text(s.shared_with))"),)


@pytest.fixture
async def pool(live_stack):
    made = await create_pool(live_stack, min_size=1, max_size=2)
    yield made
    await made.close()


async def test_every_write_refreshes_the_copy_with_its_computed_columns(pool, unique):
    schema = f"copies_{unique}"
    p = projection(unique, f"""CREATE TABLE IF NOT EXISTS card_search_{unique} (
        card_id text PRIMARY KEY, viewers text[] NOT NULL, words tsvector NOT NULL);""",
                   computed=VIEWERS)
    await setup_postgres_projection(pool, p, schema=schema)
    rows = PostgresRows(p.table, schema, p.narrow_copies)
    try:
        async with pool.acquire() as conn:
            await rows.describe(conn)
            async with conn.transaction():
                await rows.write(conn, [
                    {"card_id": "c1", "owner_id": "ann", "body": "Photosynthesis in leaves",
                     "shared_with": '["bob"]', "version": 1},
                    {"card_id": "c2", "owner_id": "bob", "body": "Tectonic plates",
                     "shared_with": "[]", "version": 1}])
            copied = {r["card_id"]: r for r in await conn.fetch(
                f"SELECT card_id, viewers, words::text FROM {schema}.card_search_{unique}")}
            assert copied["c1"]["viewers"] == ["ann", "bob"]
            assert copied["c2"]["viewers"] == ["bob"]
            assert "'photosynthesi'" in copied["c1"]["words"]  # the source's generated column
            # A later write changes the copy too; a rolled-back one changes neither table.
            await rows.write(conn, [{"card_id": "c1", "owner_id": "ann", "body": "Chlorophyll",
                                     "shared_with": "[]", "version": 2}])
            with pytest.raises(RuntimeError):
                async with conn.transaction():
                    await rows.write(conn, [{"card_id": "c2", "owner_id": "bob", "body": "Lava",
                                             "shared_with": '["cy"]', "version": 2}])
                    raise RuntimeError("the batch fails after the write")
            copied = {r["card_id"]: r for r in await conn.fetch(
                f"SELECT card_id, viewers, words::text FROM {schema}.card_search_{unique}")}
            assert copied["c1"]["viewers"] == ["ann"] and "chlorophyl" in copied["c1"]["words"]
            assert copied["c2"]["viewers"] == ["bob"] and "tecton" in copied["c2"]["words"]
    finally:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")


async def test_a_copy_added_to_a_table_with_rows_is_filled(pool, unique):
    schema = f"copies_{unique}"
    p = projection(unique, f"""CREATE TABLE IF NOT EXISTS card_search_{unique} (
        card_id text PRIMARY KEY, owner_id text NOT NULL);""")
    await setup_postgres_projection(pool, p, schema=schema)
    try:
        async with pool.acquire() as conn:
            await conn.execute(f"INSERT INTO {schema}.cards_{unique} "
                               f"(card_id, owner_id, body, shared_with, version) "
                               f"SELECT 'c' || n, 'ann', 'text', '[]', 1 "
                               f"FROM generate_series(1, 50) n")
            await conn.execute(f"DELETE FROM {schema}.card_search_{unique}")
            rows = PostgresRows(p.table, schema, p.narrow_copies)
            await rows.describe(conn)
            await rows.fill_copies(conn)
            await rows.fill_copies(conn)  # idempotent
            assert await conn.fetchval(
                f"SELECT count(*) FROM {schema}.card_search_{unique}") == 50
    finally:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")


async def test_a_copy_with_a_column_its_table_lacks_is_refused(pool, unique):
    schema = f"copies_{unique}"
    p = projection(unique, f"""CREATE TABLE IF NOT EXISTS card_search_{unique} (
        card_id text PRIMARY KEY, colour text);""")
    await setup_postgres_projection(pool, p, schema=schema)
    try:
        async with pool.acquire() as conn:
            with pytest.raises(LookupError, match="colour"):
                await PostgresRows(p.table, schema, p.narrow_copies).describe(conn)
    finally:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")
