#pragma once

#include "core/message.h"
#include "core/roomname.h"
#include "outbox.h"

#include <QAbstractListModel>
#include <QList>

class Timeline;

// The room the window shows: its loaded messages in id order, then the user's sends the
// server has not acknowledged yet. A message that arrives is a row inserted where it
// belongs; a send that is acknowledged leaves the pending rows as its stored message
// joins the others. Nothing is redrawn that did not change, so a view over a room of
// thousands of messages costs per message, not per room.
class MessageModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum class Delivery { Stored, Sending, WaitingForServer, WaitingForSignIn };
    Q_ENUM(Delivery)

    enum Role {
        IdRole = Qt::UserRole + 1, // MessageId; 0 for a pending send
        AuthorRole, // QString
        TextRole, // QString
        TimestampRole, // QDateTime, invalid for a pending send
        TimeTextRole, // QString: the time of day as the window shows it, empty for a pending send
        OwnRole, // bool: written by the user
        DeliveryRole, // Delivery
        DeliveryTextRole, // "sending…" and the like, empty once stored
        StartsGroupRole, // bool: shown with its author and time (not a continuation)
        StartsDayRole, // bool: the first message of its day, under a day separator
        DayTextRole, // "Today", "Yesterday" or the date, for a separator
        FirstUnreadRole, // bool: the "new messages" divider goes above this row
        RoomStartRole, // bool: the first message the room ever had
        RoomRole, // QString: the room's name, without '#'
        MentionsMeRole, // bool: the text names the user
        LayoutKeyRole, // quint64: changes whenever the row's size may, for a size cache
        EditedRole, // bool: its text was changed after it was sent
        DeletedRole, // bool: its author deleted it; TextRole is then a placeholder
        ReactionsRole, // QList<Reaction> (core/message.h), emoji in the order first used
        MyReactionsRole, // QStringList: the emoji the user reacted with
        ReplyToRole, // MessageId of the message this one answers, 0 when none
        QuoteAuthorRole, // QString: who wrote that message, empty when unknown yet
        QuoteTextRole, // QString: its first line, or what stands for it
        CanEditRole, // bool: the user's own message, stored and not deleted
    };

    explicit MessageModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setOwnName(const QString &name);
    // Shows another room (or the same one again, anew).
    void showRoom(const RoomName &room, const Timeline &timeline, const QList<OutgoingMessage> &pending,
                  MessageId firstUnreadId);
    // Entries of the shown room, in any order; those already here are skipped. Messages
    // become rows; edits, deletions and reactions change the rows of their messages.
    void addMessages(const QList<Message> &messages);
    // A message's current state, as the server answered an edit, a deletion or a reaction.
    void updateMessage(const Message &current);
    // A message that a loaded reply quotes, fetched because it is not loaded itself.
    void addQuoted(const Message &original);
    void setPending(const QList<OutgoingMessage> &pending);
    // The divider goes above `id` (0: no divider).
    void setFirstUnread(MessageId id);

    RoomName room() const { return m_room; }
    MessageId firstUnreadId() const { return m_firstUnreadId; }
    qsizetype storedCount() const { return m_messages.size(); }
    // The row of stored message `id`, or -1 when it is not loaded.
    int rowOfMessage(MessageId id) const;
    qsizetype pendingCount() const { return m_pending.size(); }
    QString ownName() const { return m_ownName; }
    // The newest stored message the user may edit, or 0.
    MessageId lastEditableId() const;

signals:
    // A reply quotes message `id`, which is not loaded: fetch it and addQuoted() it.
    void quoteWanted(MessageId id);

private:
    // Where a message with `id` is or would go among the stored rows.
    qsizetype storedRowFor(MessageId id) const;
    // The rows before `row` may have changed whether it starts a group or a day.
    void headerMayHaveChanged(int row);
    bool startsGroup(int row) const;
    bool startsDay(int row) const;
    QString authorAt(int row) const;
    void insertStored(qsizetype at, const QList<Message> &messages);
    void insertMessages(const QList<Message> &messages);
    // Applies an edit, deletion or reaction; returns the row it changed, or -1.
    int apply(const Message &change);
    // The rows whose quote shows message `id`.
    void quotesChanged(MessageId id);
    const Message *original(MessageId id) const;
    void askForMissingQuotes(qsizetype from, qsizetype count);

    RoomName m_room = RoomName::general();
    QString m_ownName;
    QList<Message> m_messages; // sorted by id
    // The local day of each of m_messages: converting to local time asks the C library,
    // which reads the time zone file each time, far too slow for every row of a layout.
    QList<QDate> m_days;
    QHash<MessageId, Message> m_quoted; // quoted messages that are not rows
    QList<OutgoingMessage> m_pending; // in the order typed
    MessageId m_firstUnreadId = 0;
};
