"""Where a person's data still is: every text, varchar, char, json, jsonb and bytea column (and arrays of
them) of every table of a database, read through information_schema, and log files."""

import asyncpg

from treffpunkt_shared.db import connect

_COLUMNS = """
SELECT c.table_name, c.column_name, c.data_type, c.udt_name
FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
  AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')
       OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar', '_bpchar', '_json', '_jsonb', '_bytea')))
ORDER BY c.table_name, c.column_name
"""


def _as_text(column: str, data_type: str, udt_name: str) -> str:
    quoted = f'"{column}"'
    if data_type == "bytea":
        return f"encode({quoted}, 'escape')"  # the bytes as they are, non-printable ones escaped
    if udt_name == "_bytea":
        return f"array_to_string(ARRAY(SELECT encode(b, 'escape') FROM unnest({quoted}) AS b), ' ')"
    return f"{quoted}::text"


async def columns_scanned(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    return [(row["table_name"], row["column_name"]) for row in await conn.fetch(_COLUMNS)]


async def hits_in_database(dsn: str, needles: list[str]) -> list[str]:
    """`table.column: needle` for each column that holds one of `needles` (case-insensitively) in any row."""
    conn = await connect(dsn)
    try:
        found = []
        columns = await conn.fetch(_COLUMNS)
        assert columns, "no columns to scan: not the service's database?"
        for row in columns:
            text = _as_text(row["column_name"], row["data_type"], row["udt_name"])
            for needle in needles:
                count = await conn.fetchval(
                    f'SELECT count(*) FROM "{row["table_name"]}" WHERE strpos(lower({text}), lower($1)) > 0', needle)
                if count:
                    found.append(f"{row['table_name']}.{row['column_name']}: {needle} ({count} row(s))")
        return found
    finally:
        await conn.close()


def hits_in_file(path, needles: list[str]) -> list[str]:
    text = path.read_text(errors="replace").lower()
    return [f"{path.name}: {needle}" for needle in needles if needle.lower() in text]
