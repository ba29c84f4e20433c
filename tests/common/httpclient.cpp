#include "httpclient.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

QByteArray HttpReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool HttpReply::hasHeader(const QByteArray &name) const
{
    return std::any_of(headers.cbegin(), headers.cend(),
        [&name](const auto &pair) { return pair.first.compare(name, Qt::CaseInsensitive) == 0; });
}

QString HttpReply::errorCode() const
{
    return json.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

QByteArray HttpReply::describe() const
{
    if (status == 0) {
        return "no answer" + QByteArray(timedOut ? " (timed out)" : "") + ": "
            + errorString.toUtf8();
    }
    QByteArray text = QByteArray::number(status) + ' ' + body.left(600);
    if (body.size() > 600)
        text += "...";
    return text;
}

namespace {
QJsonObject parseObject(const QByteArray &body)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    return error.error == QJsonParseError::NoError && document.isObject() ? document.object()
                                                                          : QJsonObject();
}
} // namespace

QNetworkReply *startRequest(QNetworkAccessManager &nam, const QByteArray &method, const QUrl &url,
    const QByteArray &body, const HeaderList &headers)
{
    QNetworkRequest request(url);
    // Every answer, redirects and errors included, must reach the test as the server sent it.
    request.setAttribute(
        QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    return nam.sendCustomRequest(request, method, body);
}

HttpReply collectReply(QNetworkReply *reply)
{
    HttpReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.networkError = reply->error();
    result.errorString = reply->errorString();
    result.headers = reply->rawHeaderPairs();
    result.body = reply->readAll();
    result.json = parseObject(result.body);
    return result;
}

HttpReply awaitReply(QNetworkReply *reply, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    bool timedOut = false;
    if (!reply->isFinished()) {
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(timeoutMs) && !reply->isFinished()) {
            timedOut = true;
            reply->abort();
        }
    }
    HttpReply result = collectReply(reply);
    result.timedOut = timedOut;
    result.elapsedMs = timer.elapsed();
    if (timedOut)
        result.status = 0;
    reply->deleteLater();
    return result;
}

HttpReply request(QNetworkAccessManager &nam, const QByteArray &method, const QUrl &url,
    const QByteArray &body, const HeaderList &headers, int timeoutMs)
{
    return awaitReply(startRequest(nam, method, url, body, headers), timeoutMs);
}

namespace {
// Enough of HTTP/1.1 for one answer on a connection the client closes after it:
// a status line, headers, and a body of Content-Length bytes (or up to the close).
struct RawParser
{
    QByteArray buffer;
    HttpReply reply;
    qsizetype bodyStart = -1;
    qsizetype contentLength = -1;

    bool complete() const
    {
        return bodyStart >= 0 && contentLength >= 0 && buffer.size() - bodyStart >= contentLength;
    }

    void parseHead()
    {
        if (bodyStart >= 0)
            return;
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        bodyStart = end + 4;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
        reply.status = statusLine.size() >= 2 ? statusLine[1].toInt() : 0;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed();
            const QByteArray value = line.mid(colon + 1).trimmed();
            reply.headers.append({ name, value });
            if (name.compare("Content-Length", Qt::CaseInsensitive) == 0)
                contentLength = value.toLongLong();
        }
    }

    void finish()
    {
        if (bodyStart < 0)
            return;
        reply.body = buffer.mid(bodyStart, contentLength >= 0 ? contentLength : -1);
        reply.json = parseObject(reply.body);
    }
};
} // namespace

HttpReply rawRequest(quint16 port, const QByteArray &requestBytes, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    QTcpSocket socket;
    RawParser parser;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] {
        parser.buffer += socket.readAll();
        parser.parseHead();
    });
    QObject::connect(&socket, &QTcpSocket::connected, &socket, [&] { socket.write(requestBytes); });
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    const bool done = QTest::qWaitFor(
        [&] { return parser.complete() || socket.state() == QAbstractSocket::UnconnectedState; },
        timeoutMs);
    parser.buffer += socket.readAll();
    parser.parseHead();
    parser.finish();
    HttpReply result = parser.reply;
    result.timedOut = !done;
    result.elapsedMs = timer.elapsed();
    if (result.status == 0)
        result.errorString = socket.errorString();
    socket.abort();
    return result;
}

QByteArray jsonBody(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray formBody(const QList<std::pair<QByteArray, QString>> &fields)
{
    QByteArray body;
    for (const auto &[name, value] : fields) {
        if (!body.isEmpty())
            body += '&';
        body += name + '=' + value.toUtf8().toPercentEncoding();
    }
    return body;
}

std::optional<double> metricValue(const QByteArray &metricsText, const QByteArray &series)
{
    for (const QByteArray &line : metricsText.split('\n')) {
        if (line.startsWith('#') || !line.startsWith(series))
            continue;
        const QByteArray rest = line.mid(series.size());
        // "name 5" or "name{...} 5", but not a longer name that starts the same way.
        if (!rest.startsWith(' '))
            continue;
        bool ok = false;
        const double value = rest.trimmed().split(' ').first().toDouble(&ok);
        if (ok)
            return value;
    }
    return std::nullopt;
}
