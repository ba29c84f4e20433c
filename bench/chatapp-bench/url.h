// Loopback URLs, and the few blocking requests of the set-up (creating ChatApp rooms).
#pragma once

#include <string>

#include <netinet/in.h>
#include <sys/socket.h>

namespace bench {

struct Url {
    sockaddr_storage addr{};
    socklen_t addrLen = 0;
    bool v6 = false;
    std::string hostHeader; // host:port as sent
    std::string pathTemplate;
};

// Dies on anything but http:// to 127.0.0.0/8, ::1 or localhost.
Url parseUrl(const std::string &text, const char *what);
std::string expandRoom(const std::string &tmpl, const std::string &room);

// One request with Connection: close; returns the status, or -1.
int blockingRequest(const Url &u, const std::string &request, std::string *body = nullptr);

} // namespace bench
