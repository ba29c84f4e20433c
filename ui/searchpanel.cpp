#include "searchpanel.h"

#include "client/searchresults.h"

#include <QCheckBox>
#include <QEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QVBoxLayout>

SearchPanel::SearchPanel(QWidget *parent)
    : QDockWidget(parent), m_edit(new QLineEdit), m_thisRoomOnly(new QCheckBox), m_list(new QListView),
      m_state(new QLabel), m_more(new QPushButton)
{
    setObjectName(QStringLiteral("searchPanel"));
    m_edit->setObjectName(QStringLiteral("searchEdit"));
    m_edit->setClearButtonEnabled(true);
    m_thisRoomOnly->setObjectName(QStringLiteral("searchThisRoomOnly"));
    m_list->setObjectName(QStringLiteral("searchResults"));
    m_list->setWordWrap(true);
    m_list->setUniformItemSizes(false);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setAlternatingRowColors(true);
    m_state->setObjectName(QStringLiteral("searchState"));
    m_state->setWordWrap(true);
    m_more->setObjectName(QStringLiteral("searchMoreButton"));
    m_more->hide();

    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_edit);
    layout->addWidget(m_thisRoomOnly);
    layout->addWidget(m_state);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_more);
    setWidget(content);
    retranslate();

    connect(m_edit, &QLineEdit::returnPressed, this, [this] {
        if (!m_edit->text().trimmed().isEmpty())
            emit searchRequested(m_edit->text(), m_thisRoomOnly->isChecked());
    });
    connect(m_list, &QListView::activated, this, [this](const QModelIndex &index) {
        emit resultActivated(index.data(SearchResults::RoomRole).toString(),
                             index.data(SearchResults::IdRole).toLongLong());
    });
    connect(m_more, &QPushButton::clicked, this, [this] {
        if (m_results)
            m_results->loadMore();
    });
}

void SearchPanel::setResults(SearchResults *results)
{
    if (m_results)
        m_results->disconnect(this);
    QItemSelectionModel *old = m_list->selectionModel();
    m_results = results;
    m_list->setModel(results);
    delete old;
    connect(results, &SearchResults::finished, this, &SearchPanel::showState);
    showState();
}

void SearchPanel::focusSearch()
{
    show();
    raise();
    m_edit->setFocus();
    m_edit->selectAll();
}

void SearchPanel::showState()
{
    m_more->setVisible(m_results && m_results->hasMore());
    if (!m_results || m_results->text().isEmpty()) {
        m_state->setText(tr("Words to find; Enter searches."));
        return;
    }
    if (!m_results->error().isEmpty())
        m_state->setText(tr("The search failed: %1").arg(m_results->error()));
    else if (m_results->rowCount() == 0)
        m_state->setText(tr("Nothing holds “%1”.").arg(m_results->text()));
    else
        m_state->setText(tr("%n message(s) found; Enter on one shows it in its room.", nullptr, m_results->rowCount()));
}

void SearchPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDockWidget::changeEvent(event);
}

void SearchPanel::retranslate()
{
    setWindowTitle(tr("Search"));
    m_edit->setPlaceholderText(tr("Search messages"));
    m_edit->setAccessibleName(tr("Words to search for"));
    m_thisRoomOnly->setText(tr("Only this &room"));
    m_list->setAccessibleName(tr("Messages found"));
    m_more->setText(tr("&More Results"));
    showState();
}
