#include "mainwindow.h"

#include "client/apiclient.h"
#include "client/desktopnotifier.h"
#include "client/history.h"
#include "client/notificationpolicy.h"
#include "client/outbox.h"
#include "client/poller.h"
#include "client/roomwatch.h"
#include "client/session.h"
#include "composer.h"
#include "core/messagedraft.h"
#include "core/roomname.h"
#include "exchangecolours.h"
#include "messagerenderer.h"
#include "messageview.h"
#include "passworddialog.h"
#include "placeholderfit.h"
#include "protocolpanel.h"
#include "settingsdialog.h"
#include "traynotification.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

namespace {
constexpr int roomNameRole = Qt::UserRole;

// HOST:PORT, as before https existed; an https server on the same port is another server.
QString rememberedTokenKey(const QUrl &server)
{
    const QString authority = server.authority();
    return server.scheme() == u"https" ? QStringLiteral("https+") + authority : authority;
}
}

MainWindow::MainWindow(const ChatConfig &config, QWidget *parent)
    : QMainWindow(parent),
      m_config(config),
      m_api(new ApiClient(config.serverUrl, this)),
      m_poller(new Poller(m_api, config.name, config.pollIntervalMs, this)),
      m_outbox(new Outbox(m_api, this)),
      m_directory(new Directory(m_api, this)),
      m_session(new Session(m_api, rememberedTokenKey(config.serverUrl), config.password, this)),
      m_renderer(new MessageRenderer(config.name)),
      m_notifier(new DesktopNotifier(this)),
      m_roomWatch(new RoomWatch(m_api, this)),
      m_notificationSettings(NotificationSettings::load(rememberedTokenKey(config.serverUrl)))
{
    setObjectName(QStringLiteral("chatWindow"));
    m_api->setCaCertificates(config.caCertificates);
    buildWidgets();
    buildMenus();

    connect(m_api, &ApiClient::exchangeFinished, this, &MainWindow::showExchange);
    connect(m_poller, &Poller::messagesArrived, this, &MainWindow::onMessages);
    connect(m_poller, &Poller::roomReset, this, [this](const QString &room) {
        // What the window holds of the room is another copy's: ids will be given again.
        m_rooms[room] = RoomState();
        if (room == m_room)
            render();
        showRooms();
    });
    connect(m_api, &ApiClient::certificateRejected, this, [this](const QString &message) {
        m_certificateProblem = message;
        showConnection();
    });
    connect(m_poller, &Poller::onlineChanged, this, [this](bool online) {
        m_online = online;
        if (online) {
            m_certificateProblem.clear();
            m_retryInMs = 0;
            // The server is back: what waited in the outbox goes now, not after its back-off.
            m_outbox->retryNow();
            m_directory->refreshNow();
        }
        showConnection();
    });
    connect(m_poller, &Poller::retryScheduled, this, [this](int delayMs, const QString &error) {
        m_retryInMs = delayMs;
        m_offlineReason = error;
        showConnection();
    });
    connect(m_outbox, &Outbox::pendingChanged, this, [this] { render(); });
    connect(m_outbox, &Outbox::delivered, this, &MainWindow::onDelivered);
    connect(m_outbox, &Outbox::refused, this, &MainWindow::onRefused);
    connect(m_outbox, &Outbox::deliveryDelayed, this, [this] { m_poller->retryNow(); });
    connect(m_directory, &Directory::roomsUpdated, this, &MainWindow::onRoomsUpdated);
    connect(m_directory, &Directory::membersUpdated, this,
            [this](const QString &room, const QStringList &names) {
        if (room != m_room)
            return;
        m_memberList->clear();
        for (const QString &name : names) {
            auto *item = new QListWidgetItem(name == m_config.name ? tr("%1 (you)").arg(name) : name);
            m_memberList->addItem(item);
        }
        m_membersLabel->setText(tr("Online (%1)").arg(names.size()));
    });
    connect(m_poller, &Poller::roomMissing, m_directory, &Directory::createRoom);
    connect(m_directory, &Directory::roomCreated, this, [this](const QString &room) {
        if (!m_roomOrder.contains(room))
            m_roomOrder.append(room);
        showRooms();
        if (room == m_room)
            follow(room);
    });
    connect(m_directory, &Directory::roomRefused, this, [this](const QString &room, const ApiResult &result) {
        // A 401 is for the session to answer; once signed in, the poller finds the room
        // missing and it is asked for again.
        if (result.exchange.status != 401)
            showError(result.errorMessage, result.serverMessage);
        // Most likely the server is away: the poller's back-off will find it again.
        if (room == m_room)
            follow(room);
    });
    connect(m_session, &Session::passwordNeeded, this, &MainWindow::askForPassword);
    connect(m_session, &Session::signedIn, this, [this] {
        // What the 401s held back goes now, not after a back-off.
        m_poller->retryNow();
        m_outbox->retryNow();
        m_directory->start();
    });
    connect(m_session, &Session::stateChanged, this, [this] {
        showConnection();
        showSessionActions();
    });
    connect(m_passwordDialog, &QDialog::accepted, this, [this] {
        m_session->signIn(m_passwordDialog->password(), m_passwordDialog->remember());
        m_passwordDialog->clearPassword();
    });
    connect(m_passwordDialog, &QDialog::rejected, m_session, &Session::decline);
    m_notifier->setFallback(new TrayNotification(QApplication::windowIcon()));
    connect(m_notifier, &DesktopNotifier::activated, this, [this](const QString &room) {
        switchToRoom(room);
        setWindowState(windowState() & ~Qt::WindowMinimized);
        raise();
        activateWindow();
    });
    // The poller reads the room on screen; the others' news comes through the room list.
    connect(m_directory, &Directory::roomsUpdated, this, [this](const QList<RoomOverview> &rooms) {
        m_roomWatch->roomsListed(rooms, m_room, [this](const QString &room) { return mayNotify(room, m_notificationSettings); });
    });
    connect(m_roomWatch, &RoomWatch::messagesArrived, this, [this](const QString &, const QList<Message> &messages) { notifyAbout(messages, false); });

    switchToRoom(config.room);
    m_directory->start();
    showConnection();
    showSessionActions();
    m_composer->setFocus();
}

MainWindow::~MainWindow()
{
    delete m_renderer;
}

void MainWindow::buildWidgets()
{
    auto *roomsPane = new QWidget;
    auto *roomsLayout = new QVBoxLayout(roomsPane);
    roomsLayout->setContentsMargins(6, 6, 0, 6);
    m_roomsLabel = new QLabel(tr("&Rooms"));
    m_roomList = new QListWidget;
    m_roomList->setObjectName(QStringLiteral("roomList"));
    m_roomList->setAccessibleName(tr("Rooms"));
    m_roomsLabel->setBuddy(m_roomList);
    m_joinEdit = new QLineEdit;
    m_joinEdit->setObjectName(QStringLiteral("joinRoomEdit"));
    m_joinEdit->setPlaceholderText(tr("Join or create a room"));
    fitPlaceholder(m_joinEdit);
    m_joinEdit->setAccessibleName(tr("Room to join or create"));
    m_joinButton = new QPushButton(tr("&Join"));
    m_joinButton->setObjectName(QStringLiteral("joinRoomButton"));
    auto *joinRow = new QHBoxLayout;
    joinRow->addWidget(m_joinEdit);
    joinRow->addWidget(m_joinButton);
    m_membersLabel = new QLabel(tr("Online"));
    m_memberList = new QListWidget;
    m_memberList->setObjectName(QStringLiteral("memberList"));
    m_memberList->setAccessibleName(tr("People online in this room"));
    m_membersLabel->setBuddy(m_memberList);
    roomsLayout->addWidget(m_roomsLabel);
    roomsLayout->addWidget(m_roomList, 3);
    roomsLayout->addLayout(joinRow);
    roomsLayout->addSpacing(8);
    roomsLayout->addWidget(m_membersLabel);
    roomsLayout->addWidget(m_memberList, 2);

    auto *chatPane = new QWidget;
    auto *chatLayout = new QVBoxLayout(chatPane);
    chatLayout->setContentsMargins(0, 6, 6, 6);
    m_roomTitle = new QLabel;
    m_roomTitle->setObjectName(QStringLiteral("roomTitle"));
    QFont titleFont = m_roomTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_roomTitle->setFont(titleFont);
    m_messageView = new MessageView;
    m_messageView->setObjectName(QStringLiteral("messageView"));
    m_messageView->setAccessibleName(tr("Messages"));
    m_errorLabel = new QLabel;
    m_errorLabel->setObjectName(QStringLiteral("sendError"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet(QStringLiteral("color: #b71c1c;"));
    m_errorLabel->hide();
    m_composer = new Composer;
    m_composer->setObjectName(QStringLiteral("composer"));
    m_sendButton = new QPushButton(tr("&Send"));
    m_sendButton->setObjectName(QStringLiteral("sendButton"));
    m_sendButton->setAccessibleName(tr("Send message"));
    m_characterCounter = new QLabel;
    m_characterCounter->setObjectName(QStringLiteral("characterCounter"));
    m_characterCounter->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_characterCounter->hide();
    auto *sendColumn = new QVBoxLayout;
    sendColumn->addStretch(1);
    sendColumn->addWidget(m_characterCounter);
    sendColumn->addWidget(m_sendButton);
    auto *composeRow = new QHBoxLayout;
    composeRow->addWidget(m_composer, 1);
    composeRow->addLayout(sendColumn);
    chatLayout->addWidget(m_roomTitle);
    chatLayout->addWidget(m_messageView, 1);
    chatLayout->addWidget(m_errorLabel);
    chatLayout->addLayout(composeRow);

    auto *splitter = new QSplitter;
    splitter->addWidget(roomsPane);
    splitter->addWidget(chatPane);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({240, 720});
    splitter->setChildrenCollapsible(false);
    setCentralWidget(splitter);

    m_exchangeLabel = new QLabel;
    m_exchangeLabel->setObjectName(QStringLiteral("exchangeStatus"));
    m_exchangeLabel->setAccessibleName(tr("Last HTTP exchange"));
    m_exchangeLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_connectionLabel = new QLabel;
    m_connectionLabel->setObjectName(QStringLiteral("connectionStatus"));
    statusBar()->addWidget(m_exchangeLabel, 1);
    statusBar()->addPermanentWidget(m_connectionLabel);

    m_passwordDialog = new PasswordDialog(m_config.serverLabel, this);

    m_protocolPanel = new ProtocolPanel(this);
    addDockWidget(Qt::BottomDockWidgetArea, m_protocolPanel);
    m_protocolPanel->hide();

    setTabOrder(m_composer, m_sendButton);
    setTabOrder(m_sendButton, m_roomList);
    setTabOrder(m_roomList, m_joinEdit);
    setTabOrder(m_joinEdit, m_joinButton);
    // Who is online is read with the keyboard too (a screen reader reads the list).
    setTabOrder(m_joinButton, m_memberList);
    setTabOrder(m_memberList, m_messageView);

    connect(m_composer, &Composer::submitted, this, &MainWindow::send);
    connect(m_sendButton, &QPushButton::clicked, this, &MainWindow::send);
    connect(m_joinButton, &QPushButton::clicked, this, &MainWindow::joinRoomFromEdit);
    connect(m_joinEdit, &QLineEdit::returnPressed, this, &MainWindow::joinRoomFromEdit);
    connect(m_roomList, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        switchToRoom(item->data(roomNameRole).toString());
    });
    connect(m_roomList, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (item && item->data(roomNameRole).toString() != m_room)
            switchToRoom(item->data(roomNameRole).toString());
    });
    connect(m_messageView, &MessageView::scrolledToTop, this, &MainWindow::loadOlder);
    // An error is about the text that was refused: once that is gone, so is the error.
    connect(m_composer, &QPlainTextEdit::textChanged, this, [this] {
        if (m_composer->document()->isEmpty())
            m_errorLabel->hide();
        showCharacterCount();
    });

    // Below this the room list, the messages and the composer no longer fit side by side.
    setMinimumSize(520, 380);
    resize(960, 680);
}

void MainWindow::buildMenus()
{
    m_chatMenu = menuBar()->addMenu(tr("&Chat"));
    m_joinAction = m_chatMenu->addAction(tr("&Join or Create Room…"), this, [this] {
        m_joinEdit->setFocus();
        m_joinEdit->selectAll();
    });
    m_joinAction->setShortcut(QKeySequence(tr("Ctrl+K")));
    QAction *focusComposer = m_chatMenu->addAction(tr("&Write a Message"), this,
                                                   [this] { m_composer->setFocus(); });
    focusComposer->setShortcut(QKeySequence(tr("Ctrl+L")));
    // The shortcuts of browsers' tabs and of other chat apps, all of them.
    QAction *nextRoom = m_chatMenu->addAction(tr("&Next Room"), this, [this] { switchRoomBy(1); });
    nextRoom->setObjectName(QStringLiteral("nextRoomAction"));
    nextRoom->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Tab), QKeySequence(Qt::CTRL | Qt::Key_PageDown),
                            QKeySequence(Qt::ALT | Qt::Key_Down)});
    QAction *previousRoom = m_chatMenu->addAction(tr("&Previous Room"), this, [this] { switchRoomBy(-1); });
    previousRoom->setObjectName(QStringLiteral("previousRoomAction"));
    previousRoom->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backtab),
                                QKeySequence(Qt::CTRL | Qt::Key_PageUp), QKeySequence(Qt::ALT | Qt::Key_Up)});
    m_chatMenu->addSeparator();
    m_signInAction = m_chatMenu->addAction(tr("Sign &In…"), m_session, &Session::askAgain);
    m_signInAction->setObjectName(QStringLiteral("signInAction"));
    m_signOutAction = m_chatMenu->addAction(tr("Sign &Out"), m_session, &Session::signOut);
    m_signOutAction->setObjectName(QStringLiteral("signOutAction"));
    m_chatMenu->addSeparator();
    QAction *settings = m_chatMenu->addAction(tr("&Settings…"), this, [this] {
        auto *dialog = new SettingsDialog(rememberedTokenKey(m_config.serverUrl), m_roomOrder, m_config.name, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, dialog] { m_notificationSettings = dialog->settings(); showRooms(); });
        dialog->open();
    });
    settings->setObjectName(QStringLiteral("settingsAction"));
    // Ctrl+, as in most applications, besides the platform's own Preferences key if it has
    // another; never twice, or Qt finds the shortcut ambiguous and triggers nothing.
    QList<QKeySequence> settingsKeys = QKeySequence::keyBindings(QKeySequence::Preferences);
    if (!settingsKeys.contains(QKeySequence(Qt::CTRL | Qt::Key_Comma)))
        settingsKeys.prepend(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settings->setShortcuts(settingsKeys);
    m_quitAction = m_chatMenu->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    m_quitAction->setShortcut(QKeySequence::Quit);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    QAction *protocol = m_protocolPanel->toggleViewAction();
    protocol->setText(tr("&Protocol Panel"));
    // F12, as the developer tools of a web browser, which show the same thing.
    protocol->setShortcut(QKeySequence(Qt::Key_F12));
    protocol->setObjectName(QStringLiteral("protocolAction"));
    m_viewMenu->addAction(protocol);

    m_helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *shortcuts = m_helpMenu->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    shortcuts->setObjectName(QStringLiteral("shortcutsAction"));
    shortcuts->setShortcut(QKeySequence::HelpContents);
    m_aboutAction = m_helpMenu->addAction(tr("&About ChatApp"), this, [this] {
        QMessageBox::about(this, tr("About ChatApp"),
                           tr("<p><b>ChatApp %1</b></p><p>A small group chat that speaks plain "
                              "HTTP. Every send is a POST, every update a GET; the status bar "
                              "and the Protocol panel show each exchange.</p>")
                               .arg(QStringLiteral(CHATAPP_VERSION)));
    });
}

void MainWindow::showShortcuts()
{
    // Read from the actions themselves, so the list cannot fall behind the menus.
    QString rows;
    for (QMenu *menu : {m_chatMenu, m_viewMenu, m_helpMenu}) {
        for (const QAction *action : menu->actions()) {
            if (action->isSeparator() || action->shortcuts().isEmpty())
                continue;
            QStringList keys;
            for (const QKeySequence &key : action->shortcuts())
                // Qt names Shift+Tab "Backtab"; people press Tab.
                keys.append(key.toString(QKeySequence::NativeText).replace(QStringLiteral("Backtab"), QStringLiteral("Tab")).toHtmlEscaped());
            rows += QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>")
                        .arg(action->text().remove(u'&').toHtmlEscaped(), keys.join(QStringLiteral(", ")));
        }
    }
    rows += QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>")
                .arg(tr("Send the message").toHtmlEscaped(), tr("Enter"))
          + QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>")
                .arg(tr("New line in the message").toHtmlEscaped(), tr("Shift+Enter"));
    QMessageBox box(QMessageBox::NoIcon, tr("Keyboard Shortcuts"),
                    QStringLiteral("<table cellspacing=\"6\">%1</table>").arg(rows), QMessageBox::Close, this);
    box.setObjectName(QStringLiteral("shortcutsDialog"));
    box.setTextFormat(Qt::RichText);
    box.exec();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // The outbox lives in memory: closing now would drop what the user believes sent.
    if (m_outbox->size() > 0) {
        const auto answer = QMessageBox::question(
            this, tr("Messages not sent yet"),
            tr("%n message(s) have not reached the server yet and will be lost if you quit. "
               "Quit anyway?", nullptr, int(m_outbox->size())),
            QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Discard) {
            event->ignore();
            return;
        }
    }
    event->accept();
}

void MainWindow::switchToRoom(const QString &room)
{
    if (room.isEmpty())
        return;
    m_room = room;
    // Joining a room the window has not seen is a PUT: it creates the room or confirms it.
    if (m_roomOrder.contains(room))
        follow(room);
    else
        m_directory->createRoom(room);
    m_memberList->clear();
    m_membersLabel->setText(tr("Online"));
    m_roomTitle->setText(QStringLiteral("#") + room);
    m_notifier->withdraw(room);
    m_errorLabel->hide();
    markRead();
    showRooms();
    render(MessageView::Placement::Bottom);
}

void MainWindow::follow(const QString &room)
{
    const RoomState &state = m_rooms[room];
    m_poller->follow(room, state.loaded ? std::optional<MessageId>(state.timeline.newestId())
                                        : std::nullopt);
    m_directory->setCurrentRoom(room);
}

void MainWindow::send()
{
    const QString text = m_composer->toPlainText();
    if (text.trimmed().isEmpty())
        return;
    m_composer->clear();
    m_errorLabel->hide();
    m_outbox->enqueue(m_room, m_config.name, text);
    // Whoever sends wants to see the message go out, wherever they had scrolled.
    render(MessageView::Placement::Bottom);
}

void MainWindow::onDelivered(const OutgoingMessage &sent, const Message &stored)
{
    RoomState &state = m_rooms[sent.room];
    state.timeline.merge({stored});
    if (sent.room == m_room)
        markRead();
    render();
}

void MainWindow::onRefused(const OutgoingMessage &message, const ApiResult &result)
{
    showError(tr("Not sent: %1").arg(result.errorMessage), result.serverMessage);
    // What was typed is never lost: it goes back into the composer to be fixed.
    const QString current = m_composer->toPlainText();
    m_composer->setPlainText(current.isEmpty() ? message.text : message.text + u'\n' + current);
    m_composer->moveCursor(QTextCursor::End);
    render();
}

void MainWindow::showError(const QString &message, const QString &serverDetail)
{
    m_errorLabel->setText(message);
    // The server's own words, in English, for whoever wants to know exactly what it said.
    m_errorLabel->setToolTip(serverDetail.isEmpty() ? QString() : tr("The server said: %1").arg(serverDetail));
    m_errorLabel->show();
}

void MainWindow::joinRoomFromEdit()
{
    const QString wanted = m_joinEdit->text().trimmed().toLower().remove(u'#');
    if (!RoomName::parse(wanted)) {
        showError(tr("“%1” is not a room name: use 1 to 64 lower-case letters, digits, "
                     "“-” or “_”, starting with a letter or digit.")
                      .arg(wanted));
        return;
    }
    m_joinEdit->clear();
    m_errorLabel->hide();
    switchToRoom(wanted);
    m_composer->setFocus();
}

void MainWindow::onMessages(const QString &room, const QList<Message> &messages, MessageId lastId,
                            bool initial)
{
    RoomState &state = m_rooms[room];
    state.loaded = true;
    state.lastKnownId = std::max(state.lastKnownId, lastId);
    const bool changed = state.timeline.merge(messages) > 0;
    notifyAbout(messages, initial);
    if (initial && state.lastReadId == 0)
        state.lastReadId = lastId;
    if (room == m_room && (isActiveWindow() || m_messageView->isAtBottom() || initial))
        markRead();
    if (changed || initial)
        render(initial ? MessageView::Placement::Bottom : MessageView::Placement::KeepReaderPlace);
    showRooms();
}

void MainWindow::notifyAbout(const QList<Message> &messages, bool initial)
{
    for (const Message &message : messages) {
        const NotificationDecision decision = decideNotification(
            message, {.ownName = m_config.name, .currentRoom = m_room, .windowActive = isActiveWindow(), .initialPage = initial},
            m_notificationSettings);
        if (decision.desktop)
            m_notifier->show(decision.room, decision.title, decision.body);
    }
}

void MainWindow::markRead()
{
    RoomState &state = m_rooms[m_room];
    state.lastReadId = std::max({state.lastReadId, state.timeline.newestId(), state.lastKnownId});
}

void MainWindow::loadOlder()
{
    RoomState &state = m_rooms[m_room];
    if (!state.loaded || state.loadingOlder || !state.timeline.hasOlder())
        return;
    state.loadingOlder = true;
    render();
    const QString room = m_room;
    fetchOlderMessages(m_api, room, state.timeline.oldestId(), Poller::pageLimit, this,
                       [this, room](bool, const QList<Message> &older) {
        RoomState &target = m_rooms[room];
        target.loadingOlder = false;
        target.timeline.merge(older);
        if (room == m_room)
            render(MessageView::Placement::OlderAddedAbove);
    });
}

void MainWindow::render(MessageView::Placement placement)
{
    const RoomState &state = m_rooms[m_room];
    m_messageView->showHtml(
        m_renderer->html(m_room, state.timeline, state.loadingOlder, m_outbox->pendingIn(m_room)),
        placement);
}

void MainWindow::showExchange(const Exchange &exchange)
{
    m_protocolPanel->record(exchange);
    // A held poll that timed out says nothing new; the status bar keeps the last event
    // people care about unless nothing else has happened.
    m_exchangeLabel->setText(QStringLiteral("● ") + exchange.summary());
    QPalette palette = m_exchangeLabel->palette();
    palette.setColor(QPalette::WindowText, colourFor(exchange.outcome()));
    m_exchangeLabel->setPalette(palette);
}

void MainWindow::askForPassword(const QString &reason)
{
    m_passwordDialog->ask(reason);
}

void MainWindow::showSessionActions()
{
    m_signInAction->setEnabled(m_session->state() == Session::State::Declined);
    m_signOutAction->setEnabled(m_session->state() == Session::State::SignedIn);
}

void MainWindow::showConnection()
{
    switch (m_session->state()) {
    case Session::State::Asking:
    case Session::State::SigningIn:
        setConnectionText(tr("Signing in to %1…").arg(m_config.serverLabel), QString(), false);
        return;
    case Session::State::Declined:
        setConnectionText(tr("Not signed in: %1 needs a password (Chat ▸ Sign In…)")
                              .arg(m_config.serverLabel),
                          QString(), true);
        return;
    case Session::State::Throttled:
        setConnectionText(tr("Not signed in: %1").arg(m_session->throttleMessage()), QString(), true);
        return;
    case Session::State::Open:
    case Session::State::SignedIn:
        break;
    }
    if (m_online) {
        const QString mode = m_poller->isLongPolling()
                                 ? tr("long poll")
                                 : tr("polling every %1 ms").arg(*m_config.pollIntervalMs);
        setConnectionText(tr("%1 at %2 · %3").arg(m_config.name, m_config.serverLabel, mode),
                          QString(), false);
    } else if (!m_certificateProblem.isEmpty()) {
        setConnectionText(tr("Not connected to %1: %2").arg(m_config.serverLabel, m_certificateProblem),
                          m_certificateProblem, true);
    } else {
        setConnectionText(tr("Offline: %1 does not answer; retrying in %2 s")
                              .arg(m_config.serverLabel)
                              .arg(std::max(1, (m_retryInMs + 999) / 1000)),
                          m_offlineReason, true);
    }
}

void MainWindow::setConnectionText(const QString &text, const QString &toolTip, bool alarming)
{
    m_connectionLabel->setText(text);
    m_connectionLabel->setToolTip(toolTip);
    m_connectionLabel->setStyleSheet(alarming ? QStringLiteral("color: #c62828; font-weight: bold;")
                                              : QString());
}

void MainWindow::onRoomsUpdated(const QList<RoomOverview> &rooms)
{
    // A set, not m_roomOrder.contains(): a server may list thousands of rooms.
    QSet<QString> listed(m_roomOrder.cbegin(), m_roomOrder.cend());
    for (const RoomOverview &summary : rooms) {
        RoomState &state = m_rooms[summary.name];
        // A room seen for the first time starts read: only what comes later is news.
        if (!listed.contains(summary.name)) {
            listed.insert(summary.name);
            m_roomOrder.append(summary.name);
            state.lastReadId = summary.lastId;
        }
        state.lastKnownId = std::max(state.lastKnownId, summary.lastId);
    }
    if (m_rooms.contains(m_room) && m_messageView->isAtBottom())
        markRead();
    showRooms();
}

void MainWindow::showCharacterCount()
{
    // Only near the limit: a count under every short message would be noise.
    constexpr qsizetype shownFrom = Limits::maxTextCharacters - 500;
    const qsizetype count = characterCount(m_composer->toPlainText());
    m_characterCounter->setVisible(count >= shownFrom);
    if (count < shownFrom)
        return;
    const QLocale locale;
    m_characterCounter->setText(tr("%1 / %2").arg(locale.toString(count), locale.toString(Limits::maxTextCharacters)));
    const bool over = count > Limits::maxTextCharacters;
    m_characterCounter->setStyleSheet(over ? QStringLiteral("color: #b71c1c; font-weight: bold;") : QString());
    m_characterCounter->setToolTip(over ? tr("%n character(s) too many: the server will refuse it.", nullptr,
                                             int(count - Limits::maxTextCharacters))
                                        : tr("The server takes at most %1 characters.")
                                              .arg(locale.toString(Limits::maxTextCharacters)));
}

void MainWindow::switchRoomBy(int step)
{
    const int count = m_roomList->count();
    if (count == 0)
        return;
    const int row = m_roomList->currentRow() < 0 ? 0 : m_roomList->currentRow();
    const int next = ((row + step) % count + count) % count; // round the list, both ways
    switchToRoom(m_roomList->item(next)->data(roomNameRole).toString());
}

void MainWindow::showRooms()
{
    QStringList names = m_roomOrder;
    names.sort();
    const QSignalBlocker blocker(m_roomList);
    m_roomList->clear();
    qint64 unreadTotal = 0;
    for (const QString &name : names) {
        const RoomState &state = m_rooms[name];
        const qint64 unread = name == m_room ? 0 : std::max<qint64>(0, state.lastKnownId - state.lastReadId);
        unreadTotal += countsInUnreadTotal(name, m_notificationSettings) ? unread : 0;
        auto *item = new QListWidgetItem(unread > 0 ? tr("#%1  (%2)").arg(name).arg(unread)
                                                    : QStringLiteral("#") + name);
        item->setData(roomNameRole, name);
        if (unread > 0) {
            QFont bold = item->font();
            bold.setBold(true);
            item->setFont(bold);
            item->setToolTip(tr("%n unread message(s)", nullptr, int(unread)));
        }
        m_roomList->addItem(item);
        if (name == m_room)
            m_roomList->setCurrentItem(item);
    }
    setWindowTitle(titleWithUnread(tr("#%1 — %2 at %3 — ChatApp").arg(m_room, m_config.name, m_config.serverLabel), unreadTotal));
}
