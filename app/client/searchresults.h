#pragma once

#include "core/message.h"
#include "core/roomname.h"

#include <QAbstractListModel>
#include <QPointer>

#include <optional>

class ApiClient;
class QNetworkReply;

// What GET /api/v1/search found, newest first, a page at a time: the model of the
// window's search panel (Ctrl+F). A new search replaces the rows; loadMore() follows the
// server's `next` and appends.
class SearchResults : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        RoomRole = Qt::UserRole + 1, // QString, without '#'
        IdRole, // MessageId
        AuthorRole,
        TextRole,
        TimestampRole,
    };

    explicit SearchResults(ApiClient *api, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Searches every room, or only `room`; what was shown goes at once.
    void search(const QString &text, const std::optional<RoomName> &room = std::nullopt);
    // The next page of the last search, if the server said there is one.
    void loadMore();
    bool hasMore() const { return !m_next.isEmpty(); }
    bool isSearching() const { return !m_request.isNull(); }
    QString text() const { return m_text; }
    // Why the last search failed, for people; empty when it did not.
    QString error() const { return m_error; }

signals:
    // A search or a page was answered (or failed: error()).
    void finished();

private:
    void request(const QString &path, const QUrlQuery &query);

    ApiClient *m_api;
    QList<Message> m_rows;
    QString m_text;
    QString m_next; // the server's path and query of the next page
    QString m_error;
    QPointer<QNetworkReply> m_request;
};
