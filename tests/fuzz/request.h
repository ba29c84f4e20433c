#pragma once

#include "server/router.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QUrl>
#include <QUrlQuery>

// One fuzz input read as the parts of a request the handlers decode. The format is lines,
// so that the seeds and regression inputs can be read and written by hand:
//
//   METHOD            GET, POST, ... (anything else is Unknown, as Qt 6.4 reports it)
//   TARGET            the rest of the request line: /path?query#fragment, up to a space
//   CONTENT-TYPE
//   LAST-EVENT-ID
//   BODY              everything after the fourth newline, newlines included
//
// A missing line is empty. None of the one-line fields can hold a newline in real HTTP.
struct FuzzRequest
{
    Router::Method method = Router::Method::Unknown;
    QUrl url;
    QByteArray contentType;
    QByteArray lastEventId;
    QByteArray body;
};

FuzzRequest splitInput(const char *data, size_t size);

// The URL as Qt 6.4's QHttpServerRequest builds it from the request line, with a Host
// header; the handlers route on its path(QUrl::FullyEncoded).
QUrl requestUrl(const QByteArray &line);

// What QHttpServerRequest::query() returns for that URL.
QUrlQuery requestQuery(const QUrl &url);

Router::Method methodFromName(const QByteArray &name);
