// The streaming HTTP/1.1 response parser: Content-Length, chunked, or until close. It
// keeps one header line at a time and hands the body on as it comes, so nothing is
// buffered per response.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "util.h"

namespace bench {

struct RespParser {
    enum State : uint8_t { Status, Header, BodyLength, BodyClose, ChunkSize, ChunkData, ChunkCrlf, Trailer };
    State st = Status;
    bool chunked = false, connClose = false, started = false;
    uint16_t status = 0;
    int64_t contentLength = -1;
    uint64_t remain = 0;
    uint16_t lineLen = 0;
    char line[240];

    void reset()
    {
        st = Status;
        chunked = connClose = started = false;
        status = 0;
        contentLength = -1;
        remain = 0;
        lineLen = 0;
    }
};

enum class Feed : uint8_t { More, Done, Bad };

// Feeds bytes to the parser. The sink gets headers(status) once the head is complete,
// header(name, value) for the headers the parser does not interpret itself, and
// body(p, n) for the (de-chunked) body. Stops right after a complete response and
// returns Done with *used = the bytes that belonged to it; the parser is then reset,
// with the finished response's status and Connection: close in *status / *close.
template<typename Sink>
Feed feedParser(RespParser &r, const char *p, size_t n, Sink &sink, size_t *used, int *status, bool *close)
{
    size_t i = 0;
    auto done = [&](size_t at) {
        *used = at;
        *status = r.status;
        *close = r.connClose;
        r.reset();
        return Feed::Done;
    };
    while (i < n) {
        switch (r.st) {
        case RespParser::BodyLength: {
            const size_t take = size_t(std::min<uint64_t>(r.remain, n - i));
            sink.body(p + i, take);
            i += take;
            r.remain -= take;
            if (r.remain == 0)
                return done(i);
            break;
        }
        case RespParser::BodyClose:
            sink.body(p + i, n - i);
            i = n;
            break;
        case RespParser::ChunkData: {
            const size_t take = size_t(std::min<uint64_t>(r.remain, n - i));
            sink.body(p + i, take);
            i += take;
            r.remain -= take;
            if (r.remain == 0) {
                r.st = RespParser::ChunkCrlf;
                r.lineLen = 0;
            }
            break;
        }
        default: {
            // The line-oriented states.
            r.started = true;
            const char *nl = static_cast<const char *>(std::memchr(p + i, '\n', n - i));
            const size_t end = nl ? size_t(nl - p) : n;
            const size_t room = sizeof(r.line) - 1 - r.lineLen;
            const size_t copy = std::min(room, end - i); // longer lines are truncated
            std::memcpy(r.line + r.lineLen, p + i, copy);
            r.lineLen = uint16_t(r.lineLen + copy);
            if (!nl) {
                i = n;
                break;
            }
            i = end + 1;
            size_t len = r.lineLen;
            if (len > 0 && r.line[len - 1] == '\r')
                --len;
            r.lineLen = 0;
            const std::string_view ln(r.line, len);
            switch (r.st) {
            case RespParser::Status:
                if (ln.empty())
                    break; // tolerate a stray CRLF between responses
                if (ln.size() < 12 || ln.compare(0, 5, "HTTP/") != 0 || ln[8] != ' ')
                    return Feed::Bad;
                r.status = uint16_t((ln[9] - '0') * 100 + (ln[10] - '0') * 10 + (ln[11] - '0'));
                if (ln.compare(0, 8, "HTTP/1.0") == 0)
                    r.connClose = true; // no keep-alive negotiation with 1.0 servers
                r.st = RespParser::Header;
                break;
            case RespParser::Header:
                if (ln.empty()) {
                    if (r.status >= 100 && r.status < 200) { // 100 Continue and friends
                        r.reset();
                        break;
                    }
                    sink.headers(r.status);
                    if (r.status == 204 || r.status == 304)
                        return done(i);
                    if (r.chunked) {
                        r.st = RespParser::ChunkSize;
                    } else if (r.contentLength >= 0) {
                        if (r.contentLength == 0)
                            return done(i);
                        r.remain = uint64_t(r.contentLength);
                        r.st = RespParser::BodyLength;
                    } else {
                        r.st = RespParser::BodyClose;
                    }
                    break;
                }
                {
                    const size_t colon = ln.find(':');
                    if (colon == std::string_view::npos)
                        break;
                    const std::string_view name = ln.substr(0, colon);
                    std::string_view value = ln.substr(colon + 1);
                    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
                        value.remove_prefix(1);
                    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
                        value.remove_suffix(1);
                    if (ieq(name, "content-length")) {
                        int64_t v = -1;
                        std::from_chars(value.data(), value.data() + value.size(), v);
                        r.contentLength = v;
                    } else if (ieq(name, "transfer-encoding")) {
                        if (icontains(value, "chunked"))
                            r.chunked = true;
                    } else if (ieq(name, "connection")) {
                        if (icontains(value, "close"))
                            r.connClose = true;
                    } else {
                        sink.header(name, value);
                    }
                }
                break;
            case RespParser::ChunkSize: {
                uint64_t v = 0;
                size_t k = 0;
                for (; k < ln.size() && k < 16; ++k) {
                    const char c = ln[k];
                    int d;
                    if (c >= '0' && c <= '9')
                        d = c - '0';
                    else if (c >= 'a' && c <= 'f')
                        d = c - 'a' + 10;
                    else if (c >= 'A' && c <= 'F')
                        d = c - 'A' + 10;
                    else
                        break;
                    v = v * 16 + uint64_t(d);
                }
                if (k == 0)
                    return Feed::Bad;
                if (v == 0) {
                    r.st = RespParser::Trailer;
                } else {
                    r.remain = v;
                    r.st = RespParser::ChunkData;
                }
                break;
            }
            case RespParser::ChunkCrlf:
                if (!ln.empty())
                    return Feed::Bad;
                r.st = RespParser::ChunkSize;
                break;
            case RespParser::Trailer:
                if (ln.empty())
                    return done(i);
                break;
            default:
                break;
            }
            break;
        }
        }
    }
    *used = n;
    return Feed::More;
}

} // namespace bench
