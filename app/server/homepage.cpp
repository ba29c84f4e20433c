#include "homepage.h"

#include "pagetranslations.h"

#include <QLocale>

const QStringList HomePage::languages{QStringLiteral("en"), QStringLiteral("es")};

namespace {
const QString downloadPath = QStringLiteral("/download/ChatApp-x86_64.AppImage");
const QString apiDocumentPath = QStringLiteral("/docs/api.md");

const char style[] = R"(
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff;max-width:44rem;margin:0 auto;padding:2rem 1.25rem 3rem}
header{border-bottom:1px solid #d0d7de;padding-bottom:1rem;margin-bottom:.5rem}
h1{font-size:2rem;margin:0}
.tagline{color:#59636e;margin:.25rem 0 0}
h2{font-size:1.2rem;margin:2rem 0 .5rem}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem;overflow-x:auto;margin:.5rem 0}
code{font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
a{color:#0969da}
.button{display:inline-block;background:#1f883d;color:#fff;font-weight:600;text-decoration:none;border-radius:6px;padding:.5rem 1rem;margin:.25rem 0}
.note{color:#59636e}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}header{border-color:#30363d}.tagline,.note{color:#9198a1}pre{background:#161b22;border-color:#30363d}a{color:#4493f8}.button{color:#fff}}
)";

QString escaped(const QString &text)
{
    return text.toHtmlEscaped();
}
} // namespace

QByteArray HomePage::html() const
{
    // Translations are trusted, but escaping them too keeps a stray '<' in one from
    // becoming markup; fragments of markup are put in with arg() afterwards.
    const auto text = [this](const char *source) {
        return escaped(translatedText(language, "HomePage", source));
    };
    const QString host = escaped(address.host);
    const QString origin = escaped(address.origin());
    const QString launch = QStringLiteral("chatapp ") + escaped(address.launchArguments());

    QString page = u"<!DOCTYPE html>\n<html lang=\"" + language + u"\">\n<head>\n"
        u"<meta charset=\"utf-8\">\n"
        u"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        u"<meta name=\"color-scheme\" content=\"light dark\">\n"
        u"<title>" + text(QT_TRANSLATE_NOOP("HomePage", "ChatApp on %1")).arg(host) + u"</title>\n"
        u"<style>" + QString::fromLatin1(style) + u"</style>\n</head>\n<body>\n"
        u"<header>\n<h1>ChatApp</h1>\n<p class=\"tagline\">"
        + text(QT_TRANSLATE_NOOP("HomePage", "A group chat over plain HTTP. This server runs version %1."))
              .arg(escaped(version))
        + u"</p>\n</header>\n";

    page += u"<h2>" + text(QT_TRANSLATE_NOOP("HomePage", "Join the chat")) + u"</h2>\n<p>"
          + text(QT_TRANSLATE_NOOP("HomePage", "Start ChatApp with this server's address and port:"))
          + u"</p>\n<pre><code>" + launch + u"</code></pre>\n";
    if (passwordNeeded) {
        page += u"<p class=\"note\">"
              + text(QT_TRANSLATE_NOOP("HomePage", "This server has a password: ask whoever runs it. "
                                                   "The window asks for it when it connects."))
              + u"</p>\n";
    }

    page += u"<h2>" + text(QT_TRANSLATE_NOOP("HomePage", "Get ChatApp")) + u"</h2>\n";
    if (downloadBytes) {
        const QString size = QLocale(language).formattedDataSize(*downloadBytes, 1, QLocale::DataSizeSIFormat);
        const QString fileName = downloadPath.section(u'/', -1);
        page += u"<p>" + text(QT_TRANSLATE_NOOP("HomePage", "For Linux on x86-64, one file of %1 that runs without installing:")).arg(size)
              + u"</p>\n<p><a class=\"button\" href=\"" + downloadPath + u"\" download>"
              + text(QT_TRANSLATE_NOOP("HomePage", "Download %1")).arg(fileName) + u"</a></p>\n<p>"
              + text(QT_TRANSLATE_NOOP("HomePage", "Or in a terminal:")) + u"</p>\n<pre><code>curl -O "
              + origin + downloadPath + u"\nchmod +x " + fileName + u"\n./" + fileName + u' '
              + escaped(address.launchArguments()) + u"</code></pre>\n";
    } else {
        page += u"<p>"
              + text(QT_TRANSLATE_NOOP("HomePage", "This server offers no download: it is not running from an AppImage. "
                                                   "ChatApp's README says how to install it."))
              + u"</p>\n";
    }

    const QString apiLink = u"<a href=\"" + apiDocumentPath + u"\">"
                          + text(QT_TRANSLATE_NOOP("HomePage", "API reference")) + u"</a>";
    page += u"<h2>" + text(QT_TRANSLATE_NOOP("HomePage", "Write your own client")) + u"</h2>\n<p>"
          + text(QT_TRANSLATE_NOOP("HomePage", "Everything the window does is an HTTP request you can make yourself, for example with curl:"))
          + u"</p>\n<pre><code>curl " + origin + u"/api/v1/rooms/general/messages</code></pre>\n<p>"
          + text(QT_TRANSLATE_NOOP("HomePage", "The %1 describes every request and answer.")).arg(apiLink)
          + u"</p>\n</body>\n</html>\n";
    return page.toUtf8();
}
