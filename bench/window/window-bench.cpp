// What one send costs the chat window in a room of many messages, in CPU time of the
// GUI thread: the pending row appears, the server's answer replaces it with the stored
// message, and the view lays out and paints what changed (as it would on screen).
// Beside it, the peer: the window as it was until issue 14, which turned the whole
// room into HTML and gave it to a QTextBrowser at every change (about four times per
// send; counted here once, so the ratio flatters the peer).
// Prints one JSON line. Run offscreen: QT_QPA_PLATFORM=offscreen chatapp-window-bench.

#include "client/messagemodel.h"
#include "client/timeline.h"
#include "ui/messagelistview.h"
#include "ui/richtext.h"

#include <QApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScrollBar>
#include <QTextBrowser>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

namespace {
double threadCpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

// Lets posted events (the view's delayed layout) run, then paints as a frame would.
void settle(QWidget *view)
{
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    view->repaint();
}

Message messageNumber(MessageId id)
{
    static const QStringList authors{QStringLiteral("ana"), QStringLiteral("bea"), QStringLiteral("carlos"),
                                     QStringLiteral("dana"), QStringLiteral("eli")};
    Message message;
    message.id = id;
    message.room = QStringLiteral("lab");
    message.author = authors.at(int(id % authors.size()));
    message.text = QStringLiteral("Message %1: the long poll answered, 200 OK, see https://example.org/%1").arg(id);
    message.timestamp = QDateTime::currentDateTimeUtc().addSecs(-5000 + id);
    return message;
}

struct Figures
{
    double median = 0;
    double p90 = 0;
};

Figures measure(int repeats, const std::function<void(int)> &once)
{
    std::vector<double> costs;
    for (int i = 0; i < repeats; ++i) {
        const double before = threadCpuMs();
        once(i);
        costs.push_back(threadCpuMs() - before);
    }
    std::sort(costs.begin(), costs.end());
    return {costs[costs.size() / 2], costs[std::min(costs.size() - 1, costs.size() * 9 / 10)]};
}

// The peer: the whole room as rich text, as MessageRenderer made it.
QString wholeRoomHtml(const QList<Message> &messages)
{
    QString html;
    for (const Message &message : messages)
        html += QStringLiteral("<p style=\"margin-top:10px\"><b style=\"color:#1565c0\">%1</b> "
                               "<span style=\"color:#757575\">%2</span></p><p style=\"margin:0px\">%3</p>")
                    .arg(message.author.toHtmlEscaped(), message.timestamp.toString(QStringLiteral("HH:mm")),
                         plainTextToHtml(message.text));
    return html;
}
} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const int roomSize = argc > 1 ? std::max(100, atoi(argv[1])) : 5000;
    const int repeats = argc > 2 ? std::max(5, atoi(argv[2])) : 40;
    const RoomName lab = *RoomName::parse(u"lab");

    Timeline timeline;
    QList<Message> all;
    for (MessageId id = 1; id <= roomSize; ++id)
        all.append(messageNumber(id));
    timeline.merge(all);

    MessageModel model;
    model.setOwnName(QStringLiteral("ana"));
    MessageListView view;
    view.resize(720, 520);
    view.setModel(&model);
    view.show();
    model.showRoom(lab, timeline, {}, 0);
    settle(&view);

    MessageId next = roomSize + 1;
    const Figures send = measure(repeats, [&](int i) {
        OutgoingMessage pending;
        pending.localId = QStringLiteral("local-%1").arg(i);
        pending.room = lab;
        pending.author = QStringLiteral("ana");
        pending.text = QStringLiteral("a send of mine, number %1").arg(i);
        model.setPending({pending});
        settle(&view);
        Message stored = messageNumber(next++);
        stored.author = pending.author;
        stored.text = pending.text;
        model.addMessages({stored});
        model.setPending({});
        settle(&view);
    });
    const bool atBottom = view.verticalScrollBar()->value() == view.verticalScrollBar()->maximum();

    QTextBrowser browser;
    browser.resize(720, 520);
    browser.show();
    browser.setHtml(wholeRoomHtml(all));
    settle(&browser);
    const Figures peer = measure(std::max(5, repeats / 8), [&](int i) {
        all.append(messageNumber(roomSize + 1 + i));
        browser.setHtml(wholeRoomHtml(all));
        browser.verticalScrollBar()->setValue(browser.verticalScrollBar()->maximum());
        settle(&browser);
    });

    const QJsonObject result{{QStringLiteral("room_size"), roomSize},
                             {QStringLiteral("repeats"), repeats},
                             {QStringLiteral("send_cpu_ms_median"), send.median},
                             {QStringLiteral("send_cpu_ms_p90"), send.p90},
                             {QStringLiteral("stayed_at_bottom"), atBottom},
                             {QStringLiteral("whole_room_render_cpu_ms_median"), peer.median},
                             {QStringLiteral("whole_room_render_cpu_ms_p90"), peer.p90}};
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return atBottom ? 0 : 1;
}
