#pragma once

#include "client/outbox.h"
#include "client/timeline.h"

#include <QCoreApplication>
#include <QString>

// Turns a room's messages into the rich text the message list shows. Message text is
// always escaped and shown as plain text; only links found in it become anchors.
class MessageRenderer
{
    Q_DECLARE_TR_FUNCTIONS(MessageRenderer)

public:
    explicit MessageRenderer(const QString &ownName) : m_ownName(ownName) {}

    QString html(const QString &room, const Timeline &timeline, bool loadingOlder,
                 const QList<OutgoingMessage> &pending) const;

private:
    QString header(const Message &message) const;
    QString daySeparator(const QDate &day) const;

    QString m_ownName;
};

// `text` escaped for rich text, with its http(s) links made clickable.
QString plainTextToHtml(const QString &text);
