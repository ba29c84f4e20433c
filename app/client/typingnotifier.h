#pragma once

#include "core/roomname.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>

class ApiClient;

// Tells the server that the user is typing (POST .../typing) as the composer is edited:
// at most once per intervalMs in a room, and never for an empty composer, so that a
// typist costs a request every few seconds however fast they type. Best effort: a notice
// that fails changes nothing, and the next edit after the interval tries again.
class TypingNotifier : public QObject
{
    Q_OBJECT

public:
    // Below the server's TypingBoard::typingLastsMs, so that someone typing on is said
    // to be typing without a gap.
    static constexpr int intervalMs = 3000;

    explicit TypingNotifier(ApiClient *api, QObject *parent = nullptr);

    // The composer holds `text` now, in `room`, where the user writes as `name`.
    void edited(const RoomName &room, const QString &name, const QString &text);

private:
    ApiClient *m_api;
    QHash<RoomName, QElapsedTimer> m_lastNotice;
};
