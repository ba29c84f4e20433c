#include "searchresults.h"

#include "apiclient.h"
#include "history.h"

#include <QJsonArray>
#include <QLocale>
#include <QNetworkReply>
#include <QUrl>
#include <QUrlQuery>

namespace {
const QString searchPath = QStringLiteral("/api/v1/search");
}

SearchResults::SearchResults(ApiClient *api, QObject *parent) : QAbstractListModel(parent), m_api(api) {}

int SearchResults::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant SearchResults::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Message &message = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        //: A search result: the room, who wrote, the text.
        return tr("#%1 · %2: %3").arg(message.room, message.author, message.text);
    case Qt::ToolTipRole:
        return QLocale().toString(message.timestamp.toLocalTime(), QLocale::ShortFormat);
    case TextRole:
        return message.text;
    case RoomRole:
        return message.room;
    case IdRole:
        return message.id;
    case AuthorRole:
        return message.author;
    case TimestampRole:
        return message.timestamp;
    default:
        return {};
    }
}

QHash<int, QByteArray> SearchResults::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(RoomRole, "room");
    names.insert(IdRole, "id");
    names.insert(AuthorRole, "author");
    names.insert(TextRole, "text");
    names.insert(TimestampRole, "timestamp");
    return names;
}

void SearchResults::search(const QString &text, const std::optional<RoomName> &room)
{
    ApiClient::cancel(m_request);
    beginResetModel();
    m_rows.clear();
    endResetModel();
    m_text = text.trimmed();
    m_next.clear();
    m_error.clear();
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("q"), m_text);
    if (room)
        query.addQueryItem(QStringLiteral("room"), room->value());
    request(searchPath, query);
}

void SearchResults::loadMore()
{
    if (m_next.isEmpty() || m_request)
        return;
    // Only a page of this server's search: `next` is a path, never another address.
    const QUrl next(m_next, QUrl::StrictMode);
    m_next.clear();
    if (!next.isValid() || !next.isRelative() || next.path() != searchPath)
        return;
    request(next.path(), QUrlQuery(next.query(QUrl::FullyEncoded)));
}

void SearchResults::request(const QString &path, const QUrlQuery &query)
{
    m_request = m_api->get(path, query, ApiClient::defaultTimeoutMs, this, [this](const ApiResult &result) {
        m_request = nullptr;
        if (!result.succeeded()) {
            m_error = result.errorMessage;
            emit finished();
            return;
        }
        // The same objects as a page of history; skipped the same way when malformed.
        QJsonObject asPage;
        asPage.insert(QStringLiteral("messages"), result.body.value(QLatin1String("results")));
        const QList<Message> found = messagesOfPage(asPage);
        if (!found.isEmpty()) {
            beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + found.size()) - 1);
            m_rows.append(found);
            endInsertRows();
        }
        m_next = result.body.value(QLatin1String("next")).toString();
        emit finished();
    });
}
