#pragma once

#include "storage.h"

#include <QThread>
#include <memory>

class SqliteReader;
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
    void createRoom(const RoomName &room, QObject *context,
                    std::function<void(RoomOutcome)> done) override;
    void read(const RoomName &room, const PageRequest &request, QObject *context,
              std::function<void(const Page &)> done) override;
    void ping(QObject *context, std::function<void(bool)> done) override;
    CommitStats commitStats() const override;

private:
    bool loadRooms(QString *error);

    const QString m_dataDirectory;
    QString m_databasePath;
    QList<RoomRecord> m_rooms;
    QThread m_writerThread;
    QThread m_readerThread;
    std::unique_ptr<SqliteWriter> m_writer;
    std::unique_ptr<SqliteReader> m_reader;
};
