#pragma once

// What one server will put up with, each settable with a flag (serveoptions.cpp) and
// documented with its default in docs/security.md.
struct ServerLimits
{
    // Open TCP connections; beyond it a new one gets 503 with Retry-After and is closed,
    // and the ones already open are served as before. --serve lowers it to fit the
    // open files the process may have (openfiles.h).
    int maxConnections = 10000;
    // From the first byte of a request to its last: a client that trickles its
    // headers (slowloris) or its body is answered 408 and cut off.
    int requestTimeoutSeconds = 10;
    // A connection with no bytes in either direction for this long is closed. Held
    // polls (at most 60 s) and streams (a keep-alive every 15 s) are never idle this long.
    int idleTimeoutSeconds = 90;
    // Sends per second one client address may make, and the burst it may save up: a
    // token bucket. A class behind one NAT address shares it, hence the generous default.
    double sendsPerSecond = 20;
    int sendBurst = 60;
    // Sends handed to the store and not yet committed. When the disk cannot keep up,
    // more get 503 with Retry-After instead of queueing in memory without bound.
    int maxPendingSends = 10000;
    // Output a stream's reader has not taken yet. Past it the stream is closed, not
    // buffered for without bound; the reader resumes from its Last-Event-ID, losing nothing.
    int streamBacklogKiB = 4096;
    // Output written for all connections together that their clients have not taken yet
    // (streams and ordinary answers alike). Past it the connections with the most unsent
    // are closed, largest first, until a quarter of the budget is free again: a stream
    // resumes from its Last-Event-ID, and the server's memory stays bounded however many
    // clients stop reading at once.
    int outputBudgetMiB = 256;
    // Wrong passwords one client address may try a minute (a token bucket of that size);
    // beyond it every attempt gets 429, so guessing a password is slowed to a crawl.
    int wrongPasswordsPerMinute = 10;
};
