#include "messagerenderer.h"

#include <QLocale>
#include <QRegularExpression>

namespace {
// Readable on a light background and distinct from each other; a name keeps its colour.
constexpr const char *authorColours[] = {"#1565c0", "#2e7d32", "#6a1b9a", "#c62828",
                                         "#00838f", "#ef6c00", "#4e342e", "#ad1457"};

QString colourFor(const QString &author)
{
    const size_t index = qHash(author, 0) % std::size(authorColours);
    return QLatin1String(authorColours[index]);
}

const QString ownBackground = QStringLiteral("#e3f2fd");
const QString mutedColour = QStringLiteral("#757575");
} // namespace

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

QString MessageRenderer::header(const Message &message) const
{
    const QTime clock = message.timestamp.toLocalTime().time();
    // The C locale's short format has seconds, which make a chat look like a log.
    const QString time = QLocale().language() == QLocale::C ? clock.toString(QStringLiteral("HH:mm"))
                                                            : QLocale().toString(clock, QLocale::ShortFormat);
    const bool own = message.author == m_ownName;
    return QStringLiteral("<p style=\"margin-top:10px; margin-bottom:1px;%4\">"
                          "<b style=\"color:%1\">%2</b>&nbsp;&nbsp;"
                          "<span style=\"color:%3; font-size:small\">%5</span></p>")
        .arg(colourFor(message.author), message.author.toHtmlEscaped(), mutedColour,
             own ? QStringLiteral(" margin-left:48px;") : QString(), time);
}

QString MessageRenderer::daySeparator(const QDate &day) const
{
    const QDate today = QDate::currentDate();
    const QString label = day == today              ? tr("Today")
                        : day == today.addDays(-1) ? tr("Yesterday")
                                                   : QLocale().toString(day, QLocale::LongFormat);
    return QStringLiteral("<p align=\"center\" style=\"margin-top:14px; color:%1\">— %2 —</p>")
        .arg(mutedColour, label.toHtmlEscaped());
}

QString MessageRenderer::html(const QString &room, const Timeline &timeline, bool loadingOlder,
                              const QList<OutgoingMessage> &pending) const
{
    QString html;
    if (loadingOlder)
        html += QStringLiteral("<p align=\"center\" style=\"color:%1\">%2</p>")
                    .arg(mutedColour, tr("Loading older messages…"));
    else if (!timeline.isEmpty() && !timeline.hasOlder())
        html += QStringLiteral("<p align=\"center\" style=\"color:%1\">%2</p>")
                    .arg(mutedColour, tr("This is the beginning of #%1.").arg(room));

    const Message *previous = nullptr;
    for (const Message &message : timeline.messages()) {
        const QDate day = message.timestamp.toLocalTime().date();
        if (!previous || previous->timestamp.toLocalTime().date() != day)
            html += daySeparator(day);
        if (!previous || !continuesGroup(*previous, message))
            html += header(message);
        const bool own = message.author == m_ownName;
        html += QStringLiteral("<p style=\"margin:0px;%1\">%2</p>")
                    .arg(own ? QStringLiteral(" margin-left:48px; background-color:") + ownBackground
                             : QString(),
                         plainTextToHtml(message.text));
        previous = &message;
    }

    for (const OutgoingMessage &message : pending) {
        const QString state = message.waitingForSignIn   ? tr("waiting for you to sign in…")
                            : message.waitingForServer ? tr("waiting for the server…")
                                                       : tr("sending…");
        html += QStringLiteral("<p style=\"margin-top:6px; margin-left:48px; color:%1\">"
                               "<i>%2</i><br><span style=\"font-size:small\">⏳ %3</span></p>")
                    .arg(mutedColour, plainTextToHtml(message.text), state);
    }

    if (timeline.isEmpty() && pending.isEmpty())
        html += QStringLiteral("<p align=\"center\" style=\"margin-top:40px; color:%1\">%2</p>")
                    .arg(mutedColour, tr("No messages in #%1 yet. Say hello!").arg(room));
    return html;
}
