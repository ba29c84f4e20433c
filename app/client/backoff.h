#pragma once

// Delays between attempts to reach a server that does not answer: short at first so a
// restart is noticed quickly, doubling so a long outage does not flood the network,
// capped so the window never waits long once the server is back: a second, as one
// request a second to an absent server costs nothing, and a window that still said
// Offline for seconds after the server returned looked broken.
class Backoff
{
public:
    static constexpr int firstDelayMs = 250;
    static constexpr int maxDelayMs = 1000;

    int nextDelayMs()
    {
        const int delay = m_delayMs;
        m_delayMs = m_delayMs * 2 > maxDelayMs ? maxDelayMs : m_delayMs * 2;
        return delay;
    }
    void reset() { m_delayMs = firstDelayMs; }

private:
    int m_delayMs = firstDelayMs;
};
