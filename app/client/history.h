#pragma once

#include "core/message.h"
#include "core/roomname.h"

#include <QJsonObject>
#include <QList>
#include <QObject>

#include <functional>

class ApiClient;

// The messages of a `{"messages": [...], "last_id": N}` page, skipping malformed ones.
QList<Message> messagesOfPage(const QJsonObject &page);

// GETs the page of `room` just before `before` (its newest `limit` older messages),
// for the window's scroll-back.
void fetchOlderMessages(ApiClient *api, const RoomName &room, MessageId before, int limit,
                        QObject *context, std::function<void(bool ok, const QList<Message> &)> done);
