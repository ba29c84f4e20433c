#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>

#include <optional>

// A token bucket per client address: `rate` tokens a second, at most `burst` saved.
// Buckets that have refilled are forgotten, so memory follows the active senders.
class RateLimiter
{
public:
    RateLimiter(double rate, int burst);

    // Takes a token for `client`; when there is none, the whole seconds until there is.
    std::optional<int> admit(const QHostAddress &client);
    // The same answer, without taking the token.
    std::optional<int> wouldWait(const QHostAddress &client);

private:
    struct Bucket
    {
        double tokens;
        qint64 updatedMs;
    };
    void forgetFullBuckets(qint64 nowMs);
    Bucket &refilled(const QHostAddress &client);
    int secondsUntilAToken(const Bucket &bucket) const;

    double m_rate;
    double m_burst;
    QElapsedTimer m_clock;
    QHash<QHostAddress, Bucket> m_buckets;
    qint64 m_lastSweepMs = 0;
};
