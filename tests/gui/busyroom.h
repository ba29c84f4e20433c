#pragma once

// The busy room of the README's screenshots, the same in every language: people online,
// runs of messages, one that calls the reader, news in two other rooms (one calling the
// reader there too), and the Protocol panel open on the reader's last send.

#include "client/chatclient.h"
#include "client/roomlistmodel.h"
#include "roomcontent.h"
#include "windowdriver.h"

#include <QDockWidget>
#include <QItemSelectionModel>
#include <QStringListModel>
#include <QTreeView>

struct SaidLine
{
    QString author;
    QString text;
};

struct BusyRoomScript
{
    QString reader;
    QString room;
    QList<SaidLine> lines; // said in order; the reader's are typed in the reader's window
    QString quietRoom; // gets two messages while the reader is away
    QString callingRoom; // gets one that calls the reader
    SaidLine call;
};

inline std::unique_ptr<MainWindow> stageBusyRoom(const ServerProcess &server, QNetworkAccessManager &nam,
                                                 const BusyRoomScript &script)
{
    for (const QString &room : {script.quietRoom, script.callingRoom}) {
        if (request(nam, "PUT", server.url(QStringLiteral("/api/v1/rooms/") + room)).status / 100 != 2)
            return nullptr;
    }
    auto reader = openChatWindow(server, script.reader, script.room);
    reader->resize(1100, 760);
    if (!QTest::qWaitFor([&] { return reader->client()->isRoomLoaded(); }, 10000))
        return nullptr;
    QSet<QString> others;
    for (const SaidLine &line : script.lines) {
        if (line.author == script.reader) {
            typeAndSend(*reader, line.text);
        } else {
            others.insert(line.author);
            if (!seedRoom(nam, server, script.room, 1, line.author, line.text))
                return nullptr;
        }
        // In order, each stored before the next is said.
        if (!QTest::qWaitFor([&] { return messageListText(*reader).contains(line.text)
                                          && reader->client()->pendingCount() == 0; }, 10000))
            return nullptr;
    }
    // The others are online in the room, as their windows would be.
    for (const QString &name : others)
        request(nam, "GET", server.url(QStringLiteral("/api/v1/rooms/%1/messages?name=%2").arg(script.room, name)));
    if (!seedRoom(nam, server, script.quietRoom, 2, QStringLiteral("dana"), QStringLiteral("question %1 about the lab")))
        return nullptr;
    if (!seedRoom(nam, server, script.callingRoom, 1, script.call.author, script.call.text))
        return nullptr;
    const RoomListModel *rooms = reader->client()->rooms();
    const auto unreadIn = [rooms](const QString &room) {
        const int row = rooms->rowOf(*RoomName::parse(room));
        return row < 0 ? 0 : rooms->index(row).data(RoomListModel::UnreadRole).toLongLong();
    };
    const int calling = rooms->rowOf(*RoomName::parse(script.callingRoom));
    if (!QTest::qWaitFor([&] { return unreadIn(script.quietRoom) == 2 && unreadIn(script.callingRoom) == 1
                                      && rooms->index(calling).data(RoomListModel::MentionRole).toInt() == 1; },
                         10000))
        return nullptr;

    reader->findChild<QDockWidget *>(QStringLiteral("protocolPanel"))->show();
    auto *table = reader->findChild<QTreeView *>(QStringLiteral("protocolTable"));
    const QAbstractItemModel *log = table->model();
    for (int row = log->rowCount() - 1; row >= 0; --row) {
        if (log->index(row, 1).data().toString() == u"POST") {
            table->selectionModel()->setCurrentIndex(log->index(row, 0), QItemSelectionModel::ClearAndSelect
                                                                         | QItemSelectionModel::Rows);
            table->scrollTo(log->index(row, 0));
            break;
        }
    }
    if (!QTest::qWaitFor([&] { return reader->client()->members()->rowCount() >= 2; }, 10000))
        return nullptr;
    return reader;
}
