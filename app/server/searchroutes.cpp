#include "chatserver.h"

#include "core/searchquery.h"

#include <QJsonDocument>
#include <QJsonObject>

void ChatServer::search(const Request &request, const PathArguments &, const ReplyPtr &reply)
{
    const auto parsed = parseSearchQuery(request.query());
    if (const auto *error = std::get_if<ApiError>(&parsed)) {
        reply->sendError(*error);
        return;
    }
    const SearchQuery query = std::get<SearchQuery>(parsed);
    if (query.room && !m_hub.hasRoom(*query.room)) {
        reply->sendError(Errors::roomNotFound(query.room->value()));
        return;
    }
    beginStorageCall();
    m_storage.search(query, this, [this, reply, query](const SearchPage &page) {
        if (!page.ok) {
            reply->sendError(Errors::storeUnavailable(), {{"Retry-After", "1"}});
        } else {
            // The messages as history gives them, serialised once when they were read.
            QByteArray json = R"({"results":[)";
            for (qsizetype i = 0; i < page.hits.size(); ++i)
                json += (i ? "," : "") + page.hits[i].message.json;
            json += ']';
            // A full page may have more after it; the cursor says where they start.
            if (page.hits.size() == query.limit) {
                const QString next = searchPageBefore(query, page.hits.last().cursor);
                // {"next":"..."} without its braces: the field, encoded by Qt, after the results.
                const QByteArray field = QJsonDocument(QJsonObject{{QStringLiteral("next"), next}})
                                             .toJson(QJsonDocument::Compact);
                json += ',' + field.mid(1);
                reply->sendJson(200, json, {{"Link", '<' + next.toUtf8() + R"(>; rel="next")"}});
            } else {
                reply->sendJson(200, json + '}');
            }
        }
        endStorageCall();
    });
}
