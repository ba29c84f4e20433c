#include "richtext.h"

#include <QRegularExpression>

QString plainTextToHtml(const QString &text)
{
    static const QRegularExpression link(QStringLiteral(R"(https?://[^\s<>"]+[^\s<>".,;:!?)\]'])"));
    QString html;
    qsizetype done = 0;
    for (const QRegularExpressionMatch &match : link.globalMatch(text)) {
        html += text.mid(done, match.capturedStart() - done).toHtmlEscaped();
        const QString url = match.captured().toHtmlEscaped();
        html += QStringLiteral("<a href=\"%1\">%1</a>").arg(url);
        done = match.capturedEnd();
    }
    html += text.mid(done).toHtmlEscaped();
    return html.replace(u'\n', QStringLiteral("<br>"));
}
