#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QString>

// One finished HTTP request and its answer, as the status bar and the Protocol panel
// show it: the point of the window is to let a student see HTTP at work.
struct Exchange
{
    Q_DECLARE_TR_FUNCTIONS(Exchange)

public:
    enum class Outcome { Success, Redirect, ClientError, ServerError, NoConnection };

    QByteArray method;
    QString path; // path and query, as sent
    int status = 0; // 0 when no HTTP answer arrived
    QString reason; // the reason phrase, or the network error when status is 0
    qint64 elapsedMs = 0;
    QDateTime finishedAt;

    Outcome outcome() const;
    // "POST /api/v1/rooms/lab/messages → 201 Created · 6 ms"
    QString summary() const;
    // "201 Created", or "no connection" in the user's language.
    QString statusText() const;
};

// The standard reason phrase for `status`; QNetworkReply reports the server's own
// phrase, and this fills in when a server sent none.
QString standardReasonPhrase(int status);
