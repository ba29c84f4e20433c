#include "reactionpicker.h"

#include <QHBoxLayout>
#include <QToolButton>

const QStringList &ReactionPicker::commonEmoji()
{
    static const QStringList emoji{QStringLiteral("👍"), QStringLiteral("❤️"), QStringLiteral("😂"),
                                   QStringLiteral("🎉"), QStringLiteral("😮"), QStringLiteral("😢"),
                                   QStringLiteral("🙏"), QStringLiteral("👀")};
    return emoji;
}

ReactionPicker::ReactionPicker(const QStringList &mine, QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("reactionPicker"));
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(6, 4, 6, 4);
    row->setSpacing(2);
    QFont larger = font();
    larger.setPointSizeF(larger.pointSizeF() * 1.3);
    for (const QString &emoji : commonEmoji()) {
        auto *button = new QToolButton;
        button->setObjectName(QStringLiteral("reaction ") + emoji);
        button->setText(emoji);
        button->setFont(larger);
        button->setAutoRaise(true);
        button->setCheckable(true);
        button->setChecked(mine.contains(emoji));
        button->setToolTip(mine.contains(emoji) ? tr("Take back %1").arg(emoji) : tr("React with %1").arg(emoji));
        button->setAccessibleName(button->toolTip());
        connect(button, &QToolButton::clicked, this, [this, emoji] { emit picked(emoji); });
        row->addWidget(button);
    }
}
