#pragma once

#include "client/chatconfig.h"
#include "client/launchoptions.h"

#include <QMainWindow>

class ChatClient;
class ComposeModeBar;
class Composer;
class ExchangeLog;
class MessageListView;
class Notifications;
class PasswordDialog;
class ProtocolPanel;
class SearchPanel;
class TypingIndicator;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QStackedWidget;
struct Exchange;
struct Message;
using MessageId = qint64;

// The chat window: views over the models of a ChatClient, which it shows and to which
// it forwards what the user does. It keeps no chat state of its own.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // `options` are the command line's, for Chat > Connect to Another Server.
    explicit MainWindow(const ChatConfig &config, const LaunchOptions &options = {}, QWidget *parent = nullptr);
    ~MainWindow() override;

    ChatClient *client() const { return m_client; }
    QString currentRoom() const;
    void switchToRoom(const QString &room);
    // After the event loop ended: lets the leave sent on close go out, for at most maxMs.
    void finishLeaving(int maxMs);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildWidgets();
    void buildMenus();
    // Shows `client`'s models and follows its signals; the old client, if any, goes.
    void attach(ChatClient *client);
    void send();
    // Edit and reply take the composer: its bar says which, Esc goes back to writing.
    void startEditing(MessageId id);
    void startReplying(MessageId id);
    void endComposeMode();
    void confirmDelete(MessageId id);
    void joinRoomFromEdit();
    void connectToAnotherServer();
    void changeName();
    // Whether closing the client now would drop messages the user believes sent; asks.
    bool mayDropPending(const QString &question);
    void showRoom();
    void showExchange(const Exchange &exchange);
    void showStatus();
    void showEmptyState();
    void showTitle();
    void showSessionActions();
    void updateReading();
    void onRefused(const QString &text, const QString &message, const QString &serverDetail);
    // Chat > Settings: what notifies; saved by the dialog, applied here on OK.
    void openSettings();
    // To the room `step` rows below the current one in the room list (above if negative).
    void switchRoomBy(int step);
    // Characters typed against the server's limit, shown as the limit comes near.
    void showCharacterCount();
    // Help > Keyboard Shortcuts: every shortcut of the menus, and the composer's keys.
    void showShortcuts();
    void showError(const QString &message, const QString &serverDetail = QString());

    LaunchOptions m_options;
    ChatClient *m_client = nullptr;
    Notifications *m_notifications = nullptr;
    PasswordDialog *m_passwordDialog = nullptr;

    QListView *m_roomList = nullptr;
    QLineEdit *m_joinEdit = nullptr;
    QPushButton *m_joinButton = nullptr;
    QListView *m_memberList = nullptr;
    QLabel *m_roomsLabel = nullptr;
    QLabel *m_membersLabel = nullptr;
    QLabel *m_roomTitle = nullptr;
    QWidget *m_banner = nullptr;
    QLabel *m_bannerText = nullptr;
    QPushButton *m_bannerButton = nullptr;
    QLabel *m_olderLabel = nullptr;
    QStackedWidget *m_messageStack = nullptr;
    MessageListView *m_messageView = nullptr;
    TypingIndicator *m_typingIndicator = nullptr;
    QLabel *m_emptyState = nullptr;
    QLabel *m_errorLabel = nullptr;
    QLabel *m_characterCounter = nullptr;
    Composer *m_composer = nullptr;
    ComposeModeBar *m_composeMode = nullptr;
    QString m_draftBeforeEdit; // what was typed before an edit took the composer
    QPushButton *m_sendButton = nullptr;
    QLabel *m_exchangeLabel = nullptr;
    QLabel *m_connectionLabel = nullptr;
    ExchangeLog *m_exchangeLog = nullptr;
    ProtocolPanel *m_protocolPanel = nullptr;
    SearchPanel *m_searchPanel = nullptr;
    QMenu *m_chatMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_signInAction = nullptr;
    QAction *m_signOutAction = nullptr;
};
