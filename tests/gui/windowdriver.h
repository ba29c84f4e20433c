#pragma once

// What the GUI tests do to a chat window, the way a person would: type into the
// composer, press Enter, read the message list and the status bar.

#include "client/apiclient.h"
#include "clientconfig.h"
#include "serverprocess.h"
#include "ui/mainwindow.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QTest>
#include <QAbstractItemView>

#include <memory>

// `password` is what --password-file would give the window.
inline std::unique_ptr<MainWindow> openChatWindow(const ServerProcess &server, const QString &name,
                                                  const QString &room, const QString &password = {})
{
    ChatConfig config = clientConfigFor(server, name, room);
    config.password = password;
    auto window = std::make_unique<MainWindow>(config);
    window->resize(900, 640);
    window->show();
    return window;
}

inline QAbstractItemView *messageViewOf(const MainWindow &window)
{
    return window.findChild<QAbstractItemView *>(QStringLiteral("messageView"));
}

// What the message list shows: each row as a person reads it (author, time, text, a
// send's state, the separators above it), or what the list says when it has no rows.
inline QString messageListText(const MainWindow &window)
{
    QStringList shown;
    const auto *empty = window.findChild<QLabel *>(QStringLiteral("emptyState"));
    if (empty->isVisible())
        shown.append(empty->text());
    const QAbstractItemModel *model = messageViewOf(window)->model();
    for (int row = 0; row < model->rowCount(); ++row)
        shown.append(model->index(row, 0).data(Qt::AccessibleTextRole).toString());
    return shown.join(u'\n');
}

// The rows of one of the window's lists (rooms, people online), as their model has them.
inline QAbstractItemModel *listModel(const MainWindow &window, const QString &objectName)
{
    return window.findChild<QAbstractItemView *>(objectName)->model();
}

// The line at the right of the status bar: who is connected where, or why not.
inline QString connectionText(const MainWindow &window)
{
    return window.findChild<QLabel *>(QStringLiteral("connectionStatus"))->text();
}

inline QString statusBarText(const MainWindow &window)
{
    return window.findChild<QLabel *>(QStringLiteral("exchangeStatus"))->text();
}

inline QPlainTextEdit *composerOf(const MainWindow &window)
{
    return window.findChild<QPlainTextEdit *>(QStringLiteral("composer"));
}

inline void typeAndSend(const MainWindow &window, const QString &text)
{
    QPlainTextEdit *composer = composerOf(window);
    composer->setFocus();
    // keyClicks() only knows ASCII; other characters arrive as the text of a key press,
    // as an input method delivers them.
    for (const char32_t codePoint : text.toUcs4()) {
        if (codePoint < 0x80)
            QTest::keyClick(composer, char(codePoint));
        else
            QTest::sendKeyEvent(QTest::Click, composer, Qt::Key_unknown,
                                QString::fromUcs4(&codePoint, 1), Qt::NoModifier);
    }
    QTest::keyClick(composer, Qt::Key_Return);
}

// How often `needle` appears in the window's message list.
inline qsizetype occurrences(const MainWindow &window, const QString &needle)
{
    return messageListText(window).count(needle);
}

inline ApiClient *apiClientOf(const MainWindow &window)
{
    return window.findChild<ApiClient *>();
}

// What the status bar said right after each exchange of `window`: the next exchange
// may replace it within a millisecond, sooner than a person or QTRY could look.
inline void recordStatusBar(MainWindow &window, QStringList &shown)
{
    QObject::connect(apiClientOf(window), &ApiClient::exchangeFinished, &window,
                     [&shown, &window] { shown.append(statusBarText(window)); });
}
