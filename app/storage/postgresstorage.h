#pragma once

#include "postgresaddress.h"
#include "storage.h"

#include <QThread>
#include <memory>

class PostgresReader;
class PostgresSessions;
class PostgresWakeups;
class PostgresWriter;

// The store for several `chatapp --serve` nodes on one PostgreSQL (--store
// postgresql://...): the same threads as SqliteStorage, a group-committing writer and a
// reader, each with a connection of its own, and PostgresWakeups, through which nodes
// tell each other what they stored. See docs/postgres-status.md.
class PostgresStorage final : public Storage
{
public:
    explicit PostgresStorage(PostgresAddress address);
    ~PostgresStorage() override;

    bool open(QString *error) override;
    QList<RoomRecord> rooms() const override;

    void append(const RoomName &room, const MessageDraft &draft, const QByteArray &idempotencyKey,
                QObject *context, std::function<void(const AppendOutcome &)> done) override;
    void change(const RoomName &room, const EntryChange &change, QObject *context,
                std::function<void(const ChangeOutcome &)> done) override;
    void createRoom(const RoomName &room, QObject *context, std::function<void(RoomOutcome)> done) override;
    void read(const RoomName &room, const PageRequest &request, QObject *context,
              std::function<void(const Page &)> done) override;
    void search(const SearchQuery &query, QObject *context, std::function<void(const SearchPage &)> done) override;
    void checkHealth(QObject *context, std::function<void(const StoreHealth &)> done) override;
    CommitStats commitStats() const override;
    bool sharedWithOtherNodes() const override { return true; }
    void followHeads(QObject *context, std::function<void(const QList<RoomRecord> &)> moved) override;
    void findRoom(const RoomName &room, QObject *context, std::function<void(const RoomLookup &)> done) override;

    QList<QByteArray> loadSessions(const QByteArray &passwordTag) override;
    void saveSession(const QByteArray &tokenHash, const QByteArray &passwordTag, QObject *context,
                     std::function<void(bool)> done) override;
    void deleteSession(const QByteArray &tokenHash, QObject *context, std::function<void(bool)> done) override;
    bool sharesSessions() const override { return true; }
    void findSession(const QByteArray &tokenHash, const QByteArray &passwordTag, QObject *context,
                     std::function<void(SessionFound)> done) override;
    void watchRevokedSessions(QObject *context,
                              std::function<void(const QList<QByteArray> &, bool)> revoked) override;

private:
    bool prepareDatabase(QString *error);

    const PostgresAddress m_address;
    QList<RoomRecord> m_rooms;
    QThread m_writerThread;
    QThread m_readerThread;
    QThread m_sessionsThread;
    QThread m_wakeupsThread;
    std::unique_ptr<PostgresWriter> m_writer;
    std::unique_ptr<PostgresReader> m_reader;
    std::unique_ptr<PostgresSessions> m_sessions;
    std::unique_ptr<PostgresWakeups> m_wakeups;
};
