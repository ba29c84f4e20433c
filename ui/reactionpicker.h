#pragma once

#include <QStringList>
#include <QWidget>

// A row of the emoji people react with most, one click each: shown at the top of a
// message's context menu, as Slack and Element do. Any emoji is a reaction to the server;
// these are only the quick ones.
class ReactionPicker : public QWidget
{
    Q_OBJECT

public:
    static const QStringList &commonEmoji();

    // `mine`: the emoji the user already reacted with, shown pressed (a click takes it back).
    explicit ReactionPicker(const QStringList &mine, QWidget *parent = nullptr);

signals:
    void picked(const QString &emoji);
};
