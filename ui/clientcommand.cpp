#include "clientcommand.h"

#include "client/chosenname.h"

#include "connectdialog.h"
#include "emojifont.h"
#include "mainwindow.h"
#include "translations.h"

#include <QApplication>
#include <QIcon>

#include <cstdio>
#include <vector>

namespace {
// argv for QApplication, which keeps pointers into it for its whole life.
class QtArgv
{
public:
    explicit QtArgv(const QStringList &arguments)
    {
        for (const QString &argument : arguments)
            m_storage.push_back(argument.toLocal8Bit());
        for (QByteArray &argument : m_storage)
            m_pointers.push_back(argument.data());
        m_pointers.push_back(nullptr);
        m_count = int(m_storage.size());
    }
    int &count() { return m_count; }
    char **values() { return m_pointers.data(); }

private:
    std::vector<QByteArray> m_storage;
    std::vector<char *> m_pointers;
    int m_count = 0;
};

void setApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ChatApp"));
    QCoreApplication::setApplicationName(QStringLiteral("chatapp"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CHATAPP_VERSION));
}

// Help, the version and a wrong command line are printed, and need no display:
// `chatapp --help` works over plain ssh too.
int printWithoutWindow(const QStringList &arguments, const LaunchRequest &first)
{
    QtArgv argv(first.qtArguments.mid(0, 1));
    QCoreApplication app(argv.count(), argv.values());
    setApplicationIdentity();
    installTranslations(app, first.options.language);
    const LaunchRequest request = parseLaunchArguments(arguments);
    if (request.action == LaunchRequest::Action::Fail) {
        std::fprintf(stderr, "chatapp: %s\n%s\n", qPrintable(request.message),
                     qPrintable(QCoreApplication::translate("ClientCommand",
                                                            "Try 'chatapp --help'.")));
        return 2;
    }
    std::fputs(qPrintable(request.message), stdout);
    return 0;
}

// The window opens connected when the command line says where; a name it did not give
// comes from the last session or the account, as the lab's client did.
std::optional<ChatConfig> configFromCommandLine(const LaunchOptions &options)
{
    if (!options.server)
        return std::nullopt;
    const QString name = chosenName(options.name);
    if (name.isEmpty())
        return std::nullopt;
    return chatConfigFor(*options.server, name, options.room, options);
}
} // namespace

int runClientCommand(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    const LaunchRequest request = parseLaunchArguments(arguments);
    if (request.action != LaunchRequest::Action::Run)
        return printWithoutWindow(arguments, request);

    QtArgv qtArgv(request.qtArguments);
    QApplication app(qtArgv.count(), qtArgv.values());
    setApplicationIdentity();
    QGuiApplication::setApplicationDisplayName(QStringLiteral("ChatApp"));
    QGuiApplication::setDesktopFileName(QStringLiteral("chatapp"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/chatapp.svg")));
    installTranslations(app, request.options.language);
    // Only the AppImage carries the file; elsewhere the machine's fonts are all there is.
    EmojiFont::useAsFallback(EmojiFont::bundledPath());

    std::optional<ChatConfig> config = configFromCommandLine(request.options);
    if (!config) {
        ConnectDialog dialog;
        dialog.setInitial(request.options);
        if (dialog.exec() != QDialog::Accepted)
            return 0;
        config = chatConfigFor(dialog.server(), dialog.name(), dialog.room(), request.options);
    }
    MainWindow window(*config, request.options);
    window.show();
    const int status = QApplication::exec();
    // Half a second at most: others see us leave at once, and quitting hardly waits.
    window.finishLeaving(500);
    return status;
}
