#pragma once

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

// A name as this node's hub knows it in a room, at the moment of a change.
struct LocalPresence
{
    QString room;
    QString name;
    bool here = false;     // seen just now; false: it left (or a stream closed after it left)
    int openStreams = 0;   // its streams open on this node that still count
    bool startedTyping = false;
    // Not here any more because newer names pushed it out of a full room: offline for the
    // others, but not a leave (which they would apply to their own sightings too).
    bool forgotten = false;
};

// A name online in a room on another node.
struct MemberElsewhere
{
    QString name;
    QDateTime lastSeen; // on this node's clock
};

// Who is online, and typing, on the other nodes serving the same store, and what this node
// tells them (several `chatapp --serve` on one PostgreSQL). The hub tells it every change
// to a member and asks it when it lists members; a single node has nobody to tell
// (NoSharedPresence).
class SharedPresence : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    // `prompt`: the name came or went, a stream opened or closed, or it typed, which the
    // others must hear of within about a second; any other sighting may wait its turn.
    virtual void tell(const LocalPresence &presence, bool prompt) = 0;
    // The names online in `room` on other nodes: seen there since `cutoff`, or with a
    // stream open there. In no particular order.
    virtual QList<MemberElsewhere> elsewhere(const QString &room, const QDateTime &cutoff) const = 0;

signals:
    // Who is online in `room` on other nodes may have changed (a room list's count).
    void othersChanged(const QString &room);
    // `name` typed in `room` on another node (again, if it already was).
    void othersStartedTyping(const QString &room, const QString &name);
    // `name` is no longer typing in `room` on any other node (it left, or its node died).
    void othersStoppedTyping(const QString &room, const QString &name);
    // `name` left `room` through another node at `at`: a window's polls and its leaving
    // may reach different nodes behind a load balancer, so it leaves here too, unless
    // seen here since.
    void othersSawLeave(const QString &room, const QString &name, const QDateTime &at);
};

// One node alone: nothing to tell, nobody elsewhere.
class NoSharedPresence final : public SharedPresence
{
    Q_OBJECT

public:
    using SharedPresence::SharedPresence;

    void tell(const LocalPresence &, bool) override {}
    QList<MemberElsewhere> elsewhere(const QString &, const QDateTime &) const override { return {}; }
};
