#include "roomlistdelegate.h"

#include "client/roomlistmodel.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>

namespace {
constexpr int padding = 6;
const QColor unreadBadge(0x15, 0x65, 0xc0);
const QColor mentionBadge(0xd3, 0x2f, 0x2f);
const QColor mutedBadge(0x9e, 0x9e, 0x9e);
} // namespace

QSize RoomListDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(std::max(size.height(), QFontMetrics(option.font).height() + 2 * padding));
    return size;
}

void RoomListDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem item = option;
    initStyleOption(&item, index);
    const qint64 unread = index.data(RoomListModel::UnreadRole).toLongLong();
    const int mentions = index.data(RoomListModel::MentionRole).toInt();
    const bool muted = index.data(RoomListModel::MutedRole).toBool();
    item.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &item, painter, widget); // background, selection, focus

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QRect text = option.rect.adjusted(padding + 2, 0, -padding, 0);
    if (unread > 0) {
        QFont badgeFont = option.font;
        badgeFont.setBold(true);
        badgeFont.setPointSizeF(option.font.pointSizeF() * 0.85);
        const QString count = unread > 999 ? QStringLiteral("999+") : QLocale().toString(unread);
        const QString badgeText = mentions > 0 ? QStringLiteral("@ ") + count : count;
        const QFontMetrics badgeMetrics(badgeFont);
        const int height = badgeMetrics.height() + 2;
        const int width = std::max(height, badgeMetrics.horizontalAdvance(badgeText) + 10);
        const QRect badge(text.right() - width, option.rect.center().y() - height / 2 + 1, width, height);
        painter->setPen(Qt::NoPen);
        painter->setBrush(mentions > 0 ? mentionBadge : muted ? mutedBadge : unreadBadge);
        painter->drawRoundedRect(badge, height / 2.0, height / 2.0);
        painter->setPen(Qt::white);
        painter->setFont(badgeFont);
        painter->drawText(badge, Qt::AlignCenter, badgeText);
        text.setRight(badge.left() - padding);
    }
    QFont nameFont = option.font;
    nameFont.setBold(unread > 0 && !muted);
    painter->setFont(nameFont);
    const bool selected = option.state & QStyle::State_Selected;
    QColor colour = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    if (muted && !selected)
        colour = option.palette.color(QPalette::PlaceholderText);
    painter->setPen(colour);
    const QString name = index.data(Qt::DisplayRole).toString();
    painter->drawText(text, Qt::AlignLeft | Qt::AlignVCenter, QFontMetrics(nameFont).elidedText(name, Qt::ElideRight, text.width()));
    painter->restore();
}
