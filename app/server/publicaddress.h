#pragma once

#include <QByteArray>
#include <QString>

class QTcpSocket;

// The address a client used to reach this server, as the Host header says it (behind a
// NAT or a cloud VM's public IP, the server's own address would be the wrong one to
// tell people). Attacker-controlled: whoever shows it must escape it.
struct PublicAddress
{
    bool secure = false; // reached over HTTPS
    QString host; // "chat.example.org", "203.0.113.7", "::1" (no brackets)
    int port = 0;

    // Read from a request's Host header on `socket`. Without one, the socket's local
    // address; with one that is not a host and port, its text as it came (and the
    // socket's port), so that what the client sent is what it sees.
    static PublicAddress of(const QByteArray &hostHeader, const QTcpSocket *socket);

    // "http://HOST:PORT", with an IPv6 address in brackets.
    QString origin() const;
    // What follows `chatapp` on the command line to open the window on this server:
    // "HOST PORT", or the https:// origin, since the window speaks plain HTTP otherwise.
    QString launchArguments() const;
};
