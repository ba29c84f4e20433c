#include "url.h"

#include <cstdlib>
#include <string_view>

#include <arpa/inet.h>
#include <sys/time.h>
#include <unistd.h>

#include "options.h"
#include "util.h"

namespace bench {

Url parseUrl(const std::string &text, const char *what)
{
    Url u;
    const std::string scheme = "http://";
    if (text.compare(0, scheme.size(), scheme) != 0)
        die("%s: only http:// URLs are supported: '%s'", what, text.c_str());
    std::string rest = text.substr(scheme.size());
    const size_t slash = rest.find('/');
    std::string hostport = slash == std::string::npos ? rest : rest.substr(0, slash);
    u.pathTemplate = slash == std::string::npos ? "/" : rest.substr(slash);
    std::string host;
    int port = 80;
    if (!hostport.empty() && hostport[0] == '[') {
        const size_t close = hostport.find(']');
        if (close == std::string::npos)
            die("%s: bad IPv6 literal in '%s'", what, text.c_str());
        host = hostport.substr(1, close - 1);
        if (close + 1 < hostport.size()) {
            if (hostport[close + 1] != ':')
                die("%s: bad URL '%s'", what, text.c_str());
            port = int(parseLong(what, hostport.c_str() + close + 2, 1, 65535));
        }
    } else {
        const size_t colon = hostport.rfind(':');
        host = colon == std::string::npos ? hostport : hostport.substr(0, colon);
        if (colon != std::string::npos)
            port = int(parseLong(what, hostport.c_str() + colon + 1, 1, 65535));
    }
    if (host == "localhost")
        host = "127.0.0.1";
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, host.c_str(), &a4) == 1) {
        if ((ntohl(a4.s_addr) >> 24) != 127)
            die("%s: refusing non-loopback target %s (this bench only drives 127.0.0.0/8 and ::1)", what, host.c_str());
        auto *sin = reinterpret_cast<sockaddr_in *>(&u.addr);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(uint16_t(port));
        sin->sin_addr = a4;
        u.addrLen = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&a6))
            die("%s: refusing non-loopback target %s (this bench only drives 127.0.0.0/8 and ::1)", what, host.c_str());
        auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&u.addr);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(uint16_t(port));
        sin6->sin6_addr = a6;
        u.addrLen = sizeof(sockaddr_in6);
        u.v6 = true;
    } else {
        die("%s: host must be a loopback address (127.x.x.x, ::1 or localhost), not '%s'", what, host.c_str());
    }
    u.hostHeader = hostport;
    return u;
}

std::string expandRoom(const std::string &tmpl, const std::string &room)
{
    std::string out;
    size_t pos = 0;
    for (;;) {
        const size_t at = tmpl.find("{room}", pos);
        if (at == std::string::npos) {
            out += tmpl.substr(pos);
            return out;
        }
        out += tmpl.substr(pos, at - pos);
        out += room;
        pos = at + 6;
    }
}

namespace {

int blockingConnect(const Url &u, int timeoutMs)
{
    const int fd = socket(u.v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, reinterpret_cast<const sockaddr *>(&u.addr), u.addrLen) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

} // namespace

int blockingRequest(const Url &u, const std::string &request, std::string *body)
{
    const int fd = blockingConnect(u, 10000);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < request.size()) {
        const ssize_t n = send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        off += size_t(n);
    }
    std::string resp;
    char buf[8192];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        resp.append(buf, size_t(n));
        if (resp.size() > (1 << 20))
            break;
        // Done once the head and Content-Length bytes of body are in (the server may
        // keep the connection open despite Connection: close).
        const size_t he = resp.find("\r\n\r\n");
        if (he != std::string::npos) {
            size_t clen = 0;
            for (size_t at = 0; at < he;) {
                const size_t eol = resp.find("\r\n", at);
                const std::string_view ln(resp.data() + at, eol - at);
                if (ln.size() > 15 && ieq(ln.substr(0, 15), "content-length:"))
                    clen = size_t(std::atol(std::string(ln.substr(15)).c_str()));
                at = eol + 2;
            }
            if (resp.size() >= he + 4 + clen)
                break;
        }
    }
    close(fd);
    int status = -1;
    if (resp.size() > 12 && resp.compare(0, 5, "HTTP/") == 0)
        status = std::atoi(resp.c_str() + 9);
    if (body) {
        const size_t he = resp.find("\r\n\r\n");
        *body = he == std::string::npos ? std::string() : resp.substr(he + 4);
    }
    return status;
}
} // namespace bench
