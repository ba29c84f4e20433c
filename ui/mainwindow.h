#pragma once

#include "client/directory.h"
#include "client/exchange.h"
#include "client/notificationsettings.h"
#include "client/timeline.h"
#include "messageview.h"

#include <QHash>
#include <QMainWindow>
#include <QSslCertificate>
#include <QUrl>

#include <optional>

class ApiClient;
class Composer;
class DesktopNotifier;
class MessageRenderer;
class Outbox;
class PasswordDialog;
class Poller;
class ProtocolPanel;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class RoomWatch;
class Session;
struct ApiResult;
struct OutgoingMessage;

// Who the window talks to and as whom.
struct ChatConfig
{
    QUrl serverUrl;
    QString serverLabel; // "203.0.113.7:3550", for people
    QString name;
    QString room = QStringLiteral("general");
    std::optional<int> pollIntervalMs; // unset: long poll
    QString password; // from --password-file: tried before asking, when the server wants one
    QList<QSslCertificate> caCertificates; // from --ca-file
};

// The chat window. It shows what the client classes report and forwards what the user
// does to them; it never speaks HTTP itself.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(const ChatConfig &config, QWidget *parent = nullptr);
    ~MainWindow() override;

    QString currentRoom() const { return m_room; }
    void switchToRoom(const QString &room);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    struct RoomState
    {
        Timeline timeline;
        MessageId lastReadId = 0;
        MessageId lastKnownId = 0;
        bool loaded = false;
        bool loadingOlder = false;
    };

    void buildWidgets();
    void buildMenus();
    void send();
    void joinRoomFromEdit();
    void loadOlder();
    void render(MessageView::Placement placement = MessageView::Placement::KeepReaderPlace);
    void showExchange(const Exchange &exchange);
    void showConnection();
    void setConnectionText(const QString &text, const QString &toolTip, bool alarming);
    void askForPassword(const QString &reason);
    void showSessionActions();
    void showRooms();
    // To the room `step` rows below the current one in the room list (above if negative).
    void switchRoomBy(int step);
    // Characters typed against the server's limit, shown as the limit comes near.
    void showCharacterCount();
    // Help > Keyboard Shortcuts: every shortcut of the menus, and the composer's keys.
    void showShortcuts();
    void showError(const QString &message, const QString &serverDetail = QString());
    void onMessages(const QString &room, const QList<Message> &messages, MessageId lastId,
                    bool initial);
    void onDelivered(const OutgoingMessage &sent, const Message &stored);
    void onRefused(const OutgoingMessage &message, const ApiResult &result);
    void onRoomsUpdated(const QList<RoomOverview> &rooms);
    void markRead();
    void notifyAbout(const QList<Message> &messages, bool initial);
    void follow(const QString &room);

    ChatConfig m_config;
    QString m_room;
    QHash<QString, RoomState> m_rooms;
    QStringList m_roomOrder; // every room the window knows exists

    bool m_online = true;
    QString m_offlineReason;
    QString m_certificateProblem; // until the server answers again
    int m_retryInMs = 0;

    ApiClient *m_api;
    Poller *m_poller;
    Outbox *m_outbox;
    Directory *m_directory;
    Session *m_session;
    MessageRenderer *m_renderer;
    DesktopNotifier *m_notifier;
    RoomWatch *m_roomWatch;
    NotificationSettings m_notificationSettings;
    PasswordDialog *m_passwordDialog = nullptr;

    QListWidget *m_roomList = nullptr;
    QLineEdit *m_joinEdit = nullptr;
    QPushButton *m_joinButton = nullptr;
    QListWidget *m_memberList = nullptr;
    QLabel *m_roomsLabel = nullptr;
    QLabel *m_membersLabel = nullptr;
    QLabel *m_roomTitle = nullptr;
    MessageView *m_messageView = nullptr;
    QLabel *m_errorLabel = nullptr;
    QLabel *m_characterCounter = nullptr;
    Composer *m_composer = nullptr;
    QPushButton *m_sendButton = nullptr;
    QLabel *m_exchangeLabel = nullptr;
    QLabel *m_connectionLabel = nullptr;
    ProtocolPanel *m_protocolPanel = nullptr;
    QMenu *m_chatMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_joinAction = nullptr;
    QAction *m_signInAction = nullptr;
    QAction *m_signOutAction = nullptr;
};
