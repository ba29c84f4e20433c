#include "clientcommand.h"

#include <QApplication>
#include <QCommandLineParser>

int runClientCommand(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("chatapp"));
    QApplication::setApplicationVersion(QStringLiteral(CHATAPP_VERSION));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    return 0;
}
