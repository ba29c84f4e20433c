#pragma once

#include <QHashFunctions>
#include <QString>
#include <optional>

// A room name that is known to match [a-z0-9][a-z0-9_-]{0,63}. The only way to get one
// is parse(), so code that holds a RoomName never checks it again.
class RoomName
{
public:
    static std::optional<RoomName> parse(QStringView candidate);
    static RoomName general();

    const QString &value() const { return m_value; }
    bool operator==(const RoomName &other) const = default;

private:
    explicit RoomName(QString value) : m_value(std::move(value)) {}
    QString m_value;
};

inline size_t qHash(const RoomName &room, size_t seed = 0)
{
    return qHash(room.value(), seed);
}
