#pragma once

#include <QByteArrayList>
#include <QHttpServerRequest>
#include <QList>
#include <QString>
#include <QStringList>

// Path patterns like "api/v1/rooms/{room}/messages/{id}" and the method each answers.
// Kept apart from ChatServer so that routing is a pure function a fuzzer can drive.
class Router
{
public:
    using Method = QHttpServerRequest::Method;

    struct Arguments
    {
        QString room;
        QString id;
        QString name; // still percent-encoded, as the path was
    };
    struct Match
    {
        qsizetype route = -1; // index into the table, or -1
        Arguments arguments;
        QByteArrayList allowed; // the methods the path answers, when the method is not one
    };

    void add(const char *pattern, Method method);
    qsizetype size() const { return m_routes.size(); }

    // `path` still percent-encoded, so that an encoded '/' cannot split a segment. A HEAD
    // matches the path's GET route.
    Match match(Method method, const QString &path) const;

    static QByteArray methodName(Method method);

private:
    struct Route
    {
        QStringList segments; // "{room}", "{id}" and "{name}" capture
        Method method;
    };
    QList<Route> m_routes;
};
