#pragma once

#include "storage.h"

#include <QThread>
#include <memory>

class SqliteReader;
class SqliteSessions;
class SqliteWriter;

// The default store: one SQLite file, chatapp.db, in the data directory. Writes go
// through a group-committing writer thread and reads through a reader thread, so the
// thread that serves sockets never touches the disk.
class SqliteStorage final : public Storage
{
public:
    explicit SqliteStorage(QString dataDirectory);
    ~SqliteStorage() override;

    bool open(QString *error) override;
    QList<RoomRecord> rooms() const override;

    void append(const RoomName &room, const MessageDraft &draft, const QByteArray &idempotencyKey,
                QObject *context, std::function<void(const AppendOutcome &)> done) override;
    void change(const RoomName &room, const EntryChange &change, QObject *context,
                std::function<void(const ChangeOutcome &)> done) override;
    void createRoom(const RoomName &room, QObject *context,
                    std::function<void(RoomOutcome)> done) override;
    void read(const RoomName &room, const PageRequest &request, QObject *context,
              std::function<void(const Page &)> done) override;
    void search(const SearchQuery &query, QObject *context, std::function<void(const SearchPage &)> done) override;
    void checkHealth(QObject *context, std::function<void(const StoreHealth &)> done) override;
    CommitStats commitStats() const override;

    QList<QByteArray> loadSessions(const QByteArray &passwordTag) override;
    void saveSession(const QByteArray &tokenHash, const QByteArray &passwordTag, QObject *context,
                     std::function<void(bool)> done) override;
    void deleteSession(const QByteArray &tokenHash, QObject *context,
                       std::function<void(bool)> done) override;

private:
    bool loadRooms(QString *error);

    const QString m_dataDirectory;
    QString m_databasePath;
    QList<RoomRecord> m_rooms;
    QThread m_writerThread;
    QThread m_readerThread;
    std::unique_ptr<SqliteWriter> m_writer;
    std::unique_ptr<SqliteReader> m_reader;
    std::unique_ptr<SqliteSessions> m_sessions;
};
