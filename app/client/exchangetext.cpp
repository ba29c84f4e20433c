#include "exchangetext.h"

#include <QCoreApplication>

namespace {
void appendHeaders(QString &text, const HttpHeaders &headers)
{
    for (const auto &[name, value] : headers)
        text += QString::fromLatin1(name) + QStringLiteral(": ") + QString::fromUtf8(value) + u'\n';
}

void appendBody(QString &text, const ExchangeBody &body)
{
    if (body.isEmpty())
        return;
    text += u'\n' + QString::fromUtf8(body.bytes);
    if (body.truncated)
        //: After a long body in the Protocol panel: only its start was kept.
        text += u'\n'
            + QCoreApplication::translate("ExchangeText", "[… %n more byte(s) not kept]", nullptr,
                int(body.size - body.bytes.size()));
    text += u'\n';
}
} // namespace

QString exchangeAsText(const Exchange &exchange)
{
    QString text = QString::fromLatin1(exchange.requestLine()) + u'\n';
    appendHeaders(text, exchange.requestHeaders);
    appendBody(text, exchange.requestBody);
    text += u'\n';
    if (exchange.status == 0) {
        //: In the Protocol panel, where the answer would be; %1 is the network error.
        text += QCoreApplication::translate("ExchangeText", "(no answer: %1)").arg(exchange.reason)
            + u'\n';
        return text;
    }
    text += QString::fromLatin1(exchange.statusLine()) + u'\n';
    appendHeaders(text, exchange.responseHeaders);
    appendBody(text, exchange.responseBody);
    return text;
}
