#include "ratelimiter.h"

#include <cmath>

namespace {
constexpr qint64 sweepIntervalMs = 60000;
}

RateLimiter::RateLimiter(double rate, int burst) : m_rate(rate), m_burst(burst)
{
    m_clock.start();
}

RateLimiter::Bucket &RateLimiter::refilled(const QHostAddress &client)
{
    const qint64 now = m_clock.elapsed();
    if (now - m_lastSweepMs > sweepIntervalMs)
        forgetFullBuckets(now);
    auto bucket = m_buckets.find(client);
    if (bucket == m_buckets.end())
        bucket = m_buckets.insert(client, Bucket{m_burst, now});
    bucket->tokens = std::min(m_burst, bucket->tokens + (now - bucket->updatedMs) * m_rate / 1000.0);
    bucket->updatedMs = now;
    return *bucket;
}

int RateLimiter::secondsUntilAToken(const Bucket &bucket) const
{
    return std::max(1, int(std::ceil((1.0 - bucket.tokens) / m_rate)));
}

std::optional<int> RateLimiter::admit(const QHostAddress &client)
{
    Bucket &bucket = refilled(client);
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return std::nullopt;
    }
    return secondsUntilAToken(bucket);
}

std::optional<int> RateLimiter::wouldWait(const QHostAddress &client)
{
    const Bucket &bucket = refilled(client);
    if (bucket.tokens >= 1.0)
        return std::nullopt;
    return secondsUntilAToken(bucket);
}

void RateLimiter::forgetFullBuckets(qint64 nowMs)
{
    m_lastSweepMs = nowMs;
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        const double tokens = it->tokens + (nowMs - it->updatedMs) * m_rate / 1000.0;
        it = tokens >= m_burst ? m_buckets.erase(it) : std::next(it);
    }
}
