#include "typingnotifier.h"

#include "apiclient.h"

TypingNotifier::TypingNotifier(ApiClient *api, QObject *parent) : QObject(parent), m_api(api)
{
}

void TypingNotifier::edited(const RoomName &room, const QString &name, const QString &text)
{
    // An emptied composer (sent, or deleted) is not typing; the server forgets the name
    // on its own when it sends, or soon after the last notice.
    if (text.trimmed().isEmpty() || name.isEmpty())
        return;
    QElapsedTimer &last = m_lastNotice[room];
    if (last.isValid() && last.elapsed() < intervalMs)
        return;
    last.start();
    m_api->post(apiPath({u"rooms", room.value(), u"typing"}), QJsonObject{{QStringLiteral("author"), name}}, {},
                this, [](const ApiResult &) {});
}
