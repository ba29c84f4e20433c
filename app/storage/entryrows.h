#pragma once

#include "core/message.h"

#include <QList>
#include <QSqlQuery>
#include <QString>

// Entries as both stores keep them: the same columns, read the same way, in SQLite and
// PostgreSQL alike.

// The columns every query of entries selects first, in this order, each after `alias.`
// when given; messageFromRow reads them and serialises the entry.
QString messageColumns(const QString &alias = {});
Message messageFromRow(const QSqlQuery &query, const QString &room);

// Fills in the reactions of the messages among `entries` (of one room), and serialises
// again those that have some. False when the read failed (`query` says why).
bool addReactions(QSqlQuery &query, const QString &room, QList<Message> &entries);
