#!/usr/bin/env python3
"""What docs/security.md, "Deleting on PostgreSQL", says of a deleted message's text in
PostgreSQL's files, checked on a node of a throwaway PostgreSQL
(tests/common/postgres_for_tests.py), with the commands the section gives read out of it:

- its `ALTER TABLE messages SET (autovacuum...)` is accepted on the node's schema;
- after the deletion no answer or search has the text, but the table's file still does;
- after `VACUUM` the table's file no longer does; the search index's file still holds
  the deleted word, and the write-ahead log the text;
- after its `REINDEX INDEX CONCURRENTLY messages_search` the index's file does not.

A word of a message that is not deleted is in every file throughout, so each "not in
the file" is looked for where it could be seen. Exit 77 (skipped) when PostgreSQL is
missing and cannot be installed (not root)."""

import json
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "common"))
from chatapp_testing import Failure, Server, bound_whole_file, check  # noqa: E402
import postgres_for_tests  # noqa: E402

SECRET = "0123456789abcdef-deleting-on-disk"
KEPT, DELETED = b"numbatword", b"zanzibarword"


def commands_of_the_section():
    """The SQL of each `psql chatapp -c "..."` in docs/security.md's section."""
    with open(os.path.join(SOURCE, "docs", "security.md")) as doc:
        text = doc.read()
    section = re.search(r"## Deleting on PostgreSQL\n(.*?)\n## ", text, re.S)
    check(section, "docs/security.md has no section 'Deleting on PostgreSQL'")
    commands = [" ".join(sql.split()) for sql in re.findall(r'psql chatapp -c "(.*?)"', section.group(1), re.S)]
    alter = [sql for sql in commands if sql.startswith("ALTER TABLE messages")]
    reindex = [sql for sql in commands if sql.startswith("REINDEX")]
    check(len(alter) == 1 and len(reindex) == 1, "docs/security.md's commands: %r" % commands)
    return alter[0], reindex[0]


class Files:
    """The bytes of a relation's files and of the write-ahead log, after a CHECKPOINT has
    written what PostgreSQL held in memory."""

    def __init__(self, postgres, database):
        self.postgres = postgres
        self.database = database

    def sql(self, statement):
        return self.postgres.admin_sql(statement, self.database)

    def relation(self, name):
        self.sql("CHECKPOINT")
        path = os.path.join(self.postgres.data, self.sql("SELECT pg_relation_filepath('%s')" % name).strip())
        content = b""
        for segment in [path] + ["%s.%d" % (path, n) for n in range(1, 100)]:
            if not os.path.exists(segment):
                break
            with open(segment, "rb") as data:
                content += data.read()
        return content

    def wal(self):
        self.sql("CHECKPOINT")
        folder = os.path.join(self.postgres.data, "pg_wal")
        content = b""
        for name in os.listdir(folder):
            if re.fullmatch(r"[0-9A-F]{24}", name):
                with open(os.path.join(folder, name), "rb") as segment:
                    content += segment.read()
        return content


def in_files(files, word):
    return {"table": word in files.relation("messages"), "index": word in files.relation("messages_search"),
            "wal": word in files.wal()}


def deleted_text_in_postgres_files(binary, postgres, work):
    alter, reindex = commands_of_the_section()
    database = postgres.database_for(work)
    server = Server(binary, work, os.path.join(work, "server.log"),
                    ["--store", database, "--store-password-file", postgres.password_file])
    try:
        files = Files(postgres, database.rsplit("/", 1)[1])
        files.sql(alter)
        headers = {"Content-Type": "application/json", "Author-Secret": SECRET}
        ids = {}
        for word in (KEPT, DELETED):
            status, _, body = server.request("POST", "/api/v1/rooms/lab/messages",
                                             json.dumps({"author": "ana", "text": "a " + word.decode()}), headers)
            check(status == 201, "a send answered %d %r" % (status, body))
            ids[word] = body["id"]
        status, _, body = server.request("DELETE", "/api/v1/rooms/lab/messages/%d" % ids[DELETED], None,
                                         {"Author-Secret": SECRET})
        check(status == 200 and body.get("deleted"), "the deletion answered %d %r" % (status, body))
        for word, expected in ((KEPT, [ids[KEPT]]), (DELETED, [])):
            found = [m["id"] for m in server.get("/api/v1/search?q=" + word.decode())["results"]]
            check(found == expected, "search for %s found %r" % (word, found))
        check(DELETED not in json.dumps(server.get("/api/v1/rooms/lab/messages?after=0")).encode(),
              "history still gives the deleted text")

        check(in_files(files, KEPT) == {"table": True, "index": True, "wal": True},
              "the kept word is not where it is looked for: %r" % in_files(files, KEPT))
        before = in_files(files, DELETED)
        check(before["table"], "the deleted text left the table's file before VACUUM: the section's caveat is "
              "out of date (%r)" % before)

        files.sql("VACUUM messages")
        after_vacuum = in_files(files, DELETED)
        check(after_vacuum == {"table": False, "index": True, "wal": True},
              "after VACUUM the deleted word is in %r: the section says table no, index and WAL yes" % after_vacuum)

        files.sql(reindex)
        after_reindex = in_files(files, DELETED)
        check(not after_reindex["index"] and in_files(files, KEPT)["index"],
              "after %s the deleted word is in %r" % (reindex, after_reindex))
        print("PASS the deleted text: in the table until VACUUM, in the index until %s, in the WAL after both"
              % reindex)
    finally:
        server.kill()


def main():
    binary = os.environ.get("CHATAPP_BINARY", "build/chatapp")
    bound_whole_file(120)
    try:
        with postgres_for_tests.TemporaryPostgres() as postgres, tempfile.TemporaryDirectory() as work:
            deleted_text_in_postgres_files(binary, postgres, work)
    except postgres_for_tests.PostgresFailure as failure:
        if "only root may" in str(failure):
            print("SKIP", failure)
            return 77
        print("FAIL", failure)
        return 1
    except Failure as failure:
        print("FAIL", failure)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
