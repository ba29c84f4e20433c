#include "messagedelegate.h"

#include "authorcolour.h"
#include "client/messagemodel.h"
#include "richtext.h"

#include <QAbstractScrollArea>
#include <QAbstractTextDocumentLayout>
#include <QAbstractItemView>
#include <QDesktopServices>
#include <QHelpEvent>
#include <QLocale>
#include <QToolTip>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTextDocument>
#include <QUrl>

#include <memory>

namespace {
constexpr int sideMargin = 10;
constexpr int avatarSize = 32;
constexpr int textIndent = sideMargin + avatarSize + 10; // the text column, under the name
constexpr int groupGap = 8; // above a run of messages
constexpr int bandHeightExtra = 14; // around a separator's line of text

const QColor mutedColour(0x75, 0x75, 0x75);
const QColor dividerColour(0xd3, 0x2f, 0x2f);
const QColor ownBackground(0xe3, 0xf2, 0xfd);
const QColor mentionBackground(0xff, 0xf4, 0xd6);
const QColor flashBackground(0xff, 0xf5, 0x9d);
const QColor editingBackground(0xff, 0xf8, 0xe1);
const QColor quoteBar(0xbd, 0xbd, 0xbd);
const QColor chipBackground(0xf1, 0xf3, 0xf4);
const QColor myChipBackground(0xe3, 0xf2, 0xfd);
const QColor myChipBorder(0x15, 0x65, 0xc0);
constexpr int chipGap = 4;

// The width rows are laid out for: the view's, not option.rect's, which QListView sets
// to other things while it lays out than when it paints.
int rowWidth(const QStyleOptionViewItem &option)
{
    if (const auto *view = qobject_cast<const QAbstractScrollArea *>(option.widget))
        return view->viewport()->width();
    return option.rect.width();
}

QFont smallerFont(const QFont &font)
{
    QFont smaller = font;
    smaller.setPointSizeF(font.pointSizeF() * 0.85);
    return smaller;
}

} // namespace

struct MessageDelegate::Layout
{
    int roomStart = 0; // heights of the bands above the message, top down
    int day = 0;
    int divider = 0;
    int header = 0;
    QRect quote; // the quote of the message it replies to, empty when none
    QRect text; // where the text is drawn
    QList<std::pair<QRect, Reaction>> chips;
    int delivery = 0;
    int total = 0;
    std::unique_ptr<QTextDocument> document;
};

MessageDelegate::MessageDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

void MessageDelegate::forgetSizes()
{
    m_heights.clear();
    m_heightsWidth = -1;
}

MessageDelegate::Layout MessageDelegate::layoutFor(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    Layout layout;
    const QFontMetrics metrics(option.font);
    const QFontMetrics small(smallerFont(option.font));
    if (index.data(MessageModel::RoomStartRole).toBool())
        layout.roomStart = metrics.height() + bandHeightExtra;
    if (index.data(MessageModel::StartsDayRole).toBool())
        layout.day = small.height() + bandHeightExtra;
    if (index.data(MessageModel::FirstUnreadRole).toBool())
        layout.divider = small.height() + 6;
    if (index.data(MessageModel::StartsGroupRole).toBool())
        layout.header = groupGap + metrics.height() + 2;
    if (index.data(MessageModel::DeliveryRole).value<MessageModel::Delivery>() != MessageModel::Delivery::Stored)
        layout.delivery = small.height();

    layout.document = std::make_unique<QTextDocument>();
    layout.document->setDefaultFont(option.font);
    layout.document->setDocumentMargin(0);
    QString html = plainTextToHtml(index.data(MessageModel::TextRole).toString());
    if (index.data(MessageModel::DeletedRole).toBool())
        html = QStringLiteral("<i style=\"color:#757575\">%1</i>").arg(html);
    else if (index.data(MessageModel::EditedRole).toBool())
        html += QStringLiteral(" <small style=\"color:#757575\">%1</small>")
                    .arg(MessageModel::tr("(edited)").toHtmlEscaped());
    layout.document->setHtml(html);
    const int textWidth = std::max(40, rowWidth(option) - textIndent - sideMargin);
    layout.document->setTextWidth(textWidth);
    int top = option.rect.top() + layout.roomStart + layout.day + layout.divider + layout.header + 2;
    if (index.data(MessageModel::ReplyToRole).toLongLong() != 0) {
        layout.quote = QRect(option.rect.left() + textIndent, top, textWidth, small.height() + 6);
        top = layout.quote.bottom() + 1 + 3;
    }
    layout.text = QRect(option.rect.left() + textIndent, top, textWidth,
                        int(std::ceil(layout.document->size().height())));
    int bottom = layout.text.bottom();
    const auto reactions = index.data(MessageModel::ReactionsRole).value<QList<Reaction>>();
    if (!reactions.isEmpty()) {
        // Chips in the order first used, wrapping as words do.
        const int chipHeight = small.height() + 6;
        int x = layout.text.left();
        int y = layout.text.bottom() + 1 + chipGap;
        for (const Reaction &reaction : reactions) {
            const QString label = QStringLiteral("%1 %2").arg(reaction.emoji).arg(reaction.names.size());
            const int width = small.horizontalAdvance(label) + 14;
            if (x > layout.text.left() && x + width > layout.text.right()) {
                x = layout.text.left();
                y += chipHeight + chipGap;
            }
            layout.chips.append({QRect(x, y, width, chipHeight), reaction});
            x += width + chipGap;
        }
        bottom = layout.chips.last().first.bottom();
    }
    // A few pixels between messages, so that where one ends and the next begins shows.
    layout.total = bottom + 1 - option.rect.top() + layout.delivery + 5;
    return layout;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const int width = rowWidth(option);
    if (width != m_heightsWidth) {
        m_heights.clear();
        m_heightsWidth = width;
    }
    const quint64 key = index.data(MessageModel::LayoutKeyRole).toULongLong();
    auto cached = m_heights.constFind(key);
    if (cached == m_heights.cend())
        cached = m_heights.insert(key, layoutFor(option, index).total);
    return QSize(width, *cached);
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const Layout layout = layoutFor(option, index);
    const QRect row = option.rect;
    const QFont font = option.font;
    const QFont small = smallerFont(font);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    int y = row.top();

    const auto centredBand = [&](int height, const QString &text, const QColor &colour, const QFont &bandFont,
                                 bool rule) {
        const QRect band(row.left() + sideMargin, y, row.width() - 2 * sideMargin, height);
        painter->setFont(bandFont);
        const int textWidth = QFontMetrics(bandFont).horizontalAdvance(text) + 16;
        if (rule) {
            painter->setPen(QPen(colour.lighter(150), 1));
            const int middle = band.center().y();
            painter->drawLine(band.left(), middle, band.center().x() - textWidth / 2, middle);
            painter->drawLine(band.center().x() + textWidth / 2, middle, band.right(), middle);
        }
        painter->setPen(colour);
        painter->drawText(band, Qt::AlignCenter, text);
        y += height;
    };
    if (layout.roomStart)
        centredBand(layout.roomStart,
                    MessageModel::tr("This is the beginning of #%1.").arg(index.data(MessageModel::RoomRole).toString()),
                    mutedColour, font, false);
    if (layout.day)
        centredBand(layout.day, index.data(MessageModel::DayTextRole).toString(), mutedColour, small, true);
    if (layout.divider) {
        const QRect band(row.left() + sideMargin, y, row.width() - 2 * sideMargin, layout.divider);
        const QString label = MessageModel::tr("New messages");
        painter->setFont(small);
        const int labelWidth = QFontMetrics(small).horizontalAdvance(label) + 8;
        painter->setPen(QPen(dividerColour, 1));
        painter->drawLine(band.left(), band.center().y(), band.right() - labelWidth, band.center().y());
        painter->drawText(band, Qt::AlignRight | Qt::AlignVCenter, label);
        y += layout.divider;
    }

    const QRect message(row.left(), y, row.width(), row.bottom() + 1 - y);
    const bool editing = m_editing != 0 && index.data(MessageModel::IdRole).toLongLong() == m_editing;
    if (m_flashed != 0 && index.data(MessageModel::IdRole).toLongLong() == m_flashed)
        painter->fillRect(message, flashBackground);
    else if (editing)
        painter->fillRect(message, editingBackground);
    else if (option.state & QStyle::State_Selected)
        painter->fillRect(message, option.palette.color(QPalette::Highlight).lighter(170));
    else if (index.data(MessageModel::MentionsMeRole).toBool())
        painter->fillRect(message, mentionBackground);
    else if (index.data(MessageModel::OwnRole).toBool())
        painter->fillRect(message.adjusted(textIndent - 6, 0, 0, 0), ownBackground);

    const QString author = index.data(MessageModel::AuthorRole).toString();
    const QDateTime timestamp = index.data(MessageModel::TimestampRole).toDateTime();
    if (layout.header) {
        const QColor colour = authorColour(author);
        const int headerTop = y + groupGap;
        const QRect avatar(row.left() + sideMargin, headerTop, avatarSize, avatarSize);
        painter->setPen(Qt::NoPen);
        painter->setBrush(colour);
        painter->drawEllipse(avatar);
        QFont initialFont = font;
        initialFont.setBold(true);
        painter->setFont(initialFont);
        painter->setPen(Qt::white);
        painter->drawText(avatar, Qt::AlignCenter, author.left(1).toUpper());

        QFont nameFont = font;
        nameFont.setBold(true);
        painter->setFont(nameFont);
        painter->setPen(colour);
        const QFontMetrics nameMetrics(nameFont);
        // Rounded up: elidedText() measures in fractions, and at the rounded width a
        // short name such as "ben" lost its last letters to "…".
        const int nameWidth = std::min(int(std::ceil(QFontMetricsF(nameFont).horizontalAdvance(author))),
                                       row.width() - textIndent - 80);
        const QRect nameRect(row.left() + textIndent, headerTop, nameWidth, nameMetrics.height());
        painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                          nameMetrics.elidedText(author, Qt::ElideRight, nameWidth));
        if (timestamp.isValid()) {
            painter->setFont(small);
            painter->setPen(mutedColour);
            painter->drawText(QRect(nameRect.right() + 8, headerTop, 120, nameMetrics.height()),
                              Qt::AlignLeft | Qt::AlignVCenter, index.data(MessageModel::TimeTextRole).toString());
        }
    }

    if (!layout.header && timestamp.isValid()) {
        // Each message keeps its own time, small, where the avatar would be: three
        // messages never read as one message of three lines.
        const QFont gutterFont = smallerFont(small);
        const QRect gutter(row.left(), layout.text.top(), textIndent - 6, QFontMetrics(font).height());
        // "11:25 AM" does not fit beside the text in every font: the hours and minutes do,
        // and the run's header above says the rest.
        QString time = index.data(MessageModel::TimeTextRole).toString();
        if (QFontMetrics(gutterFont).horizontalAdvance(time) > gutter.width())
            time = timestamp.toLocalTime().time().toString(QStringLiteral("h:mm"));
        painter->setFont(gutterFont);
        painter->setPen(mutedColour.lighter(130));
        painter->drawText(gutter, Qt::AlignRight | Qt::AlignVCenter, time);
    }

    if (!layout.quote.isEmpty()) {
        painter->fillRect(QRect(layout.quote.left(), layout.quote.top(), 3, layout.quote.height()), quoteBar);
        const QRect words = layout.quote.adjusted(9, 0, 0, 0);
        const QString quoted = index.data(MessageModel::QuoteAuthorRole).toString();
        const QString line = index.data(MessageModel::QuoteTextRole).toString();
        QFont bold = small;
        bold.setBold(true);
        const QFontMetrics boldMetrics(bold);
        int x = words.left();
        if (!quoted.isEmpty()) {
            const QString name = boldMetrics.elidedText(quoted, Qt::ElideRight, words.width() / 3);
            painter->setFont(bold);
            painter->setPen(authorColour(quoted));
            painter->drawText(QRect(x, words.top(), words.width(), words.height()), Qt::AlignLeft | Qt::AlignVCenter,
                              name);
            x += boldMetrics.horizontalAdvance(name) + 6;
        }
        painter->setFont(small);
        painter->setPen(mutedColour);
        const QRect rest(x, words.top(), words.right() - x, words.height());
        painter->drawText(rest, Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(small).elidedText(line, Qt::ElideRight, rest.width()));
    }

    if (!layout.chips.isEmpty()) {
        const QStringList mine = index.data(MessageModel::MyReactionsRole).toStringList();
        painter->setFont(small);
        for (const auto &[rect, reaction] : layout.chips) {
            const bool own = mine.contains(reaction.emoji);
            painter->setPen(own ? QPen(myChipBorder, 1) : QPen(quoteBar, 1));
            painter->setBrush(own ? myChipBackground : chipBackground);
            painter->drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), rect.height() / 2.0,
                                     rect.height() / 2.0);
            painter->setPen(own ? myChipBorder : option.palette.color(QPalette::Text));
            painter->drawText(rect, Qt::AlignCenter, QStringLiteral("%1 %2").arg(reaction.emoji).arg(reaction.names.size()));
        }
        painter->setBrush(Qt::NoBrush);
    }

    if (editing) {
        // Which message Enter will change, as the bar over the composer says.
        painter->fillRect(QRect(row.left(), message.top(), 3, message.height()), myChipBorder);
    }

    const bool pending = layout.delivery > 0;
    painter->translate(layout.text.topLeft());
    QAbstractTextDocumentLayout::PaintContext context;
    context.palette = option.palette;
    context.palette.setColor(QPalette::Text, pending ? mutedColour : option.palette.color(QPalette::Text));
    context.clip = QRectF(0, 0, layout.text.width(), layout.text.height());
    layout.document->documentLayout()->draw(painter, context);
    painter->translate(-layout.text.topLeft());

    if (pending) {
        QFont state = small;
        state.setItalic(true);
        painter->setFont(state);
        painter->setPen(mutedColour);
        painter->drawText(QRect(layout.text.left(), layout.text.bottom() + 1, layout.text.width(), layout.delivery),
                          Qt::AlignLeft | Qt::AlignVCenter, index.data(MessageModel::DeliveryTextRole).toString());
    }
    painter->restore();
}

MessageDelegate::Hit MessageDelegate::hitAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                            const QPoint &position) const
{
    const Layout layout = layoutFor(option, index);
    if (layout.quote.contains(position))
        return {Hit::Kind::Quote, {}};
    for (const auto &[rect, reaction] : layout.chips) {
        if (rect.contains(position))
            return {Hit::Kind::Reaction, reaction.emoji};
    }
    if (!layout.text.contains(position))
        return {};
    const QString link = layout.document->documentLayout()->anchorAt(position - layout.text.topLeft());
    return link.isEmpty() ? Hit() : Hit{Hit::Kind::Link, link};
}

QString MessageDelegate::linkAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                const QPoint &position) const
{
    const Hit hit = hitAt(option, index, position);
    return hit.kind == Hit::Kind::Link ? hit.value : QString();
}

bool MessageDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                                const QModelIndex &index)
{
    const Hit hit = hitAt(option, index, event->pos());
    QString tip;
    if (hit.kind == Hit::Kind::Reaction) {
        // Who reacted, as Slack and Element say it on hover.
        for (const Reaction &reaction : index.data(MessageModel::ReactionsRole).value<QList<Reaction>>()) {
            if (reaction.emoji == hit.value)
                tip = MessageModel::tr("%1 reacted with %2", nullptr, int(reaction.names.size()))
                          .arg(QLocale().createSeparatedList(reaction.names), reaction.emoji);
        }
    } else if (hit.kind == Hit::Kind::Quote) {
        tip = MessageModel::tr("Show the message this one replies to");
    }
    if (tip.isEmpty())
        return QStyledItemDelegate::helpEvent(event, view, option, index);
    QToolTip::showText(event->globalPos(), tip, view);
    return true;
}

bool MessageDelegate::editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                                  const QModelIndex &index)
{
    if (event->type() == QEvent::MouseButtonRelease) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        if (mouse->button() == Qt::LeftButton) {
            const Hit hit = hitAt(option, index, mouse->position().toPoint());
            switch (hit.kind) {
            case Hit::Kind::Link:
                QDesktopServices::openUrl(QUrl(hit.value));
                return true;
            case Hit::Kind::Quote:
                emit quoteClicked(index.data(MessageModel::ReplyToRole).toLongLong());
                return true;
            case Hit::Kind::Reaction:
                emit reactionClicked(index.data(MessageModel::IdRole).toLongLong(), hit.value);
                return true;
            case Hit::Kind::Nothing:
                break;
            }
        }
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}
