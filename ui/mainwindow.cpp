#include "mainwindow.h"

#include "client/apiclient.h"
#include "client/chatclient.h"
#include "client/desktopnotifier.h"
#include "client/exchangelog.h"
#include "client/messagemodel.h"
#include "client/notificationpolicy.h"
#include "client/notifications.h"
#include "client/roomlistmodel.h"
#include "client/session.h"
#include "composemodebar.h"
#include "composer.h"
#include "connectdialog.h"
#include "core/messagedraft.h"
#include "core/roomname.h"
#include "exchangecolours.h"
#include "messagelistview.h"
#include "passworddialog.h"
#include "placeholderfit.h"
#include "protocolpanel.h"
#include "roomlistdelegate.h"
#include "searchpanel.h"
#include "settingsdialog.h"
#include "traynotification.h"
#include "typingindicator.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStringListModel>
#include <QTimer>
#include <QVBoxLayout>

namespace {
constexpr int leaveGraceMs = 500;
}

MainWindow::MainWindow(const ChatConfig &config, const LaunchOptions &options, QWidget *parent)
    : QMainWindow(parent), m_options(options)
{
    setObjectName(QStringLiteral("chatWindow"));
    auto *notifier = new DesktopNotifier(this);
    notifier->setFallback(new TrayNotification(QApplication::windowIcon()));
    m_notifications = new Notifications(notifier, this);
    connect(m_notifications, &Notifications::alertWanted, this, [this] { QApplication::alert(this); });
    connect(m_notifications, &Notifications::roomActivated, this, [this](const RoomName &room) {
        // A click on a notification: that room, in a window brought to the front.
        m_client->openRoom(room);
        setWindowState(windowState() & ~Qt::WindowMinimized);
        raise();
        activateWindow();
    });
    buildWidgets();
    buildMenus();
    attach(new ChatClient(config, this));
    m_composer->setFocus();
}

MainWindow::~MainWindow() = default;

QString MainWindow::currentRoom() const
{
    return m_client->currentRoom().value();
}

void MainWindow::switchToRoom(const QString &room)
{
    if (const auto name = RoomName::parse(room))
        m_client->openRoom(*name);
}

void MainWindow::buildWidgets()
{
    auto *roomsPane = new QWidget;
    auto *roomsLayout = new QVBoxLayout(roomsPane);
    roomsLayout->setContentsMargins(6, 6, 0, 6);
    m_roomsLabel = new QLabel(tr("&Rooms"));
    m_roomList = new QListView;
    m_roomList->setObjectName(QStringLiteral("roomList"));
    m_roomList->setAccessibleName(tr("Rooms"));
    m_roomList->setItemDelegate(new RoomListDelegate(m_roomList));
    m_roomList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_roomList->setUniformItemSizes(true);
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
    m_memberList = new QListView;
    m_memberList->setObjectName(QStringLiteral("memberList"));
    m_memberList->setAccessibleName(tr("People online in this room"));
    m_memberList->setEditTriggers(QAbstractItemView::NoEditTriggers);
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

    // Trouble with the connection is said where people look, above the messages, in
    // full: the status bar cuts it off in a narrow window.
    m_banner = new QWidget;
    m_banner->setObjectName(QStringLiteral("connectionBanner"));
    m_banner->setAttribute(Qt::WA_StyledBackground);
    m_banner->setStyleSheet(QStringLiteral("#connectionBanner { background: #fdecea; border-radius: 4px; }"
                                           "#connectionBanner QLabel { color: #b71c1c; }"));
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->setContentsMargins(8, 6, 8, 6);
    m_bannerText = new QLabel;
    m_bannerText->setObjectName(QStringLiteral("connectionBannerText"));
    m_bannerText->setWordWrap(true);
    m_bannerButton = new QPushButton;
    m_bannerButton->setObjectName(QStringLiteral("connectionBannerButton"));
    bannerLayout->addWidget(m_bannerText, 1);
    bannerLayout->addWidget(m_bannerButton);
    m_banner->hide();

    m_olderLabel = new QLabel(tr("Loading older messages…"));
    m_olderLabel->setObjectName(QStringLiteral("loadingOlder"));
    m_olderLabel->setAlignment(Qt::AlignCenter);
    m_olderLabel->setStyleSheet(QStringLiteral("color: #757575;"));
    m_olderLabel->hide();

    m_messageView = new MessageListView;
    m_messageView->setObjectName(QStringLiteral("messageView"));
    m_messageView->setAccessibleName(tr("Messages"));
    m_emptyState = new QLabel;
    m_emptyState->setObjectName(QStringLiteral("emptyState"));
    m_emptyState->setAlignment(Qt::AlignCenter);
    m_emptyState->setWordWrap(true);
    m_emptyState->setStyleSheet(QStringLiteral("color: #757575; background: palette(base);"));
    m_messageStack = new QStackedWidget;
    m_messageStack->addWidget(m_messageView);
    m_messageStack->addWidget(m_emptyState);
    m_typingIndicator = new TypingIndicator;
    m_typingIndicator->setObjectName(QStringLiteral("typingIndicator"));

    m_errorLabel = new QLabel;
    m_errorLabel->setObjectName(QStringLiteral("sendError"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet(QStringLiteral("color: #b71c1c;"));
    m_errorLabel->hide();
    m_composer = new Composer;
    m_composer->setObjectName(QStringLiteral("composer"));
    m_composeMode = new ComposeModeBar;
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
    chatLayout->addWidget(m_banner);
    chatLayout->addWidget(m_olderLabel);
    chatLayout->addWidget(m_messageStack, 1);
    chatLayout->addWidget(m_typingIndicator);
    chatLayout->addWidget(m_errorLabel);
    chatLayout->addWidget(m_composeMode);
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

    // One log for the window, whichever server it talks to: the class replays the session.
    m_exchangeLog = new ExchangeLog(this);
    m_protocolPanel = new ProtocolPanel(m_exchangeLog, this);
    addDockWidget(Qt::BottomDockWidgetArea, m_protocolPanel);
    m_protocolPanel->hide();
    m_searchPanel = new SearchPanel(this);
    addDockWidget(Qt::RightDockWidgetArea, m_searchPanel);
    m_searchPanel->hide();
    connect(m_searchPanel, &SearchPanel::searchRequested, this,
            [this](const QString &text, bool currentRoomOnly) { m_client->search(text, currentRoomOnly); });
    connect(m_searchPanel, &SearchPanel::resultActivated, this, [this](const QString &room, qint64 id) {
        if (const auto name = RoomName::parse(room))
            m_client->showMessage(*name, id);
    });

    setTabOrder(m_composer, m_sendButton);
    setTabOrder(m_sendButton, m_roomList);
    setTabOrder(m_roomList, m_joinEdit);
    setTabOrder(m_joinEdit, m_joinButton);
    // Who is online is read with the keyboard too (a screen reader reads the list).
    setTabOrder(m_joinButton, m_memberList);
    setTabOrder(m_memberList, m_messageView);

    connect(m_composer, &Composer::submitted, this, &MainWindow::send);
    connect(m_composer, &Composer::editLastWanted, this, [this] {
        if (const MessageId last = m_client->messages()->lastEditableId())
            startEditing(last);
    });
    connect(m_composer, &Composer::cancelWanted, this, &MainWindow::endComposeMode);
    connect(m_composeMode, &ComposeModeBar::cancelled, this, &MainWindow::endComposeMode);
    connect(m_messageView, &MessageListView::replyWanted, this, &MainWindow::startReplying);
    connect(m_messageView, &MessageListView::editWanted, this, &MainWindow::startEditing);
    connect(m_messageView, &MessageListView::deleteWanted, this, &MainWindow::confirmDelete);
    connect(m_messageView, &MessageListView::reactionToggled, this,
            [this](MessageId id, const QString &emoji) { m_client->toggleReaction(id, emoji); });
    connect(m_messageView, &MessageListView::quoteClicked, this, [this](MessageId id) { m_client->jumpToMessage(id); });
    connect(m_sendButton, &QPushButton::clicked, this, &MainWindow::send);
    connect(m_joinButton, &QPushButton::clicked, this, &MainWindow::joinRoomFromEdit);
    connect(m_joinEdit, &QLineEdit::returnPressed, this, &MainWindow::joinRoomFromEdit);
    connect(m_roomList, &QListView::activated, this, [this](const QModelIndex &index) {
        switchToRoom(index.data(RoomListModel::NameRole).toString());
    });
    connect(m_messageView, &MessageListView::olderWanted, this, [this] { m_client->loadOlder(); });
    connect(m_messageView, &MessageListView::atBottomChanged, this, &MainWindow::updateReading);
    connect(m_bannerButton, &QPushButton::clicked, this, [this] {
        if (m_client->status().connection == ChatClient::Connection::SignInDeclined)
            m_client->askSignInAgain();
        else
            connectToAnotherServer();
    });
    // An error is about the text that was refused: once that is gone, so is the error.
    connect(m_composer, &QPlainTextEdit::textChanged, this, [this] {
        if (m_composer->document()->isEmpty())
            m_errorLabel->hide();
        showCharacterCount();
        if (m_client)
            m_client->composerEdited(m_composer->toPlainText());
    });

    // Below this the room list, the messages and the composer no longer fit side by side.
    setMinimumSize(520, 380);
    resize(960, 680);
}

void MainWindow::buildMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(m_protocolPanel->exportAction());

    m_chatMenu = menuBar()->addMenu(tr("&Chat"));
    QAction *join = m_chatMenu->addAction(tr("&Join or Create Room…"), this, [this] {
        m_joinEdit->setFocus();
        m_joinEdit->selectAll();
    });
    join->setShortcut(QKeySequence(tr("Ctrl+K")));
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
    QAction *another = m_chatMenu->addAction(tr("Connect to Another &Server…"), this, &MainWindow::connectToAnotherServer);
    another->setObjectName(QStringLiteral("connectAnotherAction"));
    another->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    QAction *rename = m_chatMenu->addAction(tr("Change &Name…"), this, &MainWindow::changeName);
    rename->setObjectName(QStringLiteral("changeNameAction"));
    m_signInAction = m_chatMenu->addAction(tr("Sign &In…"), this, [this] { m_client->askSignInAgain(); });
    m_signInAction->setObjectName(QStringLiteral("signInAction"));
    m_signOutAction = m_chatMenu->addAction(tr("Sign &Out"), this, [this] { m_client->signOut(); });
    m_signOutAction->setObjectName(QStringLiteral("signOutAction"));
    m_chatMenu->addSeparator();
    QAction *settings = m_chatMenu->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    settings->setObjectName(QStringLiteral("settingsAction"));
    // Ctrl+, as in most applications, besides the platform's own Preferences key if it has
    // another; never twice, or Qt finds the shortcut ambiguous and triggers nothing.
    QList<QKeySequence> settingsKeys = QKeySequence::keyBindings(QKeySequence::Preferences);
    if (!settingsKeys.contains(QKeySequence(Qt::CTRL | Qt::Key_Comma)))
        settingsKeys.prepend(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settings->setShortcuts(settingsKeys);
    QAction *quit = m_chatMenu->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    QAction *find = m_viewMenu->addAction(tr("&Find Messages…"), this, [this] { m_searchPanel->focusSearch(); });
    find->setObjectName(QStringLiteral("findAction"));
    find->setShortcut(QKeySequence::Find);
    QAction *latest = m_viewMenu->addAction(tr("Jump to &Latest Message"), this, [this] { m_messageView->scrollToLatest(); });
    latest->setObjectName(QStringLiteral("jumpToLatestAction"));
    // Wherever the focus is: the composer, where it usually is, has no use for it.
    latest->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_End));
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
    m_helpMenu->addAction(tr("&About ChatApp"), this, [this] {
        QMessageBox::about(this, tr("About ChatApp"),
                           tr("<p><b>ChatApp %1</b></p><p>A small group chat that speaks plain "
                              "HTTP. Every send is a POST, every update a GET; the status bar "
                              "and the Protocol panel show each exchange.</p>")
                               .arg(QStringLiteral(CHATAPP_VERSION)));
    });
}

void MainWindow::attach(ChatClient *client)
{
    ChatClient *old = m_client;
    m_client = client;
    QItemSelectionModel *oldRoomSelection = m_roomList->selectionModel();
    QItemSelectionModel *oldMemberSelection = m_memberList->selectionModel();
    QItemSelectionModel *oldMessageSelection = m_messageView->selectionModel();
    m_roomList->setModel(client->rooms());
    m_memberList->setModel(client->members());
    m_messageView->setModel(client->messages());
    // setModel() leaves the old selection models to their owner, which is us.
    delete oldRoomSelection;
    delete oldMemberSelection;
    delete oldMessageSelection;
    if (old) {
        old->disconnect(this);
        // Off the old server's Online list: its leave gets a moment before the client goes.
        old->leaveCurrentRoom();
        QTimer::singleShot(leaveGraceMs, old, &QObject::deleteLater);
    }

    delete m_passwordDialog;
    m_passwordDialog = new PasswordDialog(client->config().serverLabel, this);
    connect(m_passwordDialog, &QDialog::accepted, client, [this] {
        m_client->signIn(m_passwordDialog->password(), m_passwordDialog->remember());
        m_passwordDialog->clearPassword();
    });
    connect(m_passwordDialog, &QDialog::rejected, client, &ChatClient::declineSignIn);

    connect(m_roomList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) {
        const QString room = current.data(RoomListModel::NameRole).toString();
        if (!room.isEmpty() && room != currentRoom())
            switchToRoom(room);
    });
    // The current room stays the current row wherever rooms are listed around it.
    connect(client->rooms(), &QAbstractItemModel::rowsInserted, this, &MainWindow::showRoom);
    connect(client->members(), &QAbstractItemModel::modelReset, this, [this] {
        const int count = m_client->members()->rowCount();
        m_membersLabel->setText(count > 0 ? tr("Online (%1)").arg(count) : tr("Online"));
    });
    connect(client->messages(), &QAbstractItemModel::modelReset, this, &MainWindow::showEmptyState);
    connect(client->messages(), &QAbstractItemModel::rowsInserted, this, &MainWindow::showEmptyState);
    connect(client->messages(), &QAbstractItemModel::rowsRemoved, this, &MainWindow::showEmptyState);
    connect(client->api(), &ApiClient::exchangeFinished, this, &MainWindow::showExchange);
    connect(client->api(), &ApiClient::exchangeFinished, m_exchangeLog, &ExchangeLog::append);
    connect(client, &ChatClient::currentRoomChanged, this, &MainWindow::showRoom);
    // An edit or reply is about a message of the room that was shown.
    connect(client, &ChatClient::currentRoomChanged, this, &MainWindow::endComposeMode);
    connect(client, &ChatClient::roomStateChanged, this, [this] {
        m_olderLabel->setVisible(m_client->isLoadingOlder());
        showEmptyState();
    });
    connect(client, &ChatClient::statusChanged, this, &MainWindow::showStatus);
    connect(client, &ChatClient::passwordNeeded, m_passwordDialog, &PasswordDialog::ask);
    connect(client, &ChatClient::sendRefused, this, &MainWindow::onRefused);
    connect(client, &ChatClient::errorOccurred, this, &MainWindow::showError);
    connect(client, &ChatClient::unreadTotalChanged, this, &MainWindow::showTitle);
    connect(client, &ChatClient::nameChanged, this, &MainWindow::showTitle);
    connect(client, &ChatClient::typingChanged, m_typingIndicator, &TypingIndicator::showTyping);
    m_typingIndicator->showTyping(client->typing());

    m_searchPanel->setResults(client->searchResults());
    connect(client, &ChatClient::messageShown, this, [this](int row) {
        m_messageView->showRow(row);
        updateReading();
    });
    connect(client, &ChatClient::messageOutOfReach, this, [this](const RoomName &room, MessageId) {
        showError(tr("That message is no longer in #%1.").arg(room.value()));
    });
    m_notifications->attach(client);
    m_notifications->setWindowActive(isActiveWindow());
    client->setReading(isActiveWindow() && m_messageView->isAtBottom());
    client->start();
    showStatus();
}

void MainWindow::showRoom()
{
    const RoomName room = m_client->currentRoom();
    const int row = m_client->rooms()->rowOf(room);
    if (row >= 0 && m_roomList->currentIndex().row() != row) {
        const QSignalBlocker blocker(m_roomList->selectionModel());
        m_roomList->setCurrentIndex(m_client->rooms()->index(row));
        m_roomList->viewport()->update();
    }
    m_roomTitle->setText(QStringLiteral("#") + room.value());
    m_membersLabel->setText(tr("Online"));
    m_olderLabel->setVisible(m_client->isLoadingOlder());
    showTitle();
    showEmptyState();
}

void MainWindow::showTitle()
{
    const qint64 unread = m_client->unreadTotal();
    const QString title = tr("#%1 — %2 at %3 — ChatApp")
                              .arg(m_client->currentRoom().value(), m_client->name(), m_client->config().serverLabel);
    setWindowTitle(titleWithUnread(title, m_notifications->settings().unreadInTitle ? unread : 0));
}

void MainWindow::showEmptyState()
{
    const bool empty = m_client->messages()->rowCount() == 0;
    m_messageStack->setCurrentWidget(empty ? static_cast<QWidget *>(m_emptyState) : m_messageView);
    if (!empty)
        return;
    const QString room = m_client->currentRoom().value();
    const ChatClient::Status status = m_client->status();
    // "Say hello" only to someone who can: the banner above says what is wrong otherwise.
    QString text;
    if (status.connection == ChatClient::Connection::SignInDeclined)
        text = tr("Sign in to read #%1 (Chat ▸ Sign In…).").arg(room);
    else if (status.alarming)
        text = tr("The messages of #%1 appear here once %2 answers.").arg(room, m_client->config().serverLabel);
    else if (m_client->isRoomLoaded())
        text = tr("No messages in #%1 yet. Say hello!").arg(room);
    else
        text = tr("Loading #%1…").arg(room);
    m_emptyState->setText(text);
}

void MainWindow::showStatus()
{
    const ChatClient::Status status = m_client->status();
    m_connectionLabel->setText(status.text);
    m_connectionLabel->setToolTip(status.detail.isEmpty() ? status.text : status.detail);
    m_connectionLabel->setStyleSheet(status.alarming ? QStringLiteral("color: #c62828; font-weight: bold;") : QString());
    m_banner->setVisible(status.alarming);
    m_bannerText->setText(status.text);
    m_bannerText->setToolTip(status.detail);
    const bool signIn = status.connection == ChatClient::Connection::SignInDeclined;
    const bool elsewhere = status.connection == ChatClient::Connection::Unreachable
                        || status.connection == ChatClient::Connection::CertificateRejected;
    m_bannerButton->setText(signIn ? tr("Sign In…") : tr("Connect to Another Server…"));
    m_bannerButton->setVisible(signIn || elsewhere);
    m_signInAction->setEnabled(m_client->session()->state() == Session::State::Declined);
    m_signOutAction->setEnabled(m_client->session()->state() == Session::State::SignedIn);
    showEmptyState();
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
                .arg(tr("New line in the message").toHtmlEscaped(), tr("Shift+Enter"))
          + QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>")
                .arg(tr("Edit your last message (in an empty composer)").toHtmlEscaped(), tr("Up"))
          + QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>")
                .arg(tr("Cancel an edit or a reply").toHtmlEscaped(), tr("Esc"));
    QMessageBox box(QMessageBox::NoIcon, tr("Keyboard Shortcuts"),
                    QStringLiteral("<table cellspacing=\"6\">%1</table>").arg(rows), QMessageBox::Close, this);
    box.setObjectName(QStringLiteral("shortcutsDialog"));
    box.setTextFormat(Qt::RichText);
    box.exec();
}

bool MainWindow::mayDropPending(const QString &question)
{
    // The outbox lives in memory: closing the client now would drop what the user believes sent.
    if (m_client->pendingCount() == 0)
        return true;
    const auto answer = QMessageBox::question(this, tr("Messages not sent yet"), question,
                                              QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
    return answer == QMessageBox::Discard;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    const int pending = int(m_client->pendingCount());
    if (!mayDropPending(tr("%n message(s) have not reached the server yet and will be lost if you quit. "
                           "Quit anyway?", nullptr, pending))) {
        event->ignore();
        return;
    }
    m_client->leaveCurrentRoom(); // sent by finishLeaving() as the app quits
    event->accept();
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::ActivationChange) {
        m_notifications->setWindowActive(isActiveWindow());
        updateReading();
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::updateReading()
{
    // Only what a person can have seen is read: in a window in front, at the newest message.
    m_client->setReading(isActiveWindow() && m_messageView->isAtBottom());
}

void MainWindow::connectToAnotherServer()
{
    ConnectDialog dialog(this);
    LaunchOptions shown = m_options;
    shown.server = ServerAddress::parse(m_client->config().serverLabel);
    shown.name = m_client->name();
    shown.room = m_client->currentRoom().value();
    dialog.setInitial(shown);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (!mayDropPending(tr("%n message(s) have not reached %1 yet and will be lost if you connect elsewhere. "
                           "Connect anyway?", nullptr, int(m_client->pendingCount()))
                            .arg(m_client->config().serverLabel)))
        return;
    LaunchOptions options = m_options;
    // A password from --password-file belongs to the server it was given for.
    if (!m_options.server || !(dialog.server() == *m_options.server))
        options.password.clear();
    attach(new ChatClient(chatConfigFor(dialog.server(), dialog.name(), dialog.room(), options), this));
    m_errorLabel->hide();
}

void MainWindow::changeName()
{
    QInputDialog dialog(this);
    dialog.setObjectName(QStringLiteral("changeNameDialog"));
    dialog.setWindowTitle(tr("Change Name"));
    dialog.setLabelText(tr("Your name, as others will see it:"));
    dialog.setTextValue(m_client->name());
    if (dialog.exec() != QDialog::Accepted)
        return;
    const auto name = normalisedPersonName(dialog.textValue());
    if (!name || name->isEmpty()) {
        showError(tr("“%1” cannot be a name: use 1 to %2 characters, without line breaks or control characters.")
                      .arg(dialog.textValue())
                      .arg(Limits::maxAuthorCharacters));
        return;
    }
    m_client->setName(*name);
}

void MainWindow::send()
{
    const QString text = m_composer->toPlainText();
    if (m_composeMode->mode() == ComposeModeBar::Mode::Editing) {
        const MessageId id = m_composeMode->target();
        const int row = m_client->messages()->rowOfMessage(id);
        // Emptied, as in Slack: the message goes, once the user confirms.
        if (text.trimmed().isEmpty()) {
            confirmDelete(id);
            return;
        }
        if (row >= 0 && m_client->messages()->index(row).data(MessageModel::TextRole).toString() != text)
            m_client->editMessage(id, text);
        endComposeMode();
        return;
    }
    if (text.trimmed().isEmpty())
        return;
    const MessageId replyTo = m_composeMode->mode() == ComposeModeBar::Mode::Replying ? m_composeMode->target() : 0;
    m_composer->clear();
    m_composeMode->clear();
    m_errorLabel->hide();
    m_client->send(text, replyTo);
    // Whoever sends wants to see the message go out, wherever they had scrolled.
    m_messageView->scrollToLatest();
}

void MainWindow::startEditing(MessageId id)
{
    const int row = m_client->messages()->rowOfMessage(id);
    if (row < 0)
        return;
    if (m_composeMode->mode() != ComposeModeBar::Mode::Editing)
        m_draftBeforeEdit = m_composer->toPlainText();
    m_composeMode->showEditing(id);
    m_messageView->setEditing(id);
    m_composer->setPlainText(m_client->messages()->index(row).data(MessageModel::TextRole).toString());
    m_composer->moveCursor(QTextCursor::End);
    m_composer->setFocus();
}

void MainWindow::startReplying(MessageId id)
{
    const int row = m_client->messages()->rowOfMessage(id);
    if (row < 0)
        return;
    if (m_composeMode->mode() == ComposeModeBar::Mode::Editing)
        endComposeMode();
    const QModelIndex index = m_client->messages()->index(row);
    const QString text = index.data(MessageModel::TextRole).toString();
    m_composeMode->showReplying(id, index.data(MessageModel::AuthorRole).toString(), text.section(u'\n', 0, 0));
    m_composer->setFocus();
}

void MainWindow::endComposeMode()
{
    if (m_composeMode->mode() == ComposeModeBar::Mode::Editing) {
        m_composer->setPlainText(m_draftBeforeEdit);
        m_composer->moveCursor(QTextCursor::End);
        m_draftBeforeEdit.clear();
    }
    m_composeMode->clear();
    m_messageView->setEditing(0);
}

void MainWindow::confirmDelete(MessageId id)
{
    QMessageBox box(QMessageBox::Warning, tr("Delete Message"),
                    tr("Delete this message for everyone? This cannot be undone."), QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("deleteMessageDialog"));
    QPushButton *remove = box.addButton(tr("Delete"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmDeleteButton"));
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != remove)
        return;
    if (m_composeMode->mode() == ComposeModeBar::Mode::Editing && m_composeMode->target() == id)
        endComposeMode();
    m_client->deleteMessage(id);
}

void MainWindow::onRefused(const QString &text, const QString &message, const QString &serverDetail)
{
    showError(tr("Not sent: %1").arg(message), serverDetail);
    // What was typed is never lost: it goes back into the composer to be fixed.
    const QString current = m_composer->toPlainText();
    m_composer->setPlainText(current.isEmpty() ? text : text + u'\n' + current);
    m_composer->moveCursor(QTextCursor::End);
}

void MainWindow::openSettings()
{
    QStringList rooms;
    for (int row = 0; row < m_client->rooms()->rowCount(); ++row)
        rooms.append(m_client->rooms()->roomAt(row).value());
    auto *dialog = new SettingsDialog(m_client->serverKey(), rooms, m_client->name(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_notifications->setSettings(dialog->settings());
        showTitle();
    });
    dialog->open();
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

void MainWindow::showExchange(const Exchange &exchange)
{
    m_exchangeLabel->setText(QStringLiteral("● ") + exchange.summary());
    QPalette palette = m_exchangeLabel->palette();
    palette.setColor(QPalette::WindowText, colourFor(exchange.outcome()));
    m_exchangeLabel->setPalette(palette);
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
    const RoomListModel *rooms = m_client->rooms();
    const int count = rooms->rowCount();
    if (count == 0)
        return;
    const int row = std::max(0, rooms->rowOf(m_client->currentRoom()));
    const int next = ((row + step) % count + count) % count; // round the list, both ways
    m_client->openRoom(rooms->roomAt(next));
}

void MainWindow::finishLeaving(int maxMs)
{
    m_client->finishLeaving(maxMs);
}
