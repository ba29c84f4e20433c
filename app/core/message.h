#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

using MessageId = qint64;

// A stored message. `json` is its serialised form, made once when it is stored or
// loaded so that every reader and subscriber is sent the same bytes.
struct Message
{
    MessageId id = 0;
    QString room;
    QString author;
    QString text;
    QDateTime timestamp;
    QByteArray json;

    QJsonObject toJsonObject() const;
    // Fills `json` from the other fields; call once after they are set.
    void serialise();
};

// The message a server sent, or nullopt when `object` lacks a field or has the wrong type.
std::optional<Message> messageFromJson(const QJsonObject &object);

// ISO 8601, UTC, milliseconds: "2026-11-24T03:49:00.123Z".
QString formatTimestamp(const QDateTime &timestamp);
